"""Lints one source: parse it (never import or run it), build the
:class:`~jaxlab_lint.program.Program`, run every check."""

from __future__ import annotations

import ast

from .checks import CHECKS
from .findings import Finding, Findings
from .program import Program

MAX_SOURCE_CHARS = 1_000_000
"""Longer sources are linted up to this many characters."""


def lint(source: str) -> list[Finding]:
    """The findings for ``source``, by position; a source that does not parse
    gets one JAX000 finding."""
    source = source[:MAX_SOURCE_CHARS]
    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        return [
            Finding.of(
                "JAX000", max(e.lineno or 1, 1), max(e.offset or 1, 1), f"Syntax error: {e.msg}"
            )
        ]
    except (RecursionError, MemoryError, ValueError) as e:
        return [Finding.of("JAX000", 1, 1, f"Code could not be parsed: {type(e).__name__}")]
    try:
        program = Program(tree)
        findings = Findings()
        for check in CHECKS:
            check(program, findings)
        return findings.in_order()
    except RecursionError:
        return []

"""Checking one Python file of a project before anything of it runs.

:func:`load_definitions` is a pure function from source text to the
statements that may run, or to the rules the source breaks. Allowed at the
top level:

- imports of the standard library, of allow-listed packages and of the
  project's own files (absolute; relative ones inside a package);
- function and class definitions, module-level lambdas;
- library-only statements: assignments and calls into imported packages whose
  arguments are literals, module constants or other library-only values (type
  aliases and subscripts included), also as default arguments, decorators,
  class attributes and bases, and inside top-level ``if`` and ``try``;
- the configuration prologue (:mod:`.prologue`).

No function, class or lambda of the project may be called while the file
loads; ``if __name__ == "__main__":`` blocks are dropped; loops, ``with``
blocks and the like are work and are rejected with advice (Make it
runnable). The kernel runs the kept statements in source order just before
the first designated call, never at load. Every rejection is a
:class:`Violation` with a stable rule id, a 1-based position, a message in
the user's words and a hint. The loader is tidiness; the operating-system
sandbox is the security boundary.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from . import DEFAULT_DESIGNATED_FUNCTIONS
from .allow_list import DEFAULT_ALLOWED_IMPORTS
from .load_values import ProjectIndex, Value
from .module_checker import ModuleChecker
from .prologue import PrologueSetting
from .violations import MAX_AST_DEPTH, MAX_SOURCE_BYTES, RULES, Violation, violation_at

MAX_VIOLATIONS = 100
"""At most this many violations are reported for one file."""

__all__ = [
    "MAX_AST_DEPTH",
    "MAX_SOURCE_BYTES",
    "MAX_VIOLATIONS",
    "RULES",
    "LoadResult",
    "ProjectIndex",
    "Violation",
    "load_definitions",
]


@dataclass(frozen=True)
class LoadResult:
    """What :func:`load_definitions` made of a source.

    ``module`` holds the kept statements (ready for ``compile``) and is
    ``None`` when there are violations.
    """

    module: ast.Module | None
    violations: tuple[Violation, ...] = ()
    imports: tuple[str, ...] = ()
    definitions: tuple[str, ...] = ()
    functions: Mapping[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    prologue: tuple[PrologueSetting, ...] = ()
    bound: frozenset[str] = frozenset()
    """Every name the top level binds (also inside top-level if/try)."""
    exports: Mapping[str, Value] = field(default_factory=dict)
    """What the checker knows of each top-level name (for importers)."""

    @property
    def ok(self) -> bool:
        """Whether the source obeys every rule."""
        return not self.violations


def load_definitions(
    source: str,
    *,
    allowed_imports: Iterable[str] = DEFAULT_ALLOWED_IMPORTS,
    designated: Iterable[str] = DEFAULT_DESIGNATED_FUNCTIONS,
    filename: str = "main.py",
    project: ProjectIndex | None = None,
) -> LoadResult:
    """Checks ``source`` against the loading rules.

    Args:
        source: the text of the file.
        allowed_imports: top-level package names that may be imported besides
            the standard library and the project's files.
        designated: names a cell may call; in main.py they must be functions.
        filename: the file's path in the project, used in messages.
        project: what is known of the project's other files.

    Returns:
        The kept statements, or every violation (sorted by position).
    """
    lines = source.splitlines()
    if len(source) > MAX_SOURCE_BYTES or len(source.encode("utf-8", "replace")) > MAX_SOURCE_BYTES:
        return _rejected(
            Violation(
                1,
                1,
                "too-large",
                f"{filename} is larger than {MAX_SOURCE_BYTES} bytes",
                "Split it into several files of the project.",
                filename,
            )
        )
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as error:
        return _rejected(
            Violation(
                error.lineno or 1,
                error.offset or 1,
                "syntax-error",
                f"syntax error: {error.msg}",
                "Fix the line shown; the file must be valid Python.",
                filename,
                error.end_lineno or error.lineno or 1,
                error.end_offset or error.offset or 1,
            )
        )
    except ValueError as error:  # e.g. NUL bytes (3.11)
        return _rejected(Violation(1, 1, "syntax-error", f"syntax error: {error}", "", filename))
    except (RecursionError, MemoryError):
        return _rejected(
            Violation(
                1, 1, "too-deep", f"{filename} nests too deeply to be parsed safely", "", filename
            )
        )
    too_deep = _find_too_deep(tree)
    if too_deep is not None:
        return _rejected(
            violation_at(
                lines,
                too_deep,
                "too-deep",
                f"nesting deeper than {MAX_AST_DEPTH} levels",
                "Flatten the expression.",
                filename,
            )
        )
    outcome = ModuleChecker(
        source,
        filename,
        frozenset(allowed_imports),
        frozenset(designated),
        project or ProjectIndex(),
    ).run(tree)
    if outcome.violations:
        ordered = sorted(outcome.violations, key=lambda v: (v.line, v.column, v.rule))
        return LoadResult(module=None, violations=tuple(ordered[:MAX_VIOLATIONS]))
    return LoadResult(
        module=ast.Module(body=outcome.kept, type_ignores=[]),
        imports=tuple(outcome.imports),
        definitions=tuple(outcome.functions),
        functions=MappingProxyType(dict(outcome.functions)),
        prologue=tuple(outcome.prologue),
        bound=frozenset(outcome.bound),
        exports=MappingProxyType(outcome.exports),
    )


def _rejected(violation: Violation) -> LoadResult:
    return LoadResult(module=None, violations=(violation,))


def _find_too_deep(tree: ast.AST) -> ast.AST | None:
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_AST_DEPTH:
            return node
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return None

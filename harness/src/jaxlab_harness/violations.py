"""What the loader reports: one :class:`Violation` per broken rule, and the
rule table."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from types import MappingProxyType

MAX_SOURCE_BYTES = 1_000_000
"""Largest Python file accepted (UTF-8 bytes)."""

MAX_AST_DEPTH = 120
"""Deepest AST nesting accepted; deeper source is rejected as 'too-deep'."""

RULES = MappingProxyType(
    {
        "syntax-error": "the file must be valid Python",
        "too-large": f"a file may be at most {MAX_SOURCE_BYTES} bytes",
        "too-deep": "nesting too deep to check safely",
        "top-level-statement": "loops, with blocks and other work may not run at the top level",
        "user-code-at-load": "no function, class or lambda of the project may be called at the"
        " top level, in defaults, class attributes or bases",
        "decorator-not-allowed": "decorators must come from libraries",
        "import-not-allowed": "imports must name the standard library, a package of"
        " requirements.txt or a file of the project",
        "relative-import": "relative imports only inside a package of the project",
        "class-body-statement": "class bodies may hold only methods, docstrings, attributes and"
        " annotations",
        "class-keyword-not-allowed": "a metaclass must come from a library",
        "dunder-access": "introspection attributes and names are not allowed",
        "name-not-allowed": "eval, exec and similar built-ins are not allowed",
        "designated-not-function": "a designated name must be a plain function",
        "module-name-taken": "a project file may not take the name of a standard-library module"
        " or an allowed package",
    }
)
"""Every rule id the loader reports, with a one-line description."""


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (1-based line and column, end exclusive),
    which rule, what in the user's words (``message``) and what to do
    (``hint``)."""

    line: int
    column: int
    rule: str
    message: str
    hint: str = ""
    file: str = "main.py"
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        hint = f" {self.hint}" if self.hint else ""
        return f"line {self.line}, column {self.column}: {self.message}.{hint} [{self.rule}]"

    def to_json(self) -> dict[str, object]:
        """The violation as the JSON object the command line prints."""
        document: dict[str, object] = {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "message": self.message,
            "hint": self.hint,
        }
        if self.end_line is not None and self.end_column is not None:
            document["endLine"] = self.end_line
            document["endColumn"] = self.end_column
        return document


def violation_at(
    lines: list[str], node: ast.AST, rule: str, message: str, hint: str = "", file: str = "main.py"
) -> Violation:
    """A violation spanning ``node``, with columns counted in characters."""
    line = getattr(node, "lineno", 1) or 1
    end_line = getattr(node, "end_lineno", None)
    column = _column(lines, line, getattr(node, "col_offset", 0) or 0)
    end_column = (
        _column(lines, end_line, getattr(node, "end_col_offset", 0) or 0)
        if end_line is not None
        else None
    )
    return Violation(line, column, rule, message, hint, file, end_line, end_column)


def _column(lines: list[str], line: int, utf8_offset: int) -> int:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text.encode("utf-8")[:utf8_offset].decode("utf-8", "ignore")) + 1


def snippet(node: ast.AST, limit: int = 60) -> str:
    """The source of ``node`` on one line, shortened for a message."""
    try:
        text = " ".join(ast.unparse(node).split())
    except Exception:
        return type(node).__name__
    if len(text) <= limit:
        return text
    if isinstance(node, ast.Call):
        head = " ".join(ast.unparse(node.func).split())
        if len(head) <= limit - 5:
            return f"{head}(...)"
    return text[: limit - 3] + "..."


def caret_lines(source_lines: list[str], violation: Violation) -> list[str]:
    """The violation's source line and a caret line under the construct, as
    Python's tracebacks show them."""
    if not 0 < violation.line <= len(source_lines):
        return []
    text = source_lines[violation.line - 1].rstrip("\r\n").expandtabs(1)
    stripped = text.lstrip()
    indent = len(text) - len(stripped)
    start = max(violation.column - 1 - indent, 0)
    if violation.end_line == violation.line and violation.end_column is not None:
        width = max(violation.end_column - violation.column, 1)
    else:
        width = max(len(stripped) - start, 1)
    return [f"    {stripped}", "    " + " " * start + "^" * width]

"""Make it runnable: a deterministic rewrite of a script whose work is at
the top level into a program the restricted kernel can call.

:func:`make_runnable` is a pure function of the source. From the first
top-level statement that does work (one the loader rejects, or, when the
script has no ``main()``, the first statement that does something on its own
such as a ``print``), the statements that are not definitions move, in order,
into a generated ``def main():``, together with the body of
``if __name__ == "__main__":``. Imports and definitions stay at the top; a
definition moves too when the loader rejects it (``@timer`` of the script's
own, a default ``cfg=Config()``) or when its decorators, defaults or class
body read a moved name. Names the moved code binds that other functions read, or that
the top level binds as well, are declared ``global`` in main(), so the
program does what ``python main.py`` did. Comments and formatting are kept;
lines inside multi-line strings are never re-indented. A ``main`` the script
already defines is renamed ``_main`` (and every use of it).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from . import DEFAULT_DESIGNATED_FUNCTIONS
from .allow_list import DEFAULT_ALLOWED_IMPORTS
from .loader import load_definitions
from .prologue import prologue_settings
from .runnable_rewrite import Rewrite, breaks_rules
from .scope_names import locals_of
from .statements import import_resolver, is_main_guard
from .violations import Violation

_MOVABLE_RULES = frozenset({"top-level-statement", "user-code-at-load", "decorator-not-allowed"})
_SETUP_CALLS = ("DEFINE_", "register", "defvjp", "defjvp", "declare_key_flag", "mark_flag")


@dataclass(frozen=True)
class RunnableResult:
    """What :func:`make_runnable` did to a source."""

    source: str
    """The rewritten source (the input when nothing changed)."""
    changed: bool
    reason: str
    """What was done, or why nothing was, in the user's words."""
    moved_lines: tuple[tuple[int, int], ...] = ()
    """Line ranges (1-based, inclusive) of the input that moved into main()."""
    global_names: tuple[str, ...] = ()
    renamed_main: str | None = None
    violations: tuple[Violation, ...] = ()
    """What the loader still rejects in the result."""


def make_runnable(
    source: str,
    *,
    allowed_imports: Iterable[str] = DEFAULT_ALLOWED_IMPORTS,
    designated: Iterable[str] = DEFAULT_DESIGNATED_FUNCTIONS,
) -> RunnableResult:
    """Rewrites ``source`` so that its top-level work runs in ``main()``."""
    allowed = tuple(allowed_imports)
    entry = next(iter(designated), "main")
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return RunnableResult(source, False, f"main.py does not parse ({error}); fix it first")
    checked = load_definitions(source, allowed_imports=allowed, designated=(entry,))
    renamed = None
    if _defines(tree, entry) and _first_work(tree, checked.violations, entry) is not None:
        renamed = _free_name(tree, f"_{entry}")
        source = _rename(source, tree, entry, renamed)
        tree = ast.parse(source)
        checked = load_definitions(source, allowed_imports=allowed, designated=(entry,))
    first = _first_work(tree, checked.violations, entry)
    if first is None:
        reason = (
            f"main.py already loads and defines {entry}(); nothing to move"
            if checked.ok and _defines(tree, entry)
            else "nothing at the top level of main.py does work to move"
        )
        return RunnableResult(source, False, reason, violations=checked.violations)
    lines = {v.line for v in checked.violations if v.rule in _MOVABLE_RULES}
    rewrite = Rewrite(source, tree, first, entry, lines)
    result = rewrite.run()
    after = load_definitions(result, allowed_imports=allowed, designated=(entry,))
    return RunnableResult(
        result,
        True,
        f"moved the top-level work of main.py into {entry}()",
        tuple(rewrite.moved_lines),
        tuple(rewrite.global_names),
        renamed,
        after.violations,
    )


def _defines(tree: ast.Module, name: str) -> bool:
    return any(
        isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name == name for s in tree.body
    )


def _first_work(tree: ast.Module, violations: Iterable[Violation], entry: str) -> int | None:
    """Index of the first top-level statement to move, or None."""
    lines = {v.line for v in violations if v.rule in _MOVABLE_RULES}
    body = tree.body
    for index, stmt in enumerate(body):
        if not is_main_guard(stmt) and breaks_rules(stmt, lines):
            return _earlier_guard(body, index)
    if _defines(tree, entry):
        return None
    resolve = import_resolver(tree.body)
    for index, stmt in enumerate(body):
        if is_main_guard(stmt):
            return index
        if (
            isinstance(stmt, ast.Expr)
            and not isinstance(stmt.value, ast.Constant)
            and not prologue_settings(stmt, resolve)
            and not _is_setup_call(stmt.value)
        ):
            return index
    return None


def _earlier_guard(body: list[ast.stmt], index: int) -> int:
    guards = [i for i, stmt in enumerate(body[:index]) if is_main_guard(stmt)]
    return guards[0] if guards else index


def _is_setup_call(node: ast.expr) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    return name.startswith(_SETUP_CALLS)


def _free_name(tree: ast.Module, wanted: str) -> str:
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))
    }
    name, number = wanted, 1
    while name in used:
        number += 1
        name = f"{wanted}{number}"
    return name


def _rename(source: str, tree: ast.Module, old: str, new: str) -> str:
    """``source`` with the top-level function ``old`` and its uses renamed."""
    local_scopes = {
        id(node)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        and old in locals_of(node)
    }
    edits: list[tuple[int, int, int]] = []  # (line, utf-8 column, length)

    def visit(node: ast.AST, shadowed: bool) -> None:
        if id(node) in local_scopes:
            shadowed = True
        if isinstance(node, ast.Name) and node.id == old and not shadowed:
            edits.append((node.lineno, node.col_offset, len(old)))
        if isinstance(node, ast.FunctionDef) and node.name == old and node in tree.body:
            line = source.splitlines()[node.lineno - 1].encode("utf-8")
            edits.append((node.lineno, line.index(f"def {old}".encode()) + 4, len(old)))
        for child in ast.iter_child_nodes(node):
            visit(child, shadowed)

    visit(tree, False)
    lines = source.splitlines(keepends=True)
    for line, column, length in sorted(edits, reverse=True):
        raw = lines[line - 1].encode("utf-8")
        lines[line - 1] = (raw[:column] + new.encode() + raw[column + length :]).decode("utf-8")
    return "".join(lines)

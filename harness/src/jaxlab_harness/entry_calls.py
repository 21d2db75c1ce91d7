"""The calls of a designated function that end main.py (``main()``,
``sys.exit(main())``, ``app.run(main)``): a cell makes that call, so the
loader drops them like the ``__main__`` guard."""

from __future__ import annotations

import ast

from .literals import is_literal
from .statements import import_resolver, is_docstring, is_main_guard_or_definition


def entry_calls(body: list[ast.stmt], designated: frozenset[str]) -> list[ast.stmt]:
    """The statements ending ``body`` (main.py's) that only call a designated
    function, followed by nothing but definitions."""
    found: list[ast.stmt] = []
    for stmt in reversed(body):
        if is_docstring(stmt) or is_main_guard_or_definition(stmt):
            continue
        if not (isinstance(stmt, ast.Expr) and _is_entry_call(stmt.value, body, designated)):
            break
        found.append(stmt)
    return found


def _is_entry_call(node: ast.expr, body: list[ast.stmt], designated: frozenset[str]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    if isinstance(node.func, ast.Name) and node.func.id in designated:
        return all(is_literal(a) for a in [*node.args, *(k.value for k in node.keywords)])
    wrapped = node.args[0] if len(node.args) == 1 and not node.keywords else None
    if wrapped is None:
        return False
    callee = import_resolver(body)(node.func)
    if callee == "sys.exit" or (isinstance(node.func, ast.Name) and node.func.id == "exit"):
        return _is_entry_call(wrapped, body, designated)
    return callee == "absl.app.run" and isinstance(wrapped, ast.Name) and wrapped.id in designated

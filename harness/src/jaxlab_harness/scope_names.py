"""What names top-level statements of a script bind and read, for Make it
runnable: which move into main(), and which main() must declare ``global``."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass


def first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno, *(d.lineno for d in decorators)])


def is_definition(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return isinstance(stmt.value.value, str)
    return isinstance(
        stmt, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    )


def header_names(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> set[str]:
    """Names a definition reads when it is executed (not when called)."""
    parts: list[ast.AST] = list(node.decorator_list)
    if isinstance(node, ast.ClassDef):
        parts += [*node.bases, *(k.value for k in node.keywords)]
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                parts.append(_HeaderOnly(stmt))
            else:
                parts.append(stmt)
    else:
        args = node.args
        parts += [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    names: set[str] = set()
    for part in parts:
        if isinstance(part, _HeaderOnly):
            names |= header_names(part.node)
            continue
        names |= {n.id for n in ast.walk(part) if isinstance(n, ast.Name)}
    return names


@dataclass(frozen=True)
class _HeaderOnly:
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def bound_names(stmts: Iterable[ast.stmt]) -> set[str]:
    """Names statements bind in the scope they run in (nested functions,
    classes, lambdas and comprehensions have scopes of their own)."""
    names: set[str] = set()
    stack: list[ast.AST] = list(stmts)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            stack.extend(getattr(node, "decorator_list", []))
            continue
        if isinstance(
            node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
        ):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        stack.extend(ast.iter_child_nodes(node))
    return names


def _read_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def free_names(stmt: ast.stmt) -> set[str]:
    """Names a function or class reads from the module when it runs."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return _read_names(stmt) - locals_of(stmt)
    if isinstance(stmt, ast.ClassDef):
        names: set[str] = set()
        for inner in stmt.body:
            names |= free_names(inner) if is_scope(inner) else _read_names(inner)
        return names | {n for part in stmt.bases for n in _read_names(part)}
    return set()


def is_scope(stmt: ast.stmt) -> bool:
    return isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))


def locals_of(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    args = node.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    if isinstance(node, ast.Lambda):
        return names
    declared = {n for s in ast.walk(node) if isinstance(s, ast.Global) for n in s.names}
    return (names | bound_names(node.body)) - declared

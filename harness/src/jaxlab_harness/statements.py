"""Facts about Python statements the loader and Make it runnable share:
what an import names, whether a statement is the ``__main__`` guard, a
docstring or a definition, what a statement is called in a message."""

from __future__ import annotations

import ast
from collections.abc import Callable

from .jax_names import imported_names, qualified_name
from .library_names import IMPORT_ERRORS


def import_resolver(body: list[ast.stmt]) -> Callable[[ast.expr], str | None]:
    """A function giving the dotted name an expression refers to through the
    top-level imports of ``body`` (``app.run`` -> ``absl.app.run``)."""
    aliases: dict[str, str] = {}
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) and not getattr(stmt, "level", 0):
            aliases.update(imported_names(stmt))
    return lambda node: qualified_name(node, aliases)


def is_main_guard_or_definition(stmt: ast.stmt) -> bool:
    return is_main_guard(stmt) or isinstance(
        stmt,
        (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Pass),
    )


def absolute_module(node: ast.ImportFrom, package: str | None) -> str | None:
    """The module a from-import names, relative ones resolved against
    ``package``; None for a relative import without a package to start from."""
    if not node.level:
        return node.module or ""
    if package is None:
        return None
    parts = package.split(".")
    if node.level - 1 >= len(parts):
        return None
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _is_main_guard(node: ast.If) -> bool:
    test = node.test
    if not (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
        and len(test.comparators) == 1
    ):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    mains = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return len(names) == 1 and len(mains) == 1


def is_main_guard(node: ast.stmt) -> bool:
    """Whether ``node`` is ``if __name__ == "__main__":``."""
    return isinstance(node, ast.If) and _is_main_guard(node)


def is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, (str, type(...)))
    )


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def catches_import(node: ast.AST) -> bool:
    for handler in node.handlers:  # type: ignore[attr-defined]
        if handler.type is None:
            return True
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for kind in types:
            name = kind.id if isinstance(kind, ast.Name) else getattr(kind, "attr", None)
            if name in IMPORT_ERRORS:
                return True
    return False


def describe(node: ast.AST) -> str:
    names = {
        ast.For: "a for loop",
        ast.AsyncFor: "an async for loop",
        ast.While: "a while loop",
        ast.With: "a with block",
        ast.AsyncWith: "an async with block",
        ast.Raise: "a raise statement",
        ast.Return: "a return statement",
        ast.Match: "a match statement",
        ast.Expr: "an expression",
        ast.If: "an if statement",
        ast.Try: "a try statement",
    }
    return names.get(type(node), f"a {type(node).__name__} statement")

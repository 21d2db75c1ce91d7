"""The rules the loader checks anywhere in a file, not only at its top
level: what it imports, and the introspection attributes and names it may
not use."""

from __future__ import annotations

import ast
from collections.abc import Callable

from .allow_list import is_standard_library
from .library_names import DENIED_ATTRIBUTES, DENIED_NAMES
from .load_values import ProjectIndex
from .statements import absolute_module, catches_import, is_type_checking
from .violations import snippet

Report = Callable[[ast.AST, str, str, str], None]
"""Reports a violation: node, rule, message, hint."""


class AnywhereRules:
    """Checks a whole file's imports and denied names, reporting to ``report``."""

    def __init__(
        self,
        report: Report,
        filename: str,
        is_main: bool,
        allowed: frozenset[str],
        project: ProjectIndex,
    ) -> None:
        self._report = report
        self._file = filename
        self._is_main = is_main
        self._allowed = allowed
        self._project = project

    def check(self, tree: ast.Module) -> None:
        stack: list[tuple[ast.AST, bool]] = [(tree, False)]
        while stack:
            node, optional = stack.pop()
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self._check_import(node, optional)
            elif isinstance(node, ast.Attribute) and node.attr in DENIED_ATTRIBUTES:
                self._report(
                    node,
                    "dunder-access",
                    f"the attribute {node.attr} is not allowed",
                    "Introspection of frames, code and globals is off in the lab.",
                )
            elif isinstance(node, ast.Name) and node.id in DENIED_NAMES:
                rule = "dunder-access" if node.id.startswith("__") else "name-not-allowed"
                self._report(node, rule, f"{node.id} is not allowed", "Call your code directly.")
            if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))) and catches_import(
                node
            ):
                stack.extend((child, True) for child in node.body)  # type: ignore[attr-defined]
                rest = [*node.handlers, *node.orelse, *node.finalbody]  # type: ignore[attr-defined]
                stack.extend((child, optional) for child in rest)
            elif isinstance(node, ast.If) and is_type_checking(node.test):
                stack.extend((child, True) for child in node.body)
                stack.extend((child, optional) for child in node.orelse)
            else:
                stack.extend((child, optional) for child in ast.iter_child_nodes(node))

    def _check_import(self, node: ast.Import | ast.ImportFrom, optional: bool) -> None:
        if isinstance(node, ast.ImportFrom) and node.level:
            if absolute_module(node, self._project.package) is None:
                where = "main.py is" if self._is_main else f"{self._file} is"
                target = node.module or (node.names[0].name if node.names else "module")
                self._report(
                    node,
                    "relative-import",
                    f"`{snippet(node)}`: {where} not inside a package, so a relative import has"
                    " nothing to start from",
                    f"Write `import {target}` or `from {target} import ...`; project files and"
                    " packages are importable by name.",
                )
            return
        modules = (
            [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        )
        for module in modules:
            if optional or self._may_import(module):
                continue
            top = module.split(".")[0]
            self._report(
                node,
                "import-not-allowed",
                f"`{snippet(node)}`: {top} is not a file of this project, a module of the standard"
                " library or a package of requirements.txt",
                f"Add {top}.py (or a folder {top}/) to the project, or add the package that"
                f" provides {top} to requirements.txt.",
            )

    def _may_import(self, module: str) -> bool:
        top = module.split(".")[0]
        return (
            top in self._allowed
            or top == "__future__"
            or is_standard_library(top)
            or self._project.has(module)
        )

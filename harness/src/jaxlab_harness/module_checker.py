"""One pass over one Python file of a project: which rules its top level
breaks, which values it binds, and its configuration prologue.

The checker follows every value the top level computes: a *library* value
comes from imports, built-ins, literals and calls into libraries; a *user*
value is, holds or wraps a function, class or lambda of the project. Calling
a user value at load (at the top level, in a decorator, a default, a class
attribute or a base) runs the project's own code and is rejected; so is
passing one to a library call that may call it. This file walks the
statements; what an expression computes is followed in
``load_expressions.py``, the rules that hold anywhere in the file are in
``anywhere_rules.py`` and the values themselves in ``load_values.py``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from types import MappingProxyType

from .anywhere_rules import AnywhereRules
from .entry_calls import entry_calls
from .jax_names import imported_names
from .library_names import DENIED_DUNDER_TARGETS, HOOK_METHODS, WRAPPERS
from .load_expressions import ExpressionChecker
from .load_values import LIBRARY, TopScope, Value
from .prologue import PrologueSetting, prologue_settings
from .statements import (
    absolute_module,
    describe,
    is_docstring,
    is_main_guard,
    is_type_checking,
)
from .violations import Violation, snippet


@dataclass
class CheckOutcome:
    """What :class:`ModuleChecker` found in one file."""

    kept: list[ast.stmt]
    violations: list[Violation]
    prologue: list[PrologueSetting]
    imports: list[str]
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef]
    bound: set[str]
    exports: dict[str, Value]


class ModuleChecker(ExpressionChecker):
    """Checks one file; :meth:`run` returns its :class:`CheckOutcome`."""

    def run(self, tree: ast.Module) -> CheckOutcome:
        kept = []
        ending = entry_calls(tree.body, self._designated) if self._is_main else []
        for stmt in tree.body:
            if is_main_guard(stmt):
                if stmt.orelse:
                    self._work(stmt.orelse[0], 'the else branch of `if __name__ == "__main__":`')
                continue
            if stmt in ending:
                continue  # `main()` ending a script: what a cell does, like the guard
            kept.append(stmt)
            self._prologue.extend(prologue_settings(stmt, self._qualified))
            self._statement(stmt, self._scope)
        AnywhereRules(self._report, self._file, self._is_main, self._allowed, self._project).check(
            tree
        )
        return CheckOutcome(
            kept=kept,
            violations=self._violations,
            prologue=self._prologue,
            imports=list(dict.fromkeys(self._imports)),
            functions=self._functions,
            bound=self._bound,
            exports=dict(self._scope),
        )

    # -- statements ------------------------------------------------------

    def _statement(self, stmt: ast.stmt, scope: dict[str, Value]) -> None:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self._bind_import(stmt, scope)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._function(stmt, scope, top=isinstance(scope, TopScope))
        elif isinstance(stmt, ast.ClassDef):
            self._class(stmt, scope)
        elif isinstance(stmt, ast.Expr):
            if not is_docstring(stmt):
                self._expression(stmt.value, scope, "")
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            self._assignment(stmt, scope)
        elif isinstance(stmt, ast.If):
            self._expression(stmt.test, scope, "")
            if is_type_checking(stmt.test):
                return
            self._branches(scope, [stmt.body, stmt.orelse])
        elif isinstance(stmt, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                if handler.type is not None:
                    self._expression(handler.type, scope, "")
            self._branches(
                scope,
                [stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody],  # type: ignore[attr-defined]
            )
        elif isinstance(stmt, getattr(ast, "TypeAlias", ())):  # `type X = ...` (3.12)
            self._bind(stmt.name.id, stmt, LIBRARY, scope)  # type: ignore[attr-defined]
        elif isinstance(stmt, ast.Assert):
            self._expression(stmt.test, scope, "")
            if stmt.msg is not None:
                self._expression(stmt.msg, scope, "")
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    scope.pop(target.id, None)
                else:
                    self._expression(target, scope, "")
        elif isinstance(stmt, ast.Raise):  # a guard (`if sys.version_info < ...: raise`)
            for part in (stmt.exc, stmt.cause):
                if part is not None:
                    self._expression(part, scope, "")
        elif not isinstance(stmt, (ast.Pass, ast.Global, ast.Nonlocal)):
            self._work(stmt, describe(stmt))

    def _branches(self, scope: dict[str, Value], bodies: list[list[ast.stmt]]) -> None:
        """Checks alternative bodies; a name any of them binds to user code
        counts as user code afterwards."""
        merged: dict[str, Value] = {}
        for body in bodies:
            branch = TopScope(scope) if isinstance(scope, TopScope) else dict(scope)
            for stmt in body:
                self._statement(stmt, branch)
            for name, value in branch.items():
                if name not in merged or (value.user and not merged[name].user):
                    merged[name] = value
        scope.update(merged)

    def _assignment(self, stmt: ast.Assign | ast.AnnAssign | ast.AugAssign, scope) -> None:
        value = LIBRARY
        if stmt.value is not None:
            value = self._expression(stmt.value, scope, "")
        if isinstance(stmt, ast.AnnAssign) and not self._future_annotations:
            self._expression(stmt.annotation, scope, "")
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for target in targets:
            if isinstance(stmt, ast.AugAssign) and isinstance(target, ast.Name):
                previous = self._lookup(target.id, scope)
                value = previous if previous.user else value
            self._bind_target(target, value, scope)

    def _bind_import(self, stmt: ast.Import | ast.ImportFrom, scope: dict[str, Value]) -> None:
        if isinstance(stmt, ast.Import):
            for local, module in imported_names(stmt):
                self._imports.append(module.split(".")[0])
                self._bind(local, stmt, self._module_value(module), scope)
            return
        module = self._absolute(stmt)
        if module is None:
            return
        self._imports.append(module.split(".")[0])
        if module == "__future__" and any(a.name == "annotations" for a in stmt.names):
            self._future_annotations = True
        for alias in stmt.names:
            if alias.name == "*":
                if self._project.has(module):
                    exports = self._project.exports.get(module, {})
                    for name, value in exports.items():
                        if not name.startswith("_"):
                            self._bind(name, stmt, value, scope)
                continue
            value = self._member(self._module_value(module), alias.name)
            self._bind(alias.asname or alias.name, stmt, value, scope)

    def _absolute(self, stmt: ast.ImportFrom) -> str | None:
        return absolute_module(stmt, self._project.package)

    def _function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: dict[str, Value], top: bool
    ) -> None:
        self._decorators(node, scope)
        arguments = node.args
        for default in [*arguments.defaults, *(d for d in arguments.kw_defaults if d is not None)]:
            self._expression(
                default,
                scope,
                f"Use None as the default and compute the value inside {node.name}().",
            )
        if not self._future_annotations:
            for argument in [
                *arguments.posonlyargs,
                *arguments.args,
                *arguments.kwonlyargs,
                *(a for a in (arguments.vararg, arguments.kwarg) if a is not None),
            ]:
                if argument.annotation is not None:
                    self._expression(argument.annotation, scope, "")
            if node.returns is not None:
                self._expression(node.returns, scope, "")
        if top and node.name in self._designated and isinstance(node, ast.AsyncFunctionDef):
            self._report(
                node,
                "designated-not-function",
                f"designated function {node.name}() is async",
                f"Define it with `def {node.name}(...):`; run async code with asyncio.run inside.",
            )
        if top and node.name in DENIED_DUNDER_TARGETS:
            self._report(
                node,
                "dunder-access",
                f"a module-level {node.name}() runs when the module's attributes are read",
                "Define the names the module offers explicitly instead.",
            )
        if top:
            self._functions[node.name] = node
        outermost = node.decorator_list[0] if node.decorator_list else None
        wrapper = self._root(outermost, scope) if outermost is not None else None
        self._bind(
            node.name,
            node,
            Value(user=True, what=f"your function {node.name}", wrapper=wrapper),
            scope,
        )

    def _decorators(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, scope: dict[str, Value]
    ) -> None:
        owner = f"class {node.name}" if isinstance(node, ast.ClassDef) else f"{node.name}()"
        for decorator in node.decorator_list:
            value = self._expression(decorator, scope, "")
            if value.user:
                self._report(
                    decorator,
                    "decorator-not-allowed",
                    f"the decorator @{snippet(decorator)} of {owner} is {value.what}, which would"
                    f" run while {self._file} loads",
                    "Library decorators (jax.jit, functools.partial, flax.struct.dataclass, ...)"
                    " are fine; apply your own when main() runs (Make it runnable moves the"
                    f" definition there), e.g. `{node.name} = {snippet(decorator)}({node.name})`.",
                )

    def _class(self, node: ast.ClassDef, scope: dict[str, Value]) -> None:
        self._decorators(node, scope)
        for base in node.bases:
            self._expression(base, scope, "")
        for keyword in node.keywords:
            value = self._expression(keyword.value, scope, "")
            if keyword.arg in (None, "metaclass") and value.user:
                self._report(
                    keyword.value,
                    "class-keyword-not-allowed",
                    f"class {node.name} takes its metaclass from {value.what}, whose code would run"
                    f" while {self._file} loads",
                    "Use a library metaclass (abc.ABCMeta) or none.",
                )
        body_scope = dict(scope)
        for stmt in node.body:
            self._class_statement(node, stmt, body_scope)
        members = {k: v for k, v in body_scope.items() if scope.get(k) is not v}
        # Known library decorators return the class itself; others may not.
        kept = all(self._root(d, scope) in WRAPPERS for d in node.decorator_list)
        known = MappingProxyType(members) if kept else None
        value = Value(user=True, what=f"your class {node.name}", members=known)
        self._bind(node.name, node, value, scope)

    def _class_statement(self, cls: ast.ClassDef, stmt: ast.stmt, scope: dict[str, Value]) -> None:
        hint = "Compute it in a method (setup() or __init__()) instead."
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if stmt.name in HOOK_METHODS:
                self._report(
                    stmt,
                    "class-body-statement",
                    f"{cls.name}.{stmt.name} would run while {self._file} loads",
                    "Set things up in __init__ or a classmethod instead.",
                )
            self._function(stmt, scope, top=False)
        elif isinstance(stmt, ast.ClassDef):
            self._class(stmt, scope)
        elif isinstance(stmt, ast.Pass) or is_docstring(stmt):
            pass
        elif isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
            value = self._expression(stmt.value, scope, hint)
            for target in stmt.targets:
                scope[target.id] = value  # type: ignore[attr-defined]
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            if not self._future_annotations:
                self._expression(stmt.annotation, scope, "")
            if stmt.value is not None:
                scope[stmt.target.id] = self._expression(stmt.value, scope, hint)
        else:
            self._report(
                stmt,
                "class-body-statement",
                f"{describe(stmt)} in the body of class {cls.name} would run while {self._file}"
                " loads",
                "A class body may hold methods, docstrings, attributes and annotations; move the"
                " rest into a method.",
            )

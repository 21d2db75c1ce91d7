"""What an expression of a file's top level computes at load, and which
project code it would run: the half of :class:`~.module_checker.ModuleChecker`
that follows values (names, attributes, calls, comprehensions) and binds
them, with the state and the reporter both halves share."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Mapping

from .jax_names import dotted_parts
from .library_names import (
    CUSTOM_DERIVATIVES,
    DENIED_DUNDER_TARGETS,
    PROPERTY_METHODS,
    REGISTRATION_METHODS,
    is_wrapper,
)
from .load_values import LIBRARY, ProjectIndex, TopScope, Value
from .prologue import PrologueSetting
from .violations import Violation, snippet, violation_at


class ExpressionChecker:
    """Follows the values of one file's top level; subclassed by the
    statement checker."""

    def __init__(
        self,
        source: str,
        filename: str,
        allowed: frozenset[str],
        designated: frozenset[str],
        project: ProjectIndex,
    ) -> None:
        self._lines = source.splitlines()
        self._file = filename
        self._allowed = allowed
        self._designated = designated
        self._project = project
        self._is_main = project.package is None and filename == "main.py"
        self._violations: list[Violation] = []
        self._positions: set[tuple[int, int]] = set()
        self._scope: dict[str, Value] = TopScope()
        self._future_annotations = False
        self._prologue: list[PrologueSetting] = []
        self._imports: list[str] = []
        self._functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self._bound: set[str] = set()

    def _report(self, node: ast.AST, rule: str, message: str, hint: str = "") -> None:
        found = violation_at(self._lines, node, rule, message, hint, self._file)
        if (found.line, found.column) in self._positions:
            return  # one construct, one report (a call inside a decorator, ...)
        self._positions.add((found.line, found.column))
        self._violations.append(found)

    def _move_hint(self) -> str:
        if self._is_main:
            return (
                "Move it into main() (or press Make it runnable, which moves the top-level work"
                " of main.py into a generated main())."
            )
        return f"Move it into a function of {self._file} and call that from main()."

    def _work(self, node: ast.AST, described: str) -> None:
        self._report(
            node,
            "top-level-statement",
            f"{described} at the top level of {self._file} does work while the file loads",
            self._move_hint(),
        )

    # -- binding ---------------------------------------------------------

    def _bind_target(self, target: ast.expr, value: Value, scope: dict[str, Value]) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind_target(element, value, scope)
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, value, scope)
        elif isinstance(target, ast.Name):
            name = target.id
            if name in DENIED_DUNDER_TARGETS:
                self._report(
                    target,
                    "dunder-access",
                    f"assigning {name} is not allowed",
                    "Choose a name without double underscores.",
                )
                return
            if value.user and value.what == "a lambda":
                value = Value(user=True, what=f"your lambda {name}")
            self._bind(name, target, value, scope)
        else:
            self._expression(target, scope, "")

    def _bind(self, name: str, node: ast.AST, value: Value, scope: dict[str, Value]) -> None:
        scope[name] = value
        if not isinstance(scope, TopScope):
            return
        self._bound.add(name)
        is_def = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        if name in self._designated and self._is_main and not is_def:
            self._report(
                node,
                "designated-not-function",
                f"{name} is the name of a designated function, but main.py binds it to something"
                " else",
                f"Define it with `def {name}(...):` and call the rest from inside it.",
            )

    def _module_value(self, module: str) -> Value:
        if self._project.has(module):
            return Value(module=module)
        return Value(qualified=module)

    # -- expressions -----------------------------------------------------

    def _expression(self, node: ast.expr, scope: dict[str, Value], hint: str) -> Value:
        """The value ``node`` computes at load; reports user code it runs.
        ``hint`` is the advice for this place ("" for the default)."""
        if isinstance(node, ast.Constant):
            return LIBRARY
        if isinstance(node, ast.Name):
            return self._lookup(node.id, scope)
        if isinstance(node, ast.Attribute):
            return self._member(self._expression(node.value, scope, hint), node.attr)
        if isinstance(node, ast.Call):
            return self._call(node, scope, hint)
        if isinstance(node, ast.Lambda):
            for default in [*node.args.defaults, *(d for d in node.args.kw_defaults if d)]:
                self._expression(default, scope, hint)
            return Value(user=True, what="a lambda")
        if isinstance(node, ast.NamedExpr):
            value = self._expression(node.value, scope, hint)
            self._bind_target(node.target, value, scope)
            return value
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self._comprehension(node, scope, hint)
        found = LIBRARY
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                value = self._expression(child, scope, hint)
                if value.user and not found.user:
                    found = value
        return Value(user=True, what=found.what) if found.user else LIBRARY

    def _lookup(self, name: str, scope: Mapping[str, Value]) -> Value:
        if name in scope:
            return scope[name]
        if hasattr(builtins, name):
            return Value(qualified=f"builtins.{name}")
        return LIBRARY

    def _member(self, base: Value, attr: str) -> Value:
        if base.module is not None:
            module = f"{base.module}.{attr}"
            if module in self._project.modules:
                return Value(module=module)
            exports = self._project.exports.get(base.module)
            if exports is not None and attr in exports:
                return exports[attr]
            return Value(user=True, what=f"{attr} of your module {base.module}")
        if base.user:
            if base.members is not None and attr in base.members:
                return base.members[attr]  # a class attribute: reading it runs nothing
            if (base.wrapper in CUSTOM_DERIVATIVES and attr in REGISTRATION_METHODS) or (
                base.wrapper == "builtins.property" and attr in PROPERTY_METHODS
            ):
                return LIBRARY  # registers rules / accessors; calls nothing
            return Value(user=True, what=base.what)
        return Value(qualified=f"{base.qualified}.{attr}" if base.qualified else None)

    def _call(self, node: ast.Call, scope: dict[str, Value], hint: str) -> Value:
        func = node.func
        registration = False
        if isinstance(func, ast.Attribute) and func.attr in REGISTRATION_METHODS:
            owner = self._expression(func.value, scope, hint)
            registration = owner.wrapper in CUSTOM_DERIVATIVES
            callee = self._member(owner, func.attr)
        else:
            callee = self._expression(func, scope, hint)
        hint = hint or self._move_hint()
        if callee.user and not registration:
            self._report(
                node,
                "user-code-at-load",
                f"`{snippet(node)}` calls {callee.what} while {self._file} loads",
                hint,
            )
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                self._expression(argument, scope, hint)
            return Value(user=True, what=callee.what)
        wrapper = registration or is_wrapper(callee.qualified)
        held: Value | None = None
        for argument in [*node.args, *(k.value for k in node.keywords)]:
            value = self._expression(argument, scope, hint)
            if not value.user:
                continue
            held = held or value
            if not wrapper:
                name = (
                    callee.qualified.removeprefix("builtins.")
                    if callee.qualified
                    else snippet(func)
                )
                self._report(
                    argument,
                    "user-code-at-load",
                    f"`{snippet(node)}` passes {value.what} to {name}, which may call it while"
                    f" {self._file} loads",
                    hint,
                )
        if held is not None:
            return Value(user=True, what=held.what, wrapper=callee.qualified)
        return LIBRARY

    def _comprehension(self, node: ast.expr, scope: dict[str, Value], hint: str) -> Value:
        inner = dict(scope)
        found = LIBRARY
        for generator in node.generators:  # type: ignore[attr-defined]
            iterated = self._expression(generator.iter, inner, hint)
            found = iterated if iterated.user and not found.user else found
            self._bind_target(generator.target, iterated, inner)
            for condition in generator.ifs:
                self._expression(condition, inner, hint)
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]  # type: ignore[attr-defined]
        for part in parts:
            value = self._expression(part, inner, hint)
            found = value if value.user and not found.user else found
        return Value(user=True, what=found.what) if found.user else LIBRARY

    def _qualified(self, node: ast.expr) -> str | None:
        parts = dotted_parts(node)
        root = self._scope.get(parts[0]) if parts else None
        if root is None or root.qualified is None or root.user:
            return None
        return ".".join([root.qualified, *parts[1:]])  # type: ignore[index]

    def _root(self, decorator: ast.expr, scope: dict[str, Value]) -> str | None:
        """The library callable a decorator applies, seen through
        ``functools.partial(...)`` and decorator factories."""
        if isinstance(decorator, ast.Call):
            if self._expression(decorator.func, scope, "").qualified == "functools.partial":
                return self._root(decorator.args[0], scope) if decorator.args else None
            decorator = decorator.func
        return self._expression(decorator, scope, "").qualified

"""One pass over one Python file of a project: which rules its top level
breaks, which values it binds, and its configuration prologue.

The checker follows every value the top level computes: a *library* value
comes from imports, built-ins, literals and calls into libraries; a *user*
value is, holds or wraps a function, class or lambda of the project. Calling
a user value at load (at the top level, in a decorator, a default, a class
attribute or a base) runs the project's own code and is rejected; so is
passing one to a library call that may call it. This file is longer than
most: statements and expressions share one scope and one reporter.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .allow_list import is_standard_library
from .jax_names import dotted_parts, imported_names
from .library_names import (
    CUSTOM_DERIVATIVES,
    DENIED_ATTRIBUTES,
    DENIED_DUNDER_TARGETS,
    DENIED_NAMES,
    HOOK_METHODS,
    PROPERTY_METHODS,
    REGISTRATION_METHODS,
    WRAPPERS,
    is_wrapper,
)
from .literals import is_literal
from .prologue import PrologueSetting, prologue_settings
from .statements import (
    absolute_module,
    catches_import,
    describe,
    import_resolver,
    is_docstring,
    is_main_guard,
    is_main_guard_or_definition,
    is_type_checking,
)
from .violations import Violation, snippet, violation_at


@dataclass(frozen=True)
class Value:
    """What the checker knows of a value computed at load time."""

    user: bool = False
    """Whether it is, holds or wraps code of the project."""
    what: str = ""
    """The user code it carries, in the user's words ("your class MLP")."""
    qualified: str | None = None
    """The dotted library name it refers to (``jax.numpy.ones``)."""
    module: str | None = None
    """The project module it is (``import models``)."""
    wrapper: str | None = None
    """The library wrapper that made it from user code (``jax.custom_vjp``)."""
    members: Mapping[str, Value] | None = None
    """For a class of the project: what its body bound (``Config.lr``)."""


LIBRARY = Value()


class _TopScope(dict):  # type: ignore[type-arg]
    """The module's top-level names (also inside a top-level if/try)."""


@dataclass(frozen=True)
class ProjectIndex:
    """What the checker of one file knows of the rest of its project."""

    modules: frozenset[str] = frozenset()
    """Dotted names of the project's modules and packages."""
    exports: Mapping[str, Mapping[str, Value]] = field(default_factory=dict)
    """Top-level values of the modules checked so far."""
    package: str | None = None
    """The package the checked file belongs to (None for a top-level file)."""

    def has(self, module: str) -> bool:
        """Whether ``module`` (or its top-level package) is the project's."""
        return module in self.modules or module.split(".")[0] in self.modules


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


class ModuleChecker:
    """Checks one file; :meth:`run` returns its :class:`CheckOutcome`."""

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
        self._scope: dict[str, Value] = _TopScope()
        self._future_annotations = False
        self._prologue: list[PrologueSetting] = []
        self._imports: list[str] = []
        self._functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self._bound: set[str] = set()

    def run(self, tree: ast.Module) -> CheckOutcome:
        kept = []
        self._tree_body = tree.body
        entry_calls = self._entry_calls(tree.body)
        for stmt in tree.body:
            if is_main_guard(stmt):
                if stmt.orelse:
                    self._work(stmt.orelse[0], 'the else branch of `if __name__ == "__main__":`')
                continue
            if stmt in entry_calls:
                continue  # `main()` ending a script: what a cell does, like the guard
            kept.append(stmt)
            self._prologue.extend(prologue_settings(stmt, self._qualified))
            self._statement(stmt, self._scope)
        self._check_everywhere(tree)
        return CheckOutcome(
            kept=kept,
            violations=self._violations,
            prologue=self._prologue,
            imports=list(dict.fromkeys(self._imports)),
            functions=self._functions,
            bound=self._bound,
            exports=dict(self._scope),
        )

    def _entry_calls(self, body: list[ast.stmt]) -> list[ast.stmt]:
        """The calls of a designated function that end main.py (``main()``,
        ``sys.exit(main())``, ``app.run(main)``), followed by nothing but
        definitions: a cell makes that call, so they are dropped like the
        ``__main__`` guard."""
        if not self._is_main:
            return []
        found: list[ast.stmt] = []
        for stmt in reversed(body):
            if is_docstring(stmt) or is_main_guard_or_definition(stmt):
                continue
            if not (isinstance(stmt, ast.Expr) and self._is_entry_call(stmt.value)):
                break
            found.append(stmt)
        return found

    def _is_entry_call(self, node: ast.expr) -> bool:
        if not isinstance(node, ast.Call):
            return False
        if isinstance(node.func, ast.Name) and node.func.id in self._designated:
            return all(is_literal(a) for a in [*node.args, *(k.value for k in node.keywords)])
        wrapped = node.args[0] if len(node.args) == 1 and not node.keywords else None
        if wrapped is None:
            return False
        callee = import_resolver(self._tree_body)(node.func)
        if callee == "sys.exit" or (isinstance(node.func, ast.Name) and node.func.id == "exit"):
            return self._is_entry_call(wrapped)
        return (
            callee == "absl.app.run"
            and isinstance(wrapped, ast.Name)
            and wrapped.id in self._designated
        )

    # -- reporting -------------------------------------------------------

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

    # -- statements ------------------------------------------------------

    def _statement(self, stmt: ast.stmt, scope: dict[str, Value]) -> None:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self._bind_import(stmt, scope)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._function(stmt, scope, top=isinstance(scope, _TopScope))
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
            branch = _TopScope(scope) if isinstance(scope, _TopScope) else dict(scope)
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
        if not isinstance(scope, _TopScope):
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

    def _module_value(self, module: str) -> Value:
        if self._project.has(module):
            return Value(module=module)
        return Value(qualified=module)

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

    # -- anywhere in the file --------------------------------------------

    def _check_everywhere(self, tree: ast.Module) -> None:
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
            if self._absolute(node) is None:
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

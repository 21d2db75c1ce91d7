"""Definitions-only loading of a job's main.py.

:func:`load_definitions` is a pure function from source text to the AST nodes
that may run at load time, or to the rules the source breaks. It keeps:

- imports of allow-listed top-level packages (absolute, no ``*``);
- function and class definitions whose decorators come from a known-safe list,
  whose default arguments are literals and whose annotations are plain type
  expressions; class bodies hold only methods, docstrings, literal class
  attributes and annotations;
- literal constants (``LR = 1e-3``, ``SHAPE = (8, 128)``) and docstrings;
- ``f.defvjp(fwd, bwd)`` registrations of ``jax.custom_vjp``/``custom_jvp``
  functions.

``if __name__ == "__main__":`` blocks are dropped. Everything else is a
:class:`Violation` with a stable rule id, a 1-based line and a 1-based column.
The loader is tidiness (nothing runs at import, nothing surprising is in
scope); the operating-system sandbox is the security boundary.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from . import DEFAULT_DESIGNATED_FUNCTIONS
from .allow_list import DEFAULT_ALLOWED_IMPORTS
from .jax_names import imported_names, qualified_name
from .literals import LiteralTooDeepError, NotLiteralError, evaluate_literal

MAX_SOURCE_BYTES = 1_000_000
"""Largest main.py accepted (UTF-8 bytes)."""

MAX_AST_DEPTH = 120
"""Deepest AST nesting accepted; deeper source is rejected as 'too-deep'."""

MAX_VIOLATIONS = 100
"""At most this many violations are reported for one source."""

RULES = MappingProxyType(
    {
        "syntax-error": "main.py must be valid Python",
        "too-large": f"main.py may be at most {MAX_SOURCE_BYTES} bytes",
        "too-deep": "nesting too deep to check safely",
        "top-level-statement": "only imports, definitions, literal constants and docstrings"
        " may appear at the top level",
        "constant-not-literal": "top-level constants must be literals",
        "import-not-allowed": "module not in the import allow-list",
        "star-import": "`from x import *` is not allowed",
        "relative-import": "relative imports are not allowed",
        "decorator-not-allowed": "decorator not in the safe list",
        "default-not-literal": "default arguments must be literals",
        "annotation-not-allowed": "annotations must be plain type expressions",
        "class-body-statement": "class bodies may hold only methods, docstrings,"
        " literal attributes and annotations",
        "base-not-allowed": "class bases must be (subscripted) names",
        "class-keyword-not-allowed": "class keywords must be literals; no metaclass",
        "dunder-access": "introspection attributes and names are not allowed",
        "name-not-allowed": "eval, exec and similar built-ins are not allowed",
        "global-statement": "`global` is not allowed",
        "designated-not-function": "a designated name must be a plain function",
    }
)
"""Every rule id the loader reports, with a one-line description."""

SAFE_DECORATORS = frozenset(
    {
        "jax.jit",
        "jax.vmap",
        "jax.pmap",
        "jax.grad",
        "jax.value_and_grad",
        "jax.jacfwd",
        "jax.jacrev",
        "jax.hessian",
        "jax.checkpoint",
        "jax.remat",
        "jax.custom_jvp",
        "jax.custom_vjp",
        "jax.named_call",
        "jax.tree_util.register_pytree_node_class",
        "jax.tree_util.register_dataclass",
        "functools.lru_cache",
        "functools.cache",
        "functools.cached_property",
        "functools.total_ordering",
        "functools.singledispatch",
        "dataclasses.dataclass",
        "builtins.staticmethod",
        "builtins.classmethod",
        "builtins.property",
        "typing.final",
        "typing.overload",
        "typing.no_type_check",
        "typing.runtime_checkable",
        "flax.struct.dataclass",
        "flax.linen.compact",
        "flax.linen.nowrap",
        "flax.linen.jit",
        "flax.linen.remat",
        "flax.linen.checkpoint",
        "flax.nnx.jit",
        "flax.nnx.grad",
        "flax.nnx.value_and_grad",
        "flax.nnx.vmap",
        "flax.nnx.remat",
    }
)
"""Decorators (fully resolved dotted names) that may decorate definitions,
bare or called with literal arguments, or wrapped in ``functools.partial``."""

FIELD_FUNCTIONS = frozenset({"dataclasses.field", "flax.struct.field"})
"""Calls allowed as class-attribute values (with literal arguments)."""

DENIED_ATTRIBUTES = frozenset(
    {
        "__subclasses__",
        "__globals__",
        "__builtins__",
        "__code__",
        "__import__",
        "__bases__",
        "__base__",
        "__mro__",
        "__closure__",
        "__loader__",
        "__spec__",
        "__reduce__",
        "__reduce_ex__",
        "__getattribute__",
        "f_globals",
        "f_locals",
        "f_builtins",
        "f_back",
        "tb_frame",
        "gi_frame",
        "cr_frame",
        "ag_frame",
        "gi_code",
        "cr_code",
    }
)
"""Attributes whose access (anywhere in main.py) is rejected as 'dunder-access'."""

DENIED_NAMES = frozenset(
    {
        "eval",
        "exec",
        "compile",
        "globals",
        "locals",
        "breakpoint",
        "__import__",
        "__builtins__",
        "__loader__",
        "__spec__",
    }
)
"""Names whose use (anywhere in main.py) is rejected."""

_BUILTIN_DECORATORS = frozenset({"staticmethod", "classmethod", "property"})
_FIELD_FACTORIES = frozenset({"list", "dict", "set", "tuple"})
_CUSTOM_DERIVATIVES = frozenset({"jax.custom_jvp", "jax.custom_vjp"})
_REGISTRATION_METHODS = frozenset({"defjvp", "defvjp", "defjvps"})
_HOOK_METHODS = frozenset(
    {"__init_subclass__", "__class_getitem__", "__set_name__", "__mro_entries__", "__prepare__"}
)
_ALLOWED_DUNDER_CONSTANTS = frozenset({"__all__", "__version__", "__author__"})


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (1-based line and column) and which."""

    line: int
    column: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message} [{self.rule}]"


@dataclass(frozen=True)
class LoadResult:
    """What :func:`load_definitions` made of a source.

    ``module`` holds only the kept statements (ready for ``compile``) and is
    ``None`` when there are violations.
    """

    module: ast.Module | None
    violations: tuple[Violation, ...] = ()
    imports: tuple[str, ...] = ()
    definitions: tuple[str, ...] = ()
    functions: Mapping[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)

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
) -> LoadResult:
    """Checks ``source`` against the definitions-only rules.

    Args:
        source: the text of main.py.
        allowed_imports: top-level module names that may be imported.
        designated: names a cell may call; they must be plain functions.
        filename: used in syntax-error messages only.

    Returns:
        The kept statements, or every violation (sorted by position).
    """
    if len(source) > MAX_SOURCE_BYTES or len(source.encode("utf-8", "replace")) > MAX_SOURCE_BYTES:
        return _rejected(
            Violation(1, 1, "too-large", f"main.py is larger than {MAX_SOURCE_BYTES} bytes")
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
            )
        )
    except ValueError as error:  # e.g. NUL bytes (3.11)
        return _rejected(Violation(1, 1, "syntax-error", f"syntax error: {error}"))
    except (RecursionError, MemoryError):
        return _rejected(
            Violation(1, 1, "too-deep", "main.py nests too deeply to be parsed safely")
        )
    too_deep = _find_too_deep(tree)
    if too_deep is not None:
        return _rejected(_Checker.violation_at(source, too_deep, "too-deep", _too_deep_message()))
    checker = _Checker(source, frozenset(allowed_imports) | {"__future__"}, frozenset(designated))
    return checker.run(tree)


def _too_deep_message() -> str:
    return f"nesting deeper than {MAX_AST_DEPTH} levels; flatten the expression"


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


def _describe(node: ast.AST) -> str:
    names = {
        ast.Expr: "an expression statement",
        ast.For: "a for loop",
        ast.AsyncFor: "an async for loop",
        ast.While: "a while loop",
        ast.If: "an if statement",
        ast.With: "a with statement",
        ast.AsyncWith: "an async with statement",
        ast.Try: "a try statement",
        ast.Delete: "a del statement",
        ast.AugAssign: "an augmented assignment",
        ast.Raise: "a raise statement",
        ast.Assert: "an assert statement",
        ast.Global: "a global statement",
        ast.Nonlocal: "a nonlocal statement",
        ast.Return: "a return statement",
        ast.Match: "a match statement",
    }
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        return "a call"
    return names.get(type(node), f"a {type(node).__name__} statement")


class _Checker:
    """One pass over one module; collects violations and the kept nodes."""

    def __init__(self, source: str, allowed: frozenset[str], designated: frozenset[str]) -> None:
        self._source = source
        self._lines = source.splitlines()
        self._allowed = allowed
        self._designated = designated
        self._violations: list[Violation] = []
        # Local name -> fully qualified dotted name, from imports.
        self._aliases: dict[str, str] = {}
        # Names the module itself binds (they shadow builtins and imports).
        self._defined: set[str] = set()
        # Top-level functions decorated with jax.custom_jvp / custom_vjp.
        self._custom_derivatives: set[str] = set()
        self._future_annotations = False
        self._imports: list[str] = []
        self._definitions: list[str] = []
        self._functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}

    @staticmethod
    def violation_at(source: str, node: ast.AST, rule: str, message: str) -> Violation:
        line = getattr(node, "lineno", 1) or 1
        offset = getattr(node, "col_offset", 0) or 0
        lines = source.splitlines()
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        column = len(text.encode("utf-8")[:offset].decode("utf-8", "ignore")) + 1
        return Violation(line, column, rule, message)

    def run(self, tree: ast.Module) -> LoadResult:
        kept: list[ast.stmt] = []
        for stmt in tree.body:
            if self._check_top_level(stmt):
                kept.append(stmt)
                self._check_everywhere(stmt)
        violations = sorted(set(self._violations), key=lambda v: (v.line, v.column, v.rule))
        if violations:
            return LoadResult(module=None, violations=tuple(violations[:MAX_VIOLATIONS]))
        module = ast.Module(body=kept, type_ignores=[])
        return LoadResult(
            module=module,
            imports=tuple(dict.fromkeys(self._imports)),
            definitions=tuple(dict.fromkeys(self._definitions)),
            functions=MappingProxyType(dict(self._functions)),
        )

    # -- reporting -----------------------------------------------------------

    def _report(self, node: ast.AST, rule: str, message: str) -> None:
        self._violations.append(self.violation_at(self._source, node, rule, message))

    # -- top level -----------------------------------------------------------

    def _check_top_level(self, stmt: ast.stmt) -> bool:
        """Checks one top-level statement; returns whether it is kept."""
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self._record_import(stmt)
            return True
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self._check_function(stmt, class_scope=None)
            self._bind(stmt.name, stmt)
            self._functions[stmt.name] = stmt
            self._definitions.append(stmt.name)
            if any(
                self._resolve_decorator_root(d) in _CUSTOM_DERIVATIVES for d in stmt.decorator_list
            ):
                self._custom_derivatives.add(stmt.name)
            if stmt.name in self._designated and isinstance(stmt, ast.AsyncFunctionDef):
                self._report(
                    stmt,
                    "designated-not-function",
                    f"designated function {stmt.name}() must not be async",
                )
            return True
        if isinstance(stmt, ast.ClassDef):
            self._check_class(stmt)
            self._bind(stmt.name, stmt)
            self._definitions.append(stmt.name)
            return True
        if isinstance(stmt, ast.Pass):
            return True
        if isinstance(stmt, ast.Expr):
            value = stmt.value
            if isinstance(value, ast.Constant) and isinstance(value.value, (str, type(...))):
                return True
            if self._is_registration(value):
                return True
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                self._check_constant_target(target)
            self._check_constant_value(stmt.value)
            return True
        if isinstance(stmt, ast.AnnAssign):
            self._check_constant_target(stmt.target)
            self._check_annotation(stmt.annotation)
            if stmt.value is not None:
                self._check_constant_value(stmt.value)
            return True
        if isinstance(stmt, ast.If) and _is_main_guard(stmt):
            if stmt.orelse:
                self._report(
                    stmt.orelse[0],
                    "top-level-statement",
                    'the else branch of `if __name__ == "__main__":` would run at load time',
                )
            return False
        if isinstance(stmt, ast.Global):
            self._report(stmt, "global-statement", "`global` is not allowed")
            return False
        self._report(
            stmt,
            "top-level-statement",
            f"{_describe(stmt)} is not allowed at the top level of main.py: only imports,"
            " definitions, literal constants and docstrings are; move it into main()",
        )
        return False

    def _bind(self, name: str, node: ast.AST) -> None:
        self._defined.add(name)
        self._aliases.pop(name, None)
        self._custom_derivatives.discard(name)
        if name in self._designated and not isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef)
        ):
            self._report(
                node,
                "designated-not-function",
                f"{name} is a designated function name; define it with `def {name}(...)`",
            )

    def _record_import(self, stmt: ast.Import | ast.ImportFrom) -> None:
        if isinstance(stmt, ast.Import):
            self._imports.extend(alias.name.split(".")[0] for alias in stmt.names)
        else:
            module = stmt.module or ""
            if stmt.level == 0 and module:
                self._imports.append(module.split(".")[0])
            if module == "__future__" and any(a.name == "annotations" for a in stmt.names):
                self._future_annotations = True
        for local, qualified in imported_names(stmt):
            self._aliases[local] = qualified
            self._defined.discard(local)

    def _check_constant_target(self, target: ast.expr) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._check_constant_target(element)
            return
        if not isinstance(target, ast.Name):
            self._report(
                target,
                "constant-not-literal",
                "top-level assignments may only bind plain names",
            )
            return
        if (
            target.id.startswith("__")
            and target.id.endswith("__")
            and target.id not in _ALLOWED_DUNDER_CONSTANTS
        ):
            self._report(target, "dunder-access", f"assigning {target.id} is not allowed")
            return
        self._bind(target.id, target)

    def _check_constant_value(self, value: ast.expr) -> None:
        try:
            evaluate_literal(value)
        except LiteralTooDeepError:
            self._report(value, "too-deep", _too_deep_message())
        except NotLiteralError as error:
            self._report(
                error.node,
                "constant-not-literal",
                f"top-level constants must be literals ({error}); compute values inside a"
                " function instead",
            )

    def _is_registration(self, call: ast.expr) -> bool:
        """``f.defvjp(fwd, bwd)`` for a custom_vjp/custom_jvp function ``f``."""
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id in self._custom_derivatives
            and call.func.attr in _REGISTRATION_METHODS
        ):
            return False
        arguments = [*call.args, *(k.value for k in call.keywords)]
        return all(
            (isinstance(a, ast.Name) and a.id in self._functions) or self._is_literal(a)
            for a in arguments
        ) and all(k.arg is not None for k in call.keywords)

    # -- definitions ---------------------------------------------------------

    def _check_function(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        class_scope: set[str] | None,
    ) -> None:
        for decorator in node.decorator_list:
            if not self._is_safe_decorator(decorator, class_scope):
                self._report(
                    decorator,
                    "decorator-not-allowed",
                    f"decorator {ast.unparse(decorator)!r} is not in the safe list (jax.jit,"
                    " jax.vmap, jax.grad, functools.partial of those, dataclasses,"
                    " staticmethod, ...)",
                )
        arguments = node.args
        for default in [*arguments.defaults, *(d for d in arguments.kw_defaults if d is not None)]:
            if not self._is_literal(default):
                self._report(
                    default,
                    "default-not-literal",
                    f"default {ast.unparse(default)!r} of {node.name}() is not a literal;"
                    " use None and compute it inside the function",
                )
        annotated = [
            *arguments.posonlyargs,
            *arguments.args,
            *arguments.kwonlyargs,
            *(a for a in (arguments.vararg, arguments.kwarg) if a is not None),
        ]
        for argument in annotated:
            if argument.annotation is not None:
                self._check_annotation(argument.annotation)
        if node.returns is not None:
            self._check_annotation(node.returns)

    def _check_class(self, node: ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            if not self._is_safe_decorator(decorator, None):
                self._report(
                    decorator,
                    "decorator-not-allowed",
                    f"decorator {ast.unparse(decorator)!r} is not in the safe list"
                    " (dataclasses.dataclass, flax.struct.dataclass, ...)",
                )
        for base in node.bases:
            if not self._is_type_expression(base):
                self._report(
                    base,
                    "base-not-allowed",
                    f"base {ast.unparse(base)!r} of class {node.name} must be a name",
                )
        for keyword in node.keywords:
            if (
                keyword.arg is None
                or keyword.arg == "metaclass"
                or not self._is_literal(keyword.value)
            ):
                self._report(
                    keyword.value,
                    "class-keyword-not-allowed",
                    f"class keyword {keyword.arg or '**'} of {node.name} is not allowed",
                )
        members: set[str] = set()
        for stmt in node.body:
            self._check_class_statement(node, stmt, members)

    def _check_class_statement(self, cls: ast.ClassDef, stmt: ast.stmt, members: set[str]) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if stmt.name in _HOOK_METHODS:
                self._report(
                    stmt,
                    "class-body-statement",
                    f"{stmt.name} runs at load time and is not allowed",
                )
            self._check_function(stmt, class_scope=members)
            members.add(stmt.name)
            return
        if isinstance(stmt, ast.ClassDef):
            self._check_class(stmt)
            members.add(stmt.name)
            return
        if isinstance(stmt, ast.Pass):
            return
        if (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, (str, type(...)))
        ):
            return
        if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
            if self._is_class_value(stmt.value):
                members.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
                return
            self._report(
                stmt.value,
                "class-body-statement",
                f"class attribute values of {cls.name} must be literals",
            )
            return
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            self._check_annotation(stmt.annotation)
            if stmt.value is not None and not self._is_class_value(stmt.value):
                self._report(
                    stmt.value,
                    "class-body-statement",
                    f"class attribute values of {cls.name} must be literals or"
                    " dataclasses.field(...) with literal arguments",
                )
            members.add(stmt.target.id)
            return
        self._report(
            stmt,
            "class-body-statement",
            f"{_describe(stmt)} is not allowed in the body of class {cls.name}: only methods,"
            " docstrings, literal attributes and annotations are",
        )

    def _is_class_value(self, value: ast.expr) -> bool:
        if self._is_literal(value):
            return True
        if not (isinstance(value, ast.Call) and self._resolve(value.func) in FIELD_FUNCTIONS):
            return False
        if value.args:
            return False
        for keyword in value.keywords:
            if keyword.arg is None:
                return False
            if keyword.arg == "default_factory":
                factory = keyword.value
                if not (
                    isinstance(factory, ast.Name)
                    and factory.id in _FIELD_FACTORIES
                    and factory.id not in self._defined
                ):
                    return False
            elif not self._is_literal(keyword.value):
                return False
        return True

    # -- expressions ---------------------------------------------------------

    def _is_literal(self, node: ast.expr) -> bool:
        try:
            evaluate_literal(node)
        except (NotLiteralError, LiteralTooDeepError):
            return False
        return True

    def _resolve(self, node: ast.expr) -> str | None:
        """The fully qualified dotted name ``node`` refers to, if it is one."""
        builtins = {
            name: f"builtins.{name}"
            for name in _BUILTIN_DECORATORS - self._defined - self._aliases.keys()
        }
        return qualified_name(node, {**builtins, **self._aliases})

    def _resolve_decorator_root(self, decorator: ast.expr) -> str | None:
        if isinstance(decorator, ast.Call):
            name = self._resolve(decorator.func)
            if name == "functools.partial" and decorator.args:
                return self._resolve(decorator.args[0])
            return name
        return self._resolve(decorator)

    def _is_safe_decorator(self, decorator: ast.expr, class_scope: set[str] | None) -> bool:
        name = self._resolve(decorator)
        if name in SAFE_DECORATORS:
            return True
        if (
            isinstance(decorator, ast.Attribute)
            and isinstance(decorator.value, ast.Name)
            and (
                (
                    class_scope is not None
                    and decorator.value.id in class_scope
                    and decorator.attr in {"setter", "getter", "deleter"}
                )
                or (
                    decorator.value.id in self._custom_derivatives
                    and decorator.attr in _REGISTRATION_METHODS
                )
            )
        ):
            return True
        if not isinstance(decorator, ast.Call):
            return False
        if any(k.arg is None or not self._is_literal(k.value) for k in decorator.keywords):
            return False
        callee = self._resolve(decorator.func)
        if callee in SAFE_DECORATORS:
            return all(self._is_literal(a) for a in decorator.args)
        if callee == "functools.partial" and decorator.args:
            first, *rest = decorator.args
            return self._resolve(first) in SAFE_DECORATORS and all(
                self._is_literal(a) for a in rest
            )
        return False

    def _is_type_expression(self, node: ast.expr, depth: int = 0) -> bool:
        if depth > 32:
            return False
        if isinstance(node, ast.Name):
            return True
        if isinstance(node, ast.Attribute):
            return self._is_type_expression(node.value, depth + 1)
        if isinstance(node, ast.Constant):
            return node.value is None or isinstance(node.value, (str, type(...)))
        if isinstance(node, ast.Subscript):
            return self._is_type_expression(node.value, depth + 1) and self._is_type_expression(
                node.slice, depth + 1
            )
        if isinstance(node, (ast.Tuple, ast.List)):
            return all(self._is_type_expression(e, depth + 1) for e in node.elts)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._is_type_expression(node.left, depth + 1) and self._is_type_expression(
                node.right, depth + 1
            )
        return False

    def _check_annotation(self, annotation: ast.expr) -> None:
        if self._future_annotations or self._is_type_expression(annotation):
            return
        self._report(
            annotation,
            "annotation-not-allowed",
            f"annotation {ast.unparse(annotation)!r} is not a plain type expression",
        )

    # -- anywhere ------------------------------------------------------------

    def _check_everywhere(self, stmt: ast.stmt) -> None:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self._check_module(node, alias.name)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    self._report(
                        node,
                        "relative-import",
                        "relative imports are not allowed; main.py is loaded on its own",
                    )
                    continue
                self._check_module(node, node.module or "")
                if any(alias.name == "*" for alias in node.names):
                    self._report(
                        node,
                        "star-import",
                        f"`from {node.module} import *` is not allowed; import names explicitly",
                    )
            elif isinstance(node, ast.Global):
                self._report(
                    node,
                    "global-statement",
                    "`global` is not allowed; pass state in arguments and return values",
                )
            elif isinstance(node, ast.Attribute) and node.attr in DENIED_ATTRIBUTES:
                self._report(node, "dunder-access", f"attribute {node.attr} is not allowed")
            elif isinstance(node, ast.Name) and node.id in DENIED_NAMES:
                rule = "dunder-access" if node.id.startswith("__") else "name-not-allowed"
                self._report(node, rule, f"{node.id} is not allowed")

    def _check_module(self, node: ast.AST, module: str) -> None:
        root = module.split(".")[0]
        if root not in self._allowed:
            allowed = ", ".join(sorted(self._allowed - {"__future__"}))
            self._report(
                node,
                "import-not-allowed",
                f"import of {module!r} is not allowed; allowed: {allowed}"
                " (add a package to requirements.txt to allow it)",
            )

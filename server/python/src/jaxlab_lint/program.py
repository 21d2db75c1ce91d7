"""What one module means to the checks: its names, its functions, and which
of them JAX traces (jitted ones and everything they call)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from jaxlab_harness.jax_names import dotted_parts, imported_names, qualified_name

JIT_FUNCTIONS = frozenset({"jax.jit", "jax.pmap"})
"""Functions whose argument becomes a compiled (traced) function."""


class Names:
    """What the names of a module mean, through its imports anywhere in the
    file (the harness's resolver, shared with the restricted loader); an
    unimported name means what it says. ``jnp`` means ``jax.numpy`` even
    unimported: code under review is often a snippet without its imports."""

    def __init__(self, tree: ast.Module) -> None:
        self._aliases = {"jnp": "jax.numpy"}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self._aliases.update(imported_names(node))

    def of(self, node: ast.AST) -> str:
        """The dotted name ``node`` refers to (``jax.numpy.sum``), or ''."""
        resolved = qualified_name(node, self._aliases)
        if resolved is not None:
            return resolved
        return ".".join(dotted_parts(node) or [])

    @staticmethod
    def as_written(node: ast.AST) -> str:
        """``node`` as the source spells it (``jnp.float64``), for messages."""
        return ast.unparse(node)

    def module_of(self, node: ast.AST) -> str:
        """The module part of :meth:`of` (``jax.numpy`` for ``jnp.sum``)."""
        return self.of(node).rpartition(".")[0]

    def is_jit(self, node: ast.AST) -> bool:
        """Whether ``node`` names jax.jit or jax.pmap."""
        return self.of(node) in JIT_FUNCTIONS


def static_args(call: ast.Call) -> tuple[set[str], set[int]]:
    """static_argnames / static_argnums given as literals in a jit call."""
    names: set[str] = set()
    nums: set[int] = set()
    for kw in call.keywords:
        try:
            value = ast.literal_eval(kw.value)
        except (ValueError, SyntaxError, TypeError, RecursionError):
            continue
        values = value if isinstance(value, (tuple, list)) else [value]
        if kw.arg == "static_argnames":
            names |= {v for v in values if isinstance(v, str)}
        elif kw.arg == "static_argnums":
            nums |= {v for v in values if isinstance(v, int)}
    return names, nums


def names_in(node: ast.AST) -> set[str]:
    """Every Name id read in ``node``."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def item_assignments(node: ast.AST) -> Iterator[tuple[ast.Subscript, str]]:
    """The ``x[...] = v`` and ``x[...] += v`` targets of a statement, with ``x``."""
    if isinstance(node, (ast.Assign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in targets:
            if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
                yield t, t.value.id


class Program:
    """One parsed module and what is jitted or traced in it."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.names = Names(tree)
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions.setdefault(node.name, node)
        # name -> (static argnames, static argnums) of directly jitted functions
        self.jitted: dict[str, tuple[set[str], set[int]]] = {}
        # names bound to a jitted callable (g = jax.jit(f), @jit def g)
        self.jit_callables: set[str] = set()
        self._find_jitted()
        self.traced: set[str] = self._traced_closure()
        self._traced_node_ids: set[int] | None = None

    def jit_decorator(self, dec: ast.AST) -> tuple[bool, set[str], set[int]]:
        """Whether a decorator jits; with its static argnames/argnums."""
        if self.names.is_jit(dec):
            return True, set(), set()
        if isinstance(dec, ast.Call):
            if self.names.is_jit(dec.func):
                return (True, *static_args(dec))
            if (
                self.names.of(dec.func) == "functools.partial"
                and dec.args
                and self.names.is_jit(dec.args[0])
            ):
                return (True, *static_args(dec))
        return False, set(), set()

    def traced_params(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
        """Parameters of ``fn`` that hold tracers (not static, not self/cls)."""
        names, nums = self.jitted.get(fn.name, (set(), set()))
        positional = fn.args.posonlyargs + fn.args.args
        out = set()
        for a in positional + fn.args.kwonlyargs:
            idx = positional.index(a) if a in positional else -1
            if a.arg in names or idx in nums or a.arg in ("self", "cls"):
                continue
            out.add(a.arg)
        if fn.args.vararg:
            out.add(fn.args.vararg.arg)
        return out

    def is_in_traced(self, node: ast.AST) -> bool:
        """Whether ``node`` lies inside a traced function."""
        if self._traced_node_ids is None:
            self._traced_node_ids = {
                id(n)
                for fn in self.functions.values()
                if fn.name in self.traced
                for n in ast.walk(fn)
            }
        return id(node) in self._traced_node_ids

    def _find_jitted(self) -> None:
        for fn in self.functions.values():
            for dec in fn.decorator_list:
                ok, names, nums = self.jit_decorator(dec)
                if ok:
                    self.jitted[fn.name] = (names, nums)
                    self.jit_callables.add(fn.name)
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and self.names.is_jit(node.func) and node.args:
                target = node.args[0]
                if isinstance(target, ast.Name) and target.id in self.functions:
                    names, nums = static_args(node)
                    prev = self.jitted.get(target.id, (set(), set()))
                    self.jitted[target.id] = (prev[0] | names, prev[1] | nums)
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and self.names.is_jit(node.value.func)
            ):
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        self.jit_callables.add(t.id)

    def _traced_closure(self) -> set[str]:
        traced = set(self.jitted)
        todo = list(traced)
        while todo:
            fn = self.functions.get(todo.pop())
            if fn is None:
                continue
            for name in names_in(fn):
                if name in self.functions and name not in traced and name != fn.name:
                    traced.add(name)
                    todo.append(name)
        return traced

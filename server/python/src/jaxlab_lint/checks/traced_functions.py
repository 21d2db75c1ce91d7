"""Rules inside jitted and traced functions: Python loops, data-dependent
shapes, Python control flow on tracers, print, in-place updates, outer
state and numpy on tracers (JAX001, 005, 006, 008, 011, 013, 014)."""

from __future__ import annotations

import ast

from ..findings import Findings
from ..program import Program, item_assignments, names_in

DATA_DEPENDENT = frozenset({"nonzero", "argwhere", "flatnonzero", "unique"})
"""jax.numpy functions whose result shape depends on the data (without size=)."""

SHAPE_ATTRS = frozenset({"shape", "ndim", "dtype", "size"})
"""Attributes of a tracer that are static at trace time."""

_STATIC_TESTS = frozenset({"len", "isinstance", "callable", "hasattr", "type"})


def check_traced_functions(program: Program, findings: Findings) -> None:
    """Checks every jitted or traced function."""
    for fn in program.functions.values():
        if fn.name in program.traced:
            _check_traced_function(program, findings, fn)


def _check_traced_function(
    program: Program, findings: Findings, fn: ast.FunctionDef | ast.AsyncFunctionDef
) -> None:
    names = program.names
    tainted = set(program.traced_params(fn))
    # Names assigned from tainted expressions become tainted, in order.
    for node in ast.walk(fn):
        if (
            isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign))
            and node.value is not None
            and names_in(node.value) & tainted
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                tainted |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
    local_containers = _local_containers(program, fn)
    for node in ast.walk(fn):
        if node is not fn and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if (
            isinstance(node, ast.For)
            and isinstance(node.iter, ast.Call)
            and names.of(node.iter.func) == "range"
        ):
            findings.report(
                "JAX001",
                node,
                f"Python for-loop over range() inside jitted/traced function '{fn.name}' is unrolled at trace time.",
            )
        elif isinstance(node, (ast.If, ast.While, ast.IfExp)):
            hits = _traced_names_in_test(program, node.test, tainted)
            if hits:
                kind = "while" if isinstance(node, ast.While) else "if"
                findings.report(
                    "JAX006",
                    node,
                    f"Python '{kind}' on traced value(s) {', '.join(sorted(hits))} inside jitted/traced function '{fn.name}'.",
                )
        elif isinstance(node, ast.Call):
            _check_call(program, findings, fn, node, tainted)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            findings.report(
                "JAX013",
                node,
                f"'{'global' if isinstance(node, ast.Global) else 'nonlocal'} {', '.join(node.names)}' inside jitted/traced function '{fn.name}'.",
            )
        else:
            for target, name in item_assignments(node):
                is_key = isinstance(target.slice, ast.Constant) and isinstance(
                    target.slice.value, str
                )
                if name in tainted and name not in local_containers and not is_key:
                    findings.report(
                        "JAX011",
                        target,
                        f"In-place assignment to '{name}[...]' inside jitted/traced function '{fn.name}'.",
                    )


def _check_call(
    program: Program,
    findings: Findings,
    fn: ast.FunctionDef | ast.AsyncFunctionDef,
    node: ast.Call,
    tainted: set[str],
) -> None:
    names = program.names
    name = names.of(node.func)
    module, _, tail = name.rpartition(".")
    written = names.as_written(node.func)
    if name == "print":
        findings.report(
            "JAX008",
            node,
            f"print() inside jitted/traced function '{fn.name}' runs only at trace time.",
        )
    has_size = any(k.arg == "size" for k in node.keywords)
    if module == "jax.numpy" and tail in DATA_DEPENDENT and not has_size:
        findings.report(
            "JAX005",
            node,
            f"{written}() without size= inside jitted/traced function '{fn.name}' has a data-dependent shape.",
        )
    if module == "jax.numpy" and tail == "where" and len(node.args) == 1 and not has_size:
        findings.report(
            "JAX005",
            node,
            f"One-argument {written}() inside jitted/traced function '{fn.name}' has a data-dependent shape.",
        )
    if module == "numpy" and any(
        names_in(a) & tainted for a in [*node.args, *(k.value for k in node.keywords)]
    ):
        findings.report(
            "JAX014", node, f"numpy call {written}() on traced values inside '{fn.name}'."
        )
    if (
        isinstance(node.func, ast.Attribute)
        and node.func.attr in ("append", "extend", "update")
        and isinstance(node.func.value, ast.Name)
    ):
        owner = node.func.value.id
        if owner not in _local_names(fn) and any(names_in(a) & tainted for a in node.args):
            findings.report(
                "JAX013",
                node,
                f"'{owner}.{node.func.attr}(...)' inside jitted/traced function '{fn.name}' mutates outer state at trace time.",
            )


def _local_containers(program: Program, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names bound to a dict or list made inside ``fn`` (item assignment is fine)."""
    out: set[str] = set()
    for node in ast.walk(fn):
        if not isinstance(node, ast.Assign):
            continue
        if isinstance(node.value, (ast.Dict, ast.List, ast.DictComp, ast.ListComp)) or (
            isinstance(node.value, ast.Call)
            and program.names.of(node.value.func) in ("dict", "list")
        ):
            out |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return out


def _local_names(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    out = {a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs}
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
    return out


def _traced_names_in_test(program: Program, test: ast.AST, tainted: set[str]) -> set[str]:
    """Tainted names the test's truth value depends on (not shapes, None checks)."""
    safe: set[int] = set()
    for node in ast.walk(test):
        if isinstance(node, ast.Attribute) and node.attr in SHAPE_ATTRS:
            safe |= {id(n) for n in ast.walk(node.value)}
        elif (isinstance(node, ast.Call) and program.names.of(node.func) in _STATIC_TESTS) or (
            isinstance(node, ast.Compare)
            and all(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops)
        ):
            safe |= {id(n) for n in ast.walk(node)}
    return {
        n.id
        for n in ast.walk(test)
        if isinstance(n, ast.Name) and n.id in tainted and id(n) not in safe
    }

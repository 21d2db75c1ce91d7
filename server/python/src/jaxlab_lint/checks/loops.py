"""What runs in every iteration of a Python loop: host transfers that block
on the device (JAX007) and slices whose length follows the loop variable,
recompiling a jitted function each time (JAX004)."""

from __future__ import annotations

import ast

from ..findings import Findings
from ..program import Program, names_in

HOST_CALLS = frozenset({"float", "int"})
"""Builtins that copy a device scalar to the host."""

HOST_COPIES = frozenset({"numpy.asarray", "numpy.array", "jax.device_get"})
"""Calls that copy device arrays to the host."""

_HARMLESS_ARGUMENTS = frozenset({"len", "round", "str", "input"})

# Statements under these inside a loop (e.g. periodic logging under an
# `if`) are not checked.
_NOT_EVERY_ITERATION = (
    ast.If,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.For,
    ast.While,
)


def check_loops(program: Program, findings: Findings) -> None:
    """JAX004 and JAX007 over the statements of every for/while body."""
    for loop in ast.walk(program.tree):
        if not isinstance(loop, (ast.For, ast.While)):
            continue
        loop_vars = names_in(loop.target) if isinstance(loop, ast.For) else set()
        in_traced = program.is_in_traced(loop)
        for stmt in loop.body:
            if not isinstance(stmt, _NOT_EVERY_ITERATION):
                _check_statement(program, findings, stmt, loop_vars, in_traced)


def _check_statement(
    program: Program,
    findings: Findings,
    stmt: ast.stmt,
    loop_vars: set[str],
    in_traced: bool,
) -> None:
    for node in ast.walk(stmt):
        if not isinstance(node, ast.Call):
            continue
        if not in_traced:
            _check_host_transfer(program, findings, node, loop_vars)
        if isinstance(node.func, ast.Name) and node.func.id in program.jit_callables and loop_vars:
            _check_varying_slices(findings, node, loop_vars)


def _check_host_transfer(
    program: Program, findings: Findings, node: ast.Call, loop_vars: set[str]
) -> None:
    name = program.names.of(node.func)
    if isinstance(node.func, ast.Attribute) and node.func.attr == "item" and not node.args:
        findings.report(
            "JAX007", node, ".item() in a loop copies to the host and blocks every iteration."
        )
    elif name in HOST_CALLS and len(node.args) == 1:
        arg = node.args[0]
        simple = isinstance(arg, ast.Constant) or (
            isinstance(arg, ast.Name) and arg.id in loop_vars
        )
        harmless = isinstance(arg, ast.Call) and program.names.of(arg.func) in _HARMLESS_ARGUMENTS
        if not simple and not harmless:
            findings.report(
                "JAX007",
                node,
                f"{name}() of a device value in a loop blocks on the device every iteration.",
            )
    elif name in HOST_COPIES:
        findings.report(
            "JAX007",
            node,
            f"{program.names.as_written(node.func)}() in a loop copies device arrays to the host every iteration.",
        )


def _check_varying_slices(findings: Findings, node: ast.Call, loop_vars: set[str]) -> None:
    assert isinstance(node.func, ast.Name)
    for arg in node.args:
        for sub in ast.walk(arg):
            if not isinstance(sub, ast.Subscript):
                continue
            slices = list(sub.slice.elts) if isinstance(sub.slice, ast.Tuple) else [sub.slice]
            for s in slices:
                if isinstance(s, ast.Slice) and any(
                    part is not None and names_in(part) & loop_vars for part in (s.lower, s.upper)
                ):
                    findings.report(
                        "JAX004",
                        sub,
                        f"Slice whose length follows the loop variable is passed to jitted '{node.func.id}': a new shape, and a recompilation, per iteration.",
                    )

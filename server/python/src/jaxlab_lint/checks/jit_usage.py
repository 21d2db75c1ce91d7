"""How jit is applied: a fresh function jitted again and again (JAX003), a
gradient step run in a loop without jit (JAX002)."""

from __future__ import annotations

import ast

from ..findings import Findings
from ..program import Program

GRADIENT_FUNCTIONS = frozenset({"jax.grad", "jax.value_and_grad", "grad", "value_and_grad"})
"""Calls that make a function a training step (bare names count: snippets)."""


def check_jit_fresh(program: Program, findings: Findings) -> None:
    """JAX003: jit inside a loop, of a lambda or of an inner function in a body."""

    def visit(node: ast.AST, fn: ast.AST | None, in_loop: bool, inner: set[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if fn is not None:
                    inner.add(child.name)
                visit(child, child, False, set())
                continue
            if isinstance(child, ast.Call) and program.names.is_jit(child.func) and child.args:
                target = child.args[0]
                if in_loop:
                    findings.report(
                        "JAX003",
                        child,
                        "jax.jit(...) inside a loop creates and compiles a new function every iteration.",
                    )
                elif fn is not None and isinstance(target, ast.Lambda):
                    findings.report(
                        "JAX003",
                        child,
                        "jax.jit(lambda ...) inside a function body recompiles on every call of that function.",
                    )
                elif fn is not None and isinstance(target, ast.Name) and target.id in inner:
                    findings.report(
                        "JAX003",
                        child,
                        f"jax.jit({target.id}) jits an inner function that is redefined on every call.",
                    )
            loop = in_loop or isinstance(
                child, (ast.For, ast.While, ast.AsyncFor, ast.comprehension)
            )
            visit(child, fn, loop, inner)

    visit(program.tree, None, False, set())


def check_train_step_not_jitted(program: Program, findings: Findings) -> None:
    """JAX002: a function computing gradients, called in a loop, never jitted."""
    grad_fns = {
        fn.name
        for fn in program.functions.values()
        if any(
            isinstance(node, ast.Call) and program.names.of(node.func) in GRADIENT_FUNCTIONS
            for node in ast.walk(fn)
        )
    }
    for name in grad_fns - program.traced:
        # Flag only steps that are actually called in a loop without jit.
        for loop in ast.walk(program.tree):
            if not isinstance(loop, (ast.For, ast.While)):
                continue
            for node in ast.walk(loop):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == name
                ):
                    findings.report(
                        "JAX002",
                        program.functions[name],
                        f"'{name}' computes gradients and is called in a loop at line {node.lineno} without jax.jit.",
                    )
                    break

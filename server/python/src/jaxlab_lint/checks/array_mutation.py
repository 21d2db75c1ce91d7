"""Item assignment to a JAX array outside jit, which raises (JAX011; inside
jit see traced_functions)."""

from __future__ import annotations

import ast

from ..findings import Findings
from ..program import Program, item_assignments


def check_mutation_outside_jit(program: Program, findings: Findings) -> None:
    """JAX011: ``x[i] = v`` where ``x`` came from jax.numpy or jax.random."""
    names = program.names
    for fn in program.functions.values():
        if fn.name in program.traced:
            continue
        arrays: set[str] = set()
        for node in ast.walk(fn):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and names.module_of(node.value.func) in ("jax.numpy", "jax.random")
            ):
                arrays |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(fn):
            for target, name in item_assignments(node):
                if name in arrays:
                    findings.report(
                        "JAX011",
                        target,
                        f"In-place assignment to JAX array '{name}[...]' raises TypeError.",
                    )

"""64-bit floats, which TPUs emulate slowly (JAX009)."""

from __future__ import annotations

import ast

from ..findings import Findings
from ..program import Program

_X64_STRINGS = ("jax_enable_x64", "float64", "f8")
_X64_TYPES = ("float64", "complex128")


def check_float64(program: Program, findings: Findings) -> None:
    """JAX009: enabling x64, or asking for float64/complex128 by name or string."""
    for node in ast.walk(program.tree):
        if isinstance(node, ast.Constant) and node.value in _X64_STRINGS:
            findings.report("JAX009", node, f"'{node.value}' enables or requests 64-bit floats.")
        elif isinstance(node, ast.Attribute) and node.attr in _X64_TYPES:
            findings.report(
                "JAX009",
                node,
                f"{program.names.as_written(node)} requests 64-bit precision.",
            )

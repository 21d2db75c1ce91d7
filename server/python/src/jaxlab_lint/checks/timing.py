"""Timing JAX work without waiting for it (JAX010)."""

from __future__ import annotations

import ast

from ..findings import Findings
from ..program import Program

TIMERS = frozenset(
    f"time.{name}"
    for name in ("time", "perf_counter", "monotonic", "process_time", "perf_counter_ns", "time_ns")
)
"""Clocks a benchmark reads."""


def check_timing(program: Program, findings: Findings) -> None:
    """JAX010: a function reads a clock twice around JAX work and never blocks."""
    names = program.names
    for fn in program.functions.values():
        timers: list[ast.Call] = []
        blocks = False
        jax_work = False
        for node in ast.walk(fn):
            if not isinstance(node, ast.Call):
                continue
            name = names.of(node.func)
            if name in TIMERS:
                timers.append(node)
            elif name.endswith("block_until_ready") or (
                isinstance(node.func, ast.Attribute) and node.func.attr == "block_until_ready"
            ):
                blocks = True
            elif (
                isinstance(node.func, ast.Name) and node.func.id in program.jit_callables
            ) or name.split(".")[0] == "jax":
                jax_work = True
        if len(timers) >= 2 and jax_work and not blocks:
            findings.report(
                "JAX010",
                timers[-1],
                f"'{fn.name}' times JAX work without block_until_ready().",
            )

"""PRNG keys used twice, or on every iteration without a split (JAX012)."""

from __future__ import annotations

import ast

from ..findings import Findings
from ..program import Program

NON_CONSUMING = frozenset({"PRNGKey", "key", "key_data", "wrap_key_data", "key_impl", "clone"})
"""jax.random functions that make or inspect a key rather than use it up."""


def check_key_reuse(program: Program, findings: Findings) -> None:
    """JAX012 in the module body and in every function body."""
    scopes: list[ast.Module | ast.FunctionDef | ast.AsyncFunctionDef] = [
        program.tree,
        *program.functions.values(),
    ]
    for scope in scopes:
        _scan(program, findings, scope.body, {}, in_loop_assigned=None)


def _scan(
    program: Program,
    findings: Findings,
    stmts: list[ast.stmt],
    used: dict[str, ast.Call],
    in_loop_assigned: set[str] | None,
) -> None:
    """Walks statements in order; ``used`` maps key name -> last consuming call."""
    for stmt in stmts:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(stmt, (ast.For, ast.While)):
            assigned = {
                n.id
                for n in ast.walk(stmt)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
            _scan(program, findings, stmt.body, used, assigned)
            continue
        if isinstance(stmt, ast.If):
            a, b = dict(used), dict(used)
            _scan(program, findings, stmt.body, a, in_loop_assigned)
            _scan(program, findings, stmt.orelse, b, in_loop_assigned)
            used.clear()
            used.update(a)
            used.update(b)
            continue
        if isinstance(stmt, (ast.With, ast.Try)):
            inner = list(stmt.body) + [s for h in getattr(stmt, "handlers", []) for s in h.body]
            _scan(program, findings, inner, used, in_loop_assigned)
            continue
        calls = sorted(
            (n for n in ast.walk(stmt) if isinstance(n, ast.Call)),
            key=lambda n: (n.lineno, n.col_offset),
        )
        for call in calls:
            module, _, fn = program.names.of(call.func).rpartition(".")
            if module != "jax.random" or fn in NON_CONSUMING or not call.args:
                continue
            key = call.args[0]
            if not isinstance(key, ast.Name):
                continue
            if key.id in used:
                findings.report(
                    "JAX012",
                    call,
                    f"PRNG key '{key.id}' was already used at line {used[key.id].lineno}; reusing it repeats the same random numbers.",
                )
            elif in_loop_assigned is not None and key.id not in in_loop_assigned:
                findings.report(
                    "JAX012",
                    call,
                    f"PRNG key '{key.id}' is used on every loop iteration without being split or replaced.",
                )
            used[key.id] = call
        for n in ast.walk(stmt):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                used.pop(n.id, None)

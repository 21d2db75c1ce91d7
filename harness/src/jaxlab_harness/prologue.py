"""The configuration prologue: settings a program makes for its libraries
before they start, recognised at load (pure) and applied by the kernel before
main.py's top level runs.

Recognised top-level statements (string literals, and literal values):

- ``os.environ["NAME"] = "value"``, ``os.environ.setdefault("NAME", "value")``,
  ``os.environ.update({"NAME": "value", ...})``;
- ``jax.config.update("jax_option", <literal>)``;
- ``matplotlib.use("Agg")``.

Applying them first matters for what a library reads once when it starts:
``XLA_FLAGS`` and ``XLA_PYTHON_CLIENT_*`` when JAX's backend starts, ``JAX_*``
when jax is imported, ``TF_CPP_*`` when the XLA runtime loads. Where JAX has
already started in the kernel, ``JAX_<OPTION>`` variables are applied through
``jax.config.update`` instead, and a variable that can no longer take effect is
reported on stderr with what to do.
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .literals import evaluate_literal, is_literal

READ_AT_BACKEND_START = ("XLA_", "TF_", "TPU_", "CUDA_", "NCCL_", "LIBTPU_")
"""Prefixes of variables the XLA runtime reads once, when JAX's backend starts."""


@dataclass(frozen=True)
class PrologueSetting:
    """One recognised setting: ``kind`` is ``env``, ``env-default``,
    ``jax-config`` or ``matplotlib``; ``line`` is 1-based."""

    kind: str
    name: str
    value: Any
    line: int


def prologue_settings(
    stmt: ast.stmt, resolve: Callable[[ast.expr], str | None]
) -> list[PrologueSetting]:
    """The settings ``stmt`` makes, or ``[]`` when it is no prologue statement.

    ``resolve`` maps an expression to the dotted name it refers to
    (``jax.config.update``), or None.
    """
    line = stmt.lineno
    if (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Subscript)
        and resolve(stmt.targets[0].value) == "os.environ"
    ):
        name, value = stmt.targets[0].slice, stmt.value
        if _is_str(name) and _is_str(value):
            return [PrologueSetting("env", name.value, value.value, line)]  # type: ignore[attr-defined]
        return []
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return []
    call = stmt.value
    callee = resolve(call.func)
    args = call.args
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in args):
        return []
    if callee == "os.environ.setdefault" and len(args) == 2 and all(map(_is_str, args)):
        return [PrologueSetting("env-default", args[0].value, args[1].value, line)]  # type: ignore[attr-defined]
    if callee == "os.environ.update" and len(args) == 1 and isinstance(args[0], ast.Dict):
        pairs = list(zip(args[0].keys, args[0].values, strict=True))
        if all(k is not None and _is_str(k) and _is_str(v) for k, v in pairs):
            return [PrologueSetting("env", k.value, v.value, line) for k, v in pairs]  # type: ignore[union-attr]
        return []
    if callee == "jax.config.update" and len(args) == 2 and not call.keywords:
        if _is_str(args[0]) and is_literal(args[1]):
            return [PrologueSetting("jax-config", args[0].value, evaluate_literal(args[1]), line)]  # type: ignore[attr-defined]
        return []
    literal_keywords = all(is_literal(k.value) for k in call.keywords)
    if callee == "matplotlib.use" and len(args) == 1 and _is_str(args[0]) and literal_keywords:
        return [PrologueSetting("matplotlib", "backend", args[0].value, line)]  # type: ignore[attr-defined]
    return []


def _is_str(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def apply_prologue(
    settings: list[PrologueSetting] | tuple[PrologueSetting, ...],
    warn: Callable[[str], None],
    environ: Mapping[str, str] | None = None,
) -> None:
    """Applies ``settings`` in order to this process, before main.py runs.

    ``warn`` receives a line for each setting that cannot take effect any
    more. Errors of the libraries (an unknown jax option) propagate.
    """
    env = os.environ if environ is None else environ
    jax_started = "jax" in sys.modules
    backend_started = jax_started and _backend_started()
    for setting in settings:
        if setting.kind in ("env", "env-default"):
            if setting.kind == "env-default" and setting.name in env:
                continue
            if env.get(setting.name) == setting.value:
                continue
            env[setting.name] = setting.value  # type: ignore[index]
            if jax_started and setting.name.startswith("JAX_"):
                _update_jax_from_env(setting, warn)
            elif backend_started and setting.name.startswith(READ_AT_BACKEND_START):
                warn(
                    f"main.py line {setting.line}: {setting.name} takes effect when JAX's backend"
                    " starts, which it already has in this kernel; restart the kernel to apply it"
                )
        elif setting.kind == "jax-config":
            import jax

            jax.config.update(setting.name, setting.value)
        elif setting.kind == "matplotlib":
            import matplotlib

            matplotlib.use(setting.value)


def _backend_started() -> bool:
    try:
        from jax._src import xla_bridge

        return bool(xla_bridge.backends_are_initialized())
    except Exception:  # a private API: assume the worst
        return True


def _update_jax_from_env(setting: PrologueSetting, warn: Callable[[str], None]) -> None:
    import jax

    option = setting.name.lower()
    holder = getattr(jax.config, "_value_holders", {}).get(option)
    if holder is None:
        warn(
            f"main.py line {setting.line}: {setting.name} is read when jax is imported, which it"
            " already was in this kernel; use jax.config.update(...) or restart the kernel"
        )
        return
    parse = getattr(holder, "_parser", None)
    value = parse(setting.value) if callable(parse) else setting.value
    jax.config.update(option, value)

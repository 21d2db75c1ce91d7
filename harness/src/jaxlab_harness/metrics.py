"""Metrics of one designated call.

Compile time comes from JAX's own compilation events (``jax.monitoring``):
tracing, lowering and backend compilation durations fired during the call,
plus persistent-cache retrievals. Execution time is the wall clock around the
call. Values come from ``Final <name>: <number>`` lines the code printed and
from the numbers of a dict the call returned (the returned value wins). The
document is validated against the shared ``metrics.schema.json`` before it is
published.
"""

from __future__ import annotations

import math
import re
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any

from .schemas import METRICS_SCHEMA, SchemaError, validate

MAX_VALUES = 256
"""Most values one metrics document carries (the schema's maxProperties)."""

MAX_ABS_VALUE = 1e300
"""Values beyond this magnitude are dropped (the schema's bounds)."""

COMPILE_DURATION_EVENTS = frozenset(
    {
        "/jax/core/compile/jaxpr_trace_duration",
        "/jax/core/compile/jaxpr_to_mlir_module_duration",
        "/jax/core/compile/backend_compile_duration",
        "/jax/compilation_cache/cache_retrieval_time_sec",
    }
)
"""Duration events (seconds) summed into ``compilationTimeMs``; verified
against jax 0.10.2, which fires the first three for every jit compilation."""

COMPILE_COUNT_EVENTS = frozenset(
    {
        "/jax/core/compile/backend_compile_duration",
        "/jax/compilation_cache/cache_retrieval_time_sec",
    }
)
"""Duration events each counting one compilation (or cache retrieval)."""

NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_ .\-/]{0,63}$")
"""What a value name must look like (the schema's propertyNames)."""

FINAL_LINE = re.compile(
    r"^Final (?P<name>[A-Za-z_][A-Za-z0-9_ .\-/]{0,63}?)\s*:\s*"
    r"(?P<value>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$"
)
"""One ``Final <name>: <number>`` line, anchored at the line's start."""

_MAX_LINE_CHARS = 4096

_listener_lock = threading.Lock()
_listener_registered = False
_active: MetricsRecorder | None = None


def _on_duration(event: str, duration_secs: float, **_kwargs: Any) -> None:
    recorder = _active
    if recorder is not None and event in COMPILE_DURATION_EVENTS:
        recorder.add_compile_event(event, duration_secs)


def register_compile_listener() -> bool:
    """Registers the process-wide JAX compile-event listener (once).

    Returns whether JAX is available.
    """
    global _listener_registered
    with _listener_lock:
        if _listener_registered:
            return True
        try:
            import jax.monitoring
        except Exception:
            return False
        jax.monitoring.register_event_duration_secs_listener(_on_duration)
        _listener_registered = True
        return True


def finite_number(value: Any) -> float | int | None:
    """``value`` as a finite JSON number within the schema's bounds, or None.

    Accepts Python numbers (not bools), NumPy scalars and 0-d arrays.
    """
    if isinstance(value, bool):
        return None
    if not isinstance(value, (int, float)):
        shape = getattr(value, "shape", None)
        if shape != () or not hasattr(value, "__float__"):
            return None
        try:
            value = float(value)
        except (TypeError, ValueError, OverflowError):
            return None
    if isinstance(value, int):
        if abs(value) > MAX_ABS_VALUE:
            return None
        return value if abs(value) < 2**53 else float(value)
    if not math.isfinite(value) or abs(value) > MAX_ABS_VALUE:
        return None
    return value


def values_from_result(result: Any) -> dict[str, float | int]:
    """Numbers of a returned dict, nested dicts flattened one level
    (``{"eval": {"loss": 1}}`` -> ``{"eval.loss": 1}``)."""
    values: dict[str, float | int] = {}
    if not isinstance(result, Mapping):
        return values
    for key, item in list(result.items())[: MAX_VALUES * 4]:
        if not isinstance(key, str):
            continue
        if isinstance(item, Mapping):
            for inner_key, inner in list(item.items())[:MAX_VALUES]:
                if isinstance(inner_key, str):
                    _put(values, f"{key}.{inner_key}", inner)
        else:
            _put(values, key, item)
    return values


def _put(values: dict[str, float | int], name: str, item: Any) -> None:
    number = finite_number(item)
    if number is not None and NAME_PATTERN.match(name) and len(values) < MAX_VALUES:
        values[name] = number


def device_info() -> dict[str, Any]:
    """The devices JAX sees; platform 'none' when JAX is unavailable."""
    jax = sys.modules.get("jax")
    if jax is None:
        try:
            import jax
        except Exception:
            return {"platform": "none", "count": 0}
    try:
        devices = jax.devices()
        kinds = sorted({str(d.device_kind)[:128] for d in devices})[:16]
        return {
            "platform": str(jax.default_backend())[:32],
            "count": min(len(devices), 65536),
            "kinds": kinds,
        }
    except Exception:
        return {"platform": "none", "count": 0}


class MetricsRecorder:
    """Collects the metrics of one call: ``start()``, ``feed()`` the output
    while it runs, ``finish(result)``. Only one recorder is active at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._compile_s = 0.0
        self._compile_count = 0
        # Set again by start(); an interrupt before it must not count from 0.
        self._started = time.perf_counter()
        self._elapsed_s: float | None = None
        self._printed: dict[str, float | int] = {}
        self._partial: dict[str, str] = {}

    def start(self) -> None:
        """Registers for compile events and starts the clock."""
        global _active
        register_compile_listener()
        _active = self
        self._started = time.perf_counter()

    def stop_clock(self) -> None:
        """Stops the clock and compile-event collection (idempotent)."""
        global _active
        if self._elapsed_s is None:
            self._elapsed_s = time.perf_counter() - self._started
        if _active is self:
            _active = None

    def add_compile_event(self, event: str, duration_secs: float) -> None:
        """Adds one JAX compile event (called from JAX's listener)."""
        if not (isinstance(duration_secs, (int, float)) and math.isfinite(duration_secs)):
            return
        with self._lock:
            self._compile_s += max(0.0, float(duration_secs))
            if event in COMPILE_COUNT_EVENTS:
                self._compile_count += 1

    def feed(self, stream: str, text: str) -> None:
        """Scans output text for ``Final <name>: <number>`` lines."""
        with self._lock:
            buffered = self._partial.get(stream, "") + text
            lines = buffered.split("\n")
            self._partial[stream] = lines.pop()[-_MAX_LINE_CHARS:]
            for line in lines:
                self._scan(line)

    def _scan(self, line: str) -> None:
        match = FINAL_LINE.match(line.rstrip("\r"))
        if match is None:
            return
        name = match.group("name").strip()
        try:
            number = finite_number(float(match.group("value")))
        except ValueError:
            return
        if number is None or not NAME_PATTERN.match(name):
            return
        if name in self._printed or len(self._printed) < MAX_VALUES:
            self._printed[name] = number

    def finish(self, result: Any = None) -> dict[str, Any]:
        """The validated metrics document of the call."""
        self.stop_clock()
        with self._lock:
            for stream in list(self._partial):
                self._scan(self._partial.pop(stream))
            values = dict(self._printed)
            compile_ms = self._compile_s * 1000.0
            compile_count = self._compile_count
        for name, number in values_from_result(result).items():
            if name in values or len(values) < MAX_VALUES:
                values[name] = number
        metrics: dict[str, Any] = {
            "compilationTimeMs": round(min(compile_ms, 1e12), 3),
            "compilationCount": min(compile_count, 1_000_000_000),
            "executionTimeMs": round(min((self._elapsed_s or 0.0) * 1000.0, 1e12), 3),
            "values": values,
            "device": device_info(),
        }
        try:
            validate(metrics, METRICS_SCHEMA)
        except SchemaError:
            metrics["values"] = {}
            validate(metrics, METRICS_SCHEMA)
        return metrics


def summarize(metrics: Mapping[str, Any]) -> str:
    """A one-line text/plain rendering of a metrics document."""
    device = metrics.get("device", {})
    text = (
        f"compile {metrics['compilationTimeMs']:.1f} ms"
        f" ({metrics.get('compilationCount', 0)} compilations),"
        f" run {metrics['executionTimeMs']:.1f} ms"
        f" on {device.get('platform', '?')} x{device.get('count', 0)}"
    )
    values = metrics.get("values", {})
    if values:
        shown = ", ".join(f"{k}={v:g}" for k, v in list(values.items())[:8])
        more = f" (+{len(values) - 8} more)" if len(values) > 8 else ""
        text += f"; {shown}{more}"
    return text

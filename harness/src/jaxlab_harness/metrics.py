"""Metrics of one designated call.

Compile time, compilations, the persistent cache's hits and what they saved,
and recompiled functions with JAX's reasons come from JAX's own reports
(:mod:`compile_events`). Execution time is the wall clock around the call;
peak memory is what the devices report (``memory_stats()``) and the kernel
process's high-water mark (the gateway replaces it with its sandbox's
cgroup peak where it has one). Values come from ``Final <name>: <number>`` lines the code printed and
from the numbers of a dict the call returned (the returned value wins). The
document is validated against the shared ``metrics.schema.json`` before it is
published.
"""

from __future__ import annotations

import math
import re
import resource
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any

from .compile_events import CompileLog
from .schemas import METRICS_SCHEMA, SchemaError, validate

MAX_VALUES = 256
"""Most values one metrics document carries (the schema's maxProperties)."""

MAX_ABS_VALUE = 1e300
"""Values beyond this magnitude are dropped (the schema's bounds)."""

NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_ .\-/]{0,63}$")
"""What a value name must look like (the schema's propertyNames)."""

FINAL_LINE = re.compile(
    r"^Final (?P<name>[A-Za-z_][A-Za-z0-9_ .\-/]{0,63}?)\s*:\s*"
    r"(?P<value>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$"
)
"""One ``Final <name>: <number>`` line, anchored at the line's start."""

_MAX_LINE_CHARS = 4096


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


def peak_memory() -> dict[str, int]:
    """The largest per-device peak of device memory in use (where the backend
    reports one: GPU and TPU, not the CPU) and the process's peak resident
    memory. Never initialises a backend the call did not use."""
    memory: dict[str, int] = {}
    try:
        usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        memory["peakHostBytes"] = int(usage) * 1024  # KiB on Linux
    except (OSError, ValueError):
        pass
    jax = sys.modules.get("jax")
    try:
        from jax._src import xla_bridge

        if jax is None or not xla_bridge.backends_are_initialized():
            return memory
        peaks = [
            int((d.memory_stats() or {}).get("peak_bytes_in_use", 0)) for d in jax.local_devices()
        ]
    except Exception:
        return memory
    if peaks and max(peaks) > 0:
        memory["peakDeviceBytes"] = max(peaks)
    return memory


class MetricsRecorder:
    """Collects the metrics of one call: ``start()``, ``feed()`` the output
    while it runs, ``finish(result)``. Only one recorder is active at a time."""

    def __init__(self, cache_dir: str | None = None) -> None:
        self._lock = threading.Lock()
        self._compiles = CompileLog(cache_dir)
        # Set again by start(); an interrupt before it must not count from 0.
        self._started = time.perf_counter()
        self._elapsed_s: float | None = None
        self._printed: dict[str, float | int] = {}
        self._partial: dict[str, str] = {}

    def start(self) -> None:
        """Starts receiving JAX's compile events and the clock."""
        self._compiles.start()
        self._started = time.perf_counter()

    def stop_clock(self) -> None:
        """Stops the clock and compile-event collection (idempotent)."""
        if self._elapsed_s is None:
            self._elapsed_s = time.perf_counter() - self._started
        self._compiles.stop()

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
        for name, number in values_from_result(result).items():
            if name in values or len(values) < MAX_VALUES:
                values[name] = number
        metrics: dict[str, Any] = {
            **self._compiles.metrics(),
            "executionTimeMs": round(min((self._elapsed_s or 0.0) * 1000.0, 1e12), 3),
            "memory": peak_memory(),
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

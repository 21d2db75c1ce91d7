"""What JAX compiled during one call, from JAX's own reports.

- ``jax.monitoring`` duration events: tracing, lowering and backend
  compilation of each function (``fun_name``), summed into the compile time;
  each backend compilation (or persistent-cache retrieval) counts once.
- ``jax.monitoring`` events ``cache_hits`` / ``cache_misses`` of the
  persistent compilation cache, each followed by the backend event of the
  function concerned. JAX stores compile times in whole seconds, so what a
  hit saved is reckoned from the function's own last measured compile time
  (kept beside the cache, in :data:`TIMES_FILE`), less the retrieval.
- JAX's cache-miss explanations (``jax_explain_cache_misses``): why a
  function was traced again, e.g. ``different input types: at x, now
  f32[32,128] and before f32[31,128]``. They are recorded, not printed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import re
import threading
from collections import Counter
from typing import Any

TRACE_EVENT = "/jax/core/compile/jaxpr_trace_duration"
LOWER_EVENT = "/jax/core/compile/jaxpr_to_mlir_module_duration"
BACKEND_EVENT = "/jax/core/compile/backend_compile_duration"
CACHE_HIT = "/jax/compilation_cache/cache_hits"
CACHE_MISS = "/jax/compilation_cache/cache_misses"
COMPILE_DURATION_EVENTS = frozenset({TRACE_EVENT, LOWER_EVENT, BACKEND_EVENT})
"""Summed into ``compilationTimeMs`` (a cache retrieval is inside the
backend event, so it is not added again); verified against jax 0.10.2."""

TIMES_FILE = "jaxlab-compile-times.json"
"""Beside the cache entries: each function's last measured compile seconds."""

MAX_REASONS = 8
MAX_FUNCTIONS = 32
_MAX_KNOWN_TIMES = 4096

# JAX's loggers that speak (at WARNING) once cache misses are explained.
_EXPLAINING_LOGGERS = (
    "jax._src.interpreters.partial_eval",
    "jax._src.compiler",
    "jax._src.compilation_cache",
)
# What JAX says at WARNING about its caches once misses are explained.
_QUIET = re.compile(
    r"^(TRACING CACHE MISS|PERSISTENT COMPILATION CACHE MISS"
    r"|Persistent compilation cache hit|Not writing persistent cache entry"
    r"|Writing .* to persistent compilation cache)"
)
_FUNCTION = re.compile(r"^\s*for (?P<name>\S+) defined at ", re.MULTILINE)
_CLOSEST = "For the closest previous key:"

_lock = threading.Lock()
_registered = False
_active: CompileLog | None = None


def function_name(fun_name: str) -> str:
    """``jit(train_step)`` -> ``train_step``."""
    match = re.fullmatch(r"(?:p?jit|pmap|xla_pmap)\((.*)\)", fun_name)
    return (match.group(1) if match else fun_name)[:128]


class CompileLog:
    """Compilations of one call: ``start()`` it, ``stop()`` it, ``metrics()``."""

    def __init__(self, cache_dir: str | None = None) -> None:
        self._lock = threading.Lock()
        self._cache_dir = cache_dir
        self._known: dict[str, float] = _read_times(cache_dir)
        self._measured: dict[str, float] = {}
        self._pending: str | None = None
        self.compile_s = 0.0
        self.count = 0
        self.per_function: Counter[str] = Counter()
        self.reasons: dict[str, list[str]] = {}
        self.hits = 0
        self.misses = 0
        self.saved_s = 0.0

    def start(self) -> None:
        """Makes this log receive JAX's events (one log at a time)."""
        global _active
        if _register():
            _active = self

    def stop(self) -> None:
        """Stops receiving events; keeps the measured compile times."""
        global _active
        if _active is self:
            _active = None
        if self._measured and self._cache_dir:
            _write_times(self._cache_dir, {**self._known, **self._measured})

    def on_event(self, event: str) -> None:
        if event in (CACHE_HIT, CACHE_MISS):
            with self._lock:
                self._pending = event

    def on_duration(self, event: str, seconds: float, fun_name: str = "") -> None:
        if event not in COMPILE_DURATION_EVENTS or not math.isfinite(seconds):
            return
        seconds = max(0.0, seconds)
        with self._lock:
            self.compile_s += seconds
            if event != BACKEND_EVENT:
                return
            self.count += 1
            name = function_name(fun_name) if fun_name else "?"
            self.per_function[name] += 1
            pending, self._pending = self._pending, None
            if pending == CACHE_HIT:
                self.hits += 1
                # The backend event of a hit is the retrieval itself.
                earlier = self._known.get(name)
                if earlier is not None:
                    self.saved_s += max(0.0, earlier - seconds)
            elif pending == CACHE_MISS:
                self.misses += 1
                if len(self._measured) < _MAX_KNOWN_TIMES:
                    self._measured[name] = seconds

    def on_explanation(self, text: str) -> None:
        """One of JAX's TRACING CACHE MISS explanations."""
        match = _FUNCTION.search(text)
        if match is None or _CLOSEST not in text:
            return  # a function seen for the first time: no reason needed
        name = match.group("name")[:128]
        lines = text.split(_CLOSEST, 1)[1].strip().splitlines()
        reason = " ".join(line.strip().lstrip("* ").strip() for line in lines if line.strip())
        with self._lock:
            found = self.reasons.setdefault(name, [])
            if reason and reason[:512] not in found and len(found) < MAX_REASONS:
                found.append(reason[:512])

    def metrics(self) -> dict[str, Any]:
        """This call's compile figures, in the metrics schema's fields."""
        with self._lock:
            out: dict[str, Any] = {
                "compilationTimeMs": round(min(self.compile_s * 1000.0, 1e12), 3),
                "compilationCount": min(self.count, 1_000_000_000),
            }
            if self.hits or self.misses:
                out["compileCache"] = {
                    "hits": self.hits,
                    "misses": self.misses,
                    "savedMs": round(min(self.saved_s * 1000.0, 1e12), 3),
                }
            repeated = [
                {"function": name, "count": count, "reasons": self.reasons.get(name, [])}
                for name, count in self.per_function.most_common()
                # JAX explains the misses of the program's own functions;
                # its internal ones (broadcast_in_dim, ...) stay unlisted.
                if count >= 2 and name in self.reasons
            ][:MAX_FUNCTIONS]
            if repeated:
                out["recompilations"] = repeated
        return out


class _ExplanationFilter(logging.Filter):
    """Hands JAX's cache-miss explanations to the active log instead of the
    user's stderr; lets everything else through."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        if not _QUIET.match(message):
            return True
        log = _active
        if log is not None and message.startswith("TRACING CACHE MISS"):
            log.on_explanation(message)
        return False


def _on_event(event: str, **_kwargs: Any) -> None:
    log = _active
    if log is not None:
        log.on_event(event)


def _on_duration(event: str, duration_secs: float, **kwargs: Any) -> None:
    log = _active
    if log is not None and isinstance(duration_secs, (int, float)):
        fun_name = kwargs.get("fun_name")
        log.on_duration(event, float(duration_secs), str(fun_name) if fun_name else "")


def _register() -> bool:
    """Registers the process-wide listeners once; False without JAX."""
    global _registered
    with _lock:
        if _registered:
            return True
        try:
            import jax
            import jax.monitoring
        except Exception:
            return False
        jax.monitoring.register_event_listener(_on_event)
        jax.monitoring.register_event_duration_secs_listener(_on_duration)
        jax.config.update("jax_explain_cache_misses", True)
        for name in _EXPLAINING_LOGGERS:
            logging.getLogger(name).addFilter(_ExplanationFilter())
        _registered = True
        return True


def _read_times(cache_dir: str | None) -> dict[str, float]:
    if not cache_dir:
        return {}
    try:
        with open(os.path.join(cache_dir, TIMES_FILE), encoding="utf-8") as handle:
            raw = json.load(handle)
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    return {
        str(k)[:128]: float(v)
        for k, v in list(raw.items())[:_MAX_KNOWN_TIMES]
        if isinstance(v, (int, float)) and math.isfinite(v) and v >= 0
    }


def _write_times(cache_dir: str, times: dict[str, float]) -> None:
    # A new file renamed into place: the old one may be a read-only link
    # into the owner's cache, which must not change in place.
    path = os.path.join(cache_dir, TIMES_FILE)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(dict(list(times.items())[-_MAX_KNOWN_TIMES:]), handle)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)

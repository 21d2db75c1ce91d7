"""Step metrics of a running call: the ``jaxlab.log()`` API behind the scenes.

``log(step=i, loss=loss)`` in the user's loop only appends a tuple to a
queue (well under the 5 µs a call the lab aims for). A JAX value is copied
to the host there on the CPU backend (cheaper than keeping the array alive)
and kept for later on an accelerator, so the loop never waits for the device
more than ``float()`` would. A flusher thread wakes every
``interval_s``, takes what is queued, copies the JAX values left to the host, drops (and counts) NaN and
infinite values, and publishes one StepMetrics document per batch (at most
``max_batch_points`` points each) through ``publish``. A loop that outruns
the flusher by ``max_pending`` calls drains the queue itself, so memory
stays bounded and nothing is dropped. Names that break the schema's rules,
values that are not numbers and names past the 64th are left out with one
warning each on stderr.
"""

from __future__ import annotations

import collections
import contextlib
import math
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

MAX_NAMES = 64
"""Most metric names one run may log (the schema's maxProperties)."""

MAX_POINTS_PER_MESSAGE_NAME = 10_000
"""Most points of one name in one message (the schema's maxItems)."""

MAX_STEP = 2**53 - 1
MAX_ABS_VALUE = 1e300

NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_ .\-/]{0,63}$")
"""What a metric name must look like (the schema's MetricName)."""

Publish = Callable[[dict[str, Any]], None]
"""Sends one StepMetrics document."""

_current: StepLogger | None = None


def log(step: Any = None, *, total_steps: Any = None, **metrics: Any) -> None:
    """Logs numbers of one step: ``log(step=i, loss=loss, accuracy=acc)``.

    ``step`` defaults to the number of earlier calls; ``total_steps`` (once is
    enough) lets the lab show progress, rate and ETA. Values may be Python
    numbers, NumPy scalars or 0-d JAX arrays (fetched from the device later,
    in batches: the call does not wait for them). Outside a lab run it does
    nothing.
    """
    logger = _current
    if logger is not None:
        logger.log(step, total_steps, metrics)


@contextlib.contextmanager
def active(logger: StepLogger) -> Iterator[StepLogger]:
    """Makes ``logger`` the one :func:`log` writes to while the block runs."""
    global _current
    previous, _current = _current, logger
    try:
        yield logger
    finally:
        _current = previous


class StepLogger:
    """Collects, batches and publishes one call's step metrics."""

    def __init__(
        self,
        publish: Publish,
        *,
        interval_s: float = 0.1,
        max_batch_points: int = 5_000,
        max_pending: int = 100_000,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self._publish = publish
        self._interval_s = interval_s
        self._max_batch_points = max_batch_points
        self._max_pending = max_pending
        self._warn = warn or (lambda text: print(text, file=sys.stderr))
        # (step, time_s, metrics, source) tuples; deque appends and pops are
        # atomic, so the hot path takes no lock.
        self._queue: collections.deque[tuple[Any, float, dict[str, Any], str]] = collections.deque()
        self._calls = 0
        self._copy_now: bool | None = None
        self._array_types: dict[type, bool] = {}
        self._numpy = sys.modules.get("numpy")
        self._total_steps: Any = None
        self._api_used = False
        self._names: set[str] = set()
        self._refused: set[str] = set()
        self._drain_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="jaxlab-step-metrics", daemon=True)
        self._thread.start()

    @property
    def api_used(self) -> bool:
        """Whether the program called ``jaxlab.log()`` (then output lines are not parsed)."""
        return self._api_used

    def log(self, step: Any, total_steps: Any, metrics: dict[str, Any]) -> None:
        """The hot path of :func:`log`."""
        self._api_used = True
        for value in metrics.values():
            if type(value) is not float and type(value) is not int:
                metrics = self._host_values(metrics)
                break
        self._enqueue(step, total_steps, metrics, "api")

    def _host_values(self, metrics: dict[str, Any]) -> dict[str, Any]:
        """On the CPU backend, JAX values copied to the host now.

        There a host copy costs under a microsecond, while keeping a JAX
        array alive until the flusher converts it doubles the cost of a small
        jitted step (its buffer cannot be reused). On an accelerator the
        arrays are kept and fetched later in the flusher thread, so the loop
        never waits for the device, where ``float()`` would at every step.
        """
        if self._copy_now is None:
            jax = sys.modules.get("jax")
            self._numpy = sys.modules.get("numpy")
            try:
                on_cpu = jax is not None and jax.default_backend() == "cpu"
            except Exception:
                on_cpu = False
            self._copy_now = on_cpu and self._numpy is not None
        if not self._copy_now:
            return metrics
        return {name: self._host_copy(value) for name, value in metrics.items()}

    def _host_copy(self, value: Any) -> Any:
        kind = type(value)
        is_array = self._array_types.get(kind)
        if is_array is None:
            # isinstance(x, jax.Array) costs microseconds: decide once a type.
            jax = sys.modules.get("jax")
            is_array = jax is not None and isinstance(value, jax.Array)
            self._array_types[kind] = is_array
        if not is_array or self._numpy is None:
            return value
        try:
            return self._numpy.asarray(value)
        except Exception:
            return value

    def log_parsed(self, step: int, total_steps: int | None, metrics: dict[str, float]) -> None:
        """Points parsed from a ``step N: loss X`` line of the output."""
        self._enqueue(step, total_steps, metrics, "lines")

    def _enqueue(self, step: Any, total_steps: Any, metrics: dict[str, Any], source: str) -> None:
        if step is None:
            step = self._calls
        self._calls += 1
        if total_steps is not None:
            self._total_steps = total_steps
        self._queue.append((step, time.time(), metrics, source))
        if len(self._queue) > self._max_pending:
            self.flush()

    def flush(self) -> None:
        """Publishes everything queued so far, in order."""
        with self._drain_lock:
            while self._queue:
                self._publish_batch()

    def close(self) -> None:
        """Stops the flusher and publishes what is left (idempotent)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(5.0)
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self.flush()
            except Exception as error:  # never let the flusher die silently
                self._warn(f"jaxlab.log: could not publish step metrics: {error}")

    def _publish_batch(self) -> None:
        entries = []
        while self._queue and len(entries) < self._max_batch_points:
            entries.append(self._queue.popleft())
        self._numpy = self._numpy or sys.modules.get("numpy")
        fetched = [self._host_copy(v) for _, _, metrics, _ in entries for v in metrics.values()]
        series: dict[str, dict[str, list[Any]]] = {}
        non_finite: dict[str, int] = {}
        position = 0
        for raw_step, time_s, metrics, _source in entries:
            step = self._step_of(raw_step)
            for name in metrics:
                value = fetched[position]
                position += 1
                if step is None:
                    continue
                number = _finite(value)
                if number is _NOT_A_NUMBER:
                    self._refuse(name, "its value is not a number", key=f"value:{name}")
                    continue
                if not self._accepts(name):
                    continue
                if number is None:
                    non_finite[name] = non_finite.get(name, 0) + 1
                    continue
                points = series.get(name)
                if points is None:
                    points = series[name] = {"steps": [], "values": [], "times": []}
                points["steps"].append(step)
                points["values"].append(number)
                points["times"].append(round(time_s * 1000.0, 3))
        # A batch mixing both (the program started calling log()) says api.
        source = "api" if any(e[3] == "api" for e in entries) else "lines"
        document: dict[str, Any] = {"series": series, "source": source}
        total = self._step_of(self._total_steps) if self._total_steps is not None else None
        if total:
            document["totalSteps"] = total
        if non_finite:
            document["nonFinite"] = non_finite
        if series or non_finite:
            for part in _split(document):
                self._publish(part)

    def _step_of(self, raw: Any) -> int | None:
        try:
            step = int(raw) if not isinstance(raw, bool) else None
        except (TypeError, ValueError, OverflowError):
            step = None
        if step is None or not 0 <= step <= MAX_STEP:
            self._refuse("step", f"step {raw!r} is not an integer >= 0", key="step")
            return None
        return step

    def _accepts(self, name: str) -> bool:
        if name in self._names:
            return True
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            self._refuse(name, "names are letters, digits, _ . - / and spaces, up to 64")
            return False
        if len(self._names) >= MAX_NAMES:
            self._refuse(name, f"a run may log at most {MAX_NAMES} names")
            return False
        self._names.add(name)
        return True

    def _refuse(self, name: Any, why: str, *, key: str | None = None) -> None:
        key = key or f"name:{name}"
        if key not in self._refused:
            self._refused.add(key)
            self._warn(f"jaxlab.log: {name!r} is not logged: {why}.")


_NOT_A_NUMBER = object()


def _finite(value: Any) -> Any:
    """``value`` as a finite float or int, None when NaN or infinite (or too
    large), ``_NOT_A_NUMBER`` when it is no number at all."""
    if isinstance(value, bool):
        return _NOT_A_NUMBER
    if isinstance(value, int):
        return value if abs(value) <= MAX_ABS_VALUE else None
    if not isinstance(value, float):
        if getattr(value, "shape", ()) != () or not hasattr(value, "__float__"):
            return _NOT_A_NUMBER
        try:
            value = float(value)
        except (TypeError, ValueError, OverflowError):
            return _NOT_A_NUMBER
    if not math.isfinite(value) or abs(value) > MAX_ABS_VALUE:
        return None
    return value


def _split(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """``document`` cut so no name has more than the schema's points per message."""
    series = document["series"]
    longest = max((len(p["steps"]) for p in series.values()), default=0)
    if longest <= MAX_POINTS_PER_MESSAGE_NAME:
        yield document
        return
    for start in range(0, longest, MAX_POINTS_PER_MESSAGE_NAME):
        end = start + MAX_POINTS_PER_MESSAGE_NAME
        part = dict(document)
        part["series"] = {
            name: {key: column[start:end] for key, column in points.items()}
            for name, points in series.items()
            if len(points["steps"]) > start
        }
        if start > 0:
            part.pop("nonFinite", None)
        yield part


def summary_text(document: dict[str, Any]) -> str:
    """A one-line text/plain rendering of a batch: ``step 500: loss=0.4488``."""
    parts = []
    step = None
    for name, points in list(document["series"].items())[:8]:
        if points["steps"]:
            step = points["steps"][-1] if step is None else max(step, points["steps"][-1])
            parts.append(f"{name}={points['values'][-1]:.6g}")
    total = document.get("totalSteps")
    head = f"step {step}" + (f"/{total}" if total else "") if step is not None else "step metrics"
    return f"{head}: {', '.join(parts)}" if parts else head

"""A designated call under ``jax.profiler``: the trace in Perfetto's format.

``jax.profiler.start_trace(..., create_perfetto_trace=True)`` writes, on
``stop_trace``, a ``perfetto_trace.json.gz`` (Chrome trace-event JSON,
which ui.perfetto.dev opens) beside its XPlane files. The harness copies that
one file to ``outputs/profile.trace.json.gz`` in the kernel's folder: the
gateway keeps it with the run's other outputs/ as one of its artifacts (the
same store, API and limits). A trace over :data:`MAX_TRACE_BYTES` is not
kept, and the call's stderr says so.
"""

from __future__ import annotations

import glob
import os
import shutil
import sys
import tempfile
from types import TracebackType

TRACE_FILE = os.path.join("outputs", "profile.trace.json.gz")
"""The kept trace, relative to the kernel's folder: one of the run's outputs."""

MAX_TRACE_BYTES = 64 * 1024 * 1024
"""Largest trace kept with a run: a longer one is mostly repetition, and
profiling fewer steps gives the same picture."""


class ProfileTrace:
    """Context manager: traces what runs inside it, keeps the trace."""

    def __init__(self, workdir: str, max_bytes: int = MAX_TRACE_BYTES) -> None:
        self._workdir = workdir
        self._max_bytes = max_bytes
        self._trace_dir: str | None = None
        self.kept: str | None = None

    def __enter__(self) -> ProfileTrace:
        import jax

        # A stale trace of an earlier call must never pass for this one.
        _remove(os.path.join(self._workdir, TRACE_FILE))
        self._trace_dir = tempfile.mkdtemp(prefix="jaxlab-profile-")
        jax.profiler.start_trace(
            self._trace_dir, create_perfetto_link=False, create_perfetto_trace=True
        )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        import jax

        assert self._trace_dir is not None
        try:
            jax.profiler.stop_trace()
            found = glob.glob(
                os.path.join(self._trace_dir, "**", "perfetto_trace.json.gz"), recursive=True
            )
            if not found:
                print("jaxlab: the profiler wrote no trace.", file=sys.stderr)
                return
            size = os.path.getsize(found[0])
            if size > self._max_bytes:
                print(
                    f"jaxlab: the profile trace ({size / 2**20:.1f} MiB) is larger than the"
                    f" {self._max_bytes / 2**20:.0f} MiB kept with a run and was not kept;"
                    " profile fewer steps.",
                    file=sys.stderr,
                )
                return
            target = os.path.join(self._workdir, TRACE_FILE)
            try:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                # Whatever the program left at that name (a link included)
                # goes: the trace is a file of its own.
                _remove(target)
                shutil.copyfile(found[0], target, follow_symlinks=False)
            except OSError as error:
                print(
                    f"jaxlab: the profile trace could not be written to {TRACE_FILE}: {error}",
                    file=sys.stderr,
                )
                return
            self.kept = target
            print(
                f"jaxlab: profile trace ({size / 2**20:.1f} MiB) written to {TRACE_FILE}:"
                " kept with the run's outputs; download it from the run panel and open"
                " it in ui.perfetto.dev."
            )
        finally:
            shutil.rmtree(self._trace_dir, ignore_errors=True)


def _remove(path: str) -> None:
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)

"""File-descriptor-level output capture.

XLA and C extensions write straight to file descriptors 1 and 2, past Python's
``sys.stdout``. While a designated call runs, :class:`FdCapture` points both
descriptors (and ``sys.stdout``/``sys.stderr``) at pipes; a reader thread per
pipe decodes UTF-8 incrementally (invalid bytes become U+FFFD, a multi-byte
character is never split) and hands text to ``publish(name, text)`` in real
time: when a newline arrives and the pipe is drained, when output without a
newline has waited ``flush_interval_s``, and in chunks of at most
``max_chunk_chars`` during a flood.

Nothing is dropped: a ``publish`` that blocks (the kernel's iopub is full)
blocks the reader, the pipe fills, and the program's writes wait. When the
call ends, the readers drain the pipes for as long as they make progress;
only output a leftover child process keeps writing after the call is given
up, and a note on the stream says so.
"""

from __future__ import annotations

import codecs
import contextlib
import ctypes
import fcntl
import io
import os
import select
import struct
import sys
import termios
import threading
import time
from collections.abc import Callable
from types import TracebackType

Publish = Callable[[str, str], None]
"""``publish(stream_name, text)`` with stream_name 'stdout' or 'stderr'."""

_STREAMS = ((1, "stdout"), (2, "stderr"))


def _flush_c_stdio() -> None:
    """Flushes C stdio buffers (``printf`` output sitting in libc's buffer)."""
    try:
        libc = ctypes.CDLL(None)
        libc.fflush(None)
    except (OSError, AttributeError):
        pass


class _PipeReader(threading.Thread):
    def __init__(
        self,
        fd: int,
        name: str,
        publish: Publish,
        flush_interval_s: float,
        max_chunk_chars: int,
    ) -> None:
        super().__init__(name=f"jaxlab-capture-{name}", daemon=True)
        self.stopping = threading.Event()
        self._fd = fd
        self._stream = name
        self._publish = publish
        self._interval_s = flush_interval_s
        self._max_chunk = max_chunk_chars
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending: list[str] = []
        self._pending_chars = 0
        self._first_at = 0.0
        self.last_progress = time.monotonic()
        """When the reader last read or published (monotonic seconds)."""

    def run(self) -> None:
        poller = select.poll()
        poller.register(self._fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        reads_after_stop = 0
        try:
            while True:
                if self._pending:
                    wait_s = max(0.0, self._first_at + self._interval_s - time.monotonic())
                else:
                    wait_s = 0.0 if self.stopping.is_set() else 0.1
                ready = poller.poll(wait_s * 1000)
                if not ready:
                    self._emit()
                    if self.stopping.is_set():
                        break
                    continue
                data = os.read(self._fd, 65536)
                self.last_progress = time.monotonic()
                if not data:
                    break
                if self.stopping.is_set():
                    reads_after_stop += 1
                    if reads_after_stop > 64:  # a child keeps writing: give up
                        self._add(self._decoder.decode(data))
                        break
                self._add(self._decoder.decode(data))
                if self._pending_chars >= self._max_chunk or (
                    self._pending and "\n" in self._pending[-1] and not poller.poll(0)
                ):
                    self._emit()
        except Exception:  # closed descriptor at teardown; never raise in a thread
            pass
        else:
            if self.stopping.is_set():  # left without EOF: a process holds the pipe
                self._note_abandoned()
        finally:
            self._add(self._decoder.decode(b"", final=True))
            self._emit()

    def _add(self, text: str) -> None:
        if not text:
            return
        if not self._pending:
            self._first_at = time.monotonic()
        self._pending.append(text)
        self._pending_chars += len(text)

    def _note_abandoned(self) -> None:
        waiting = _bytes_waiting(self._fd)
        self._add(
            f"\n[jaxlab] output on {self._stream} after the call returned was not captured:"
            f" a process the call started still holds it ({waiting} bytes waiting"
            " and whatever it writes later are lost).\n"
        )

    def _emit(self) -> None:
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        self._pending_chars = 0
        for start in range(0, len(text), self._max_chunk):
            # A failed publish must not kill the reader.
            with contextlib.suppress(Exception):
                self._publish(self._stream, text[start : start + self._max_chunk])
            self.last_progress = time.monotonic()


def _bytes_waiting(fd: int) -> int:
    """Bytes waiting to be read in pipe ``fd`` (0 when unknown)."""
    try:
        return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]
    except OSError:
        return 0


class FdCapture:
    """Context manager capturing fds 1 and 2 during a call.

    The kernel's own ZeroMQ sockets are untouched: only descriptors 1 and 2
    are redirected, and both are restored on exit.

    Example::

        with FdCapture(lambda name, text: print(name, text, file=log)):
            os.write(1, b"from C\\n")
    """

    def __init__(
        self,
        publish: Publish,
        *,
        flush_interval_s: float = 0.02,
        max_chunk_chars: int = 64 * 1024,
        drain_timeout_s: float = 2.0,
    ) -> None:
        self._publish = publish
        self._interval_s = flush_interval_s
        self._max_chunk = max_chunk_chars
        self._drain_timeout_s = drain_timeout_s
        self._saved_fds: list[tuple[int, int]] = []
        self._read_fds: list[int] = []
        self._readers: list[_PipeReader] = []
        self._saved_streams: tuple[object, object] | None = None

    def __enter__(self) -> FdCapture:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.flush()
        _flush_c_stdio()
        try:
            for fd, name in _STREAMS:
                read_fd, write_fd = os.pipe()
                self._read_fds.append(read_fd)
                saved = os.dup(fd)
                os.dup2(write_fd, fd)
                os.close(write_fd)
                self._saved_fds.append((fd, saved))
                reader = _PipeReader(
                    read_fd, name, self._publish, self._interval_s, self._max_chunk
                )
                self._readers.append(reader)
                reader.start()
            self._saved_streams = (sys.stdout, sys.stderr)
            sys.stdout = self._text_stream(1)
            sys.stderr = self._text_stream(2)
        except BaseException:
            self._restore()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._restore()

    @staticmethod
    def _text_stream(fd: int) -> io.TextIOWrapper:
        raw = io.FileIO(fd, "w", closefd=False)
        return io.TextIOWrapper(
            raw,
            encoding="utf-8",
            errors="backslashreplace",
            line_buffering=True,
            write_through=True,
        )

    def _restore(self) -> None:
        if self._saved_streams is not None:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            sys.stdout, sys.stderr = self._saved_streams  # type: ignore[assignment]
            self._saved_streams = None
        _flush_c_stdio()
        for fd, saved in self._saved_fds:
            os.dup2(saved, fd)
            os.close(saved)
        self._saved_fds.clear()
        for reader in self._readers:
            # EOF arrives once no process holds the pipe's write end. A
            # reader still publishing a backlog (the gateway reads slowly)
            # is waited for as long as it makes progress; one waiting on a
            # child that inherited the pipe is stopped.
            while reader.is_alive():
                reader.join(0.05)
                if time.monotonic() - reader.last_progress > self._drain_timeout_s:
                    reader.stopping.set()
                    reader.join(1.0)
                    break
        self._readers.clear()
        for read_fd in self._read_fds:
            with contextlib.suppress(OSError):
                os.close(read_fd)
        self._read_fds.clear()

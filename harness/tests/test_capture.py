"""FdCapture: fd-level output reaches publish() in real time, decoded safely."""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time

from jaxlab_harness.capture import FdCapture


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def __call__(self, name: str, text: str) -> None:
        with self._lock:
            self.messages.append((name, text))

    def text(self, name: str = "stdout") -> str:
        with self._lock:
            return "".join(t for n, t in self.messages if n == name)

    def wait_for(self, needle: str, name: str = "stdout", timeout_s: float = 1.0) -> float:
        start = time.monotonic()
        while time.monotonic() - start < timeout_s:
            if needle in self.text(name):
                return time.monotonic() - start
            time.sleep(0.005)
        raise AssertionError(f"{needle!r} did not arrive on {name}: {self.messages!r}")


def test_fd_capture_should_capture_raw_fd_writes_on_both_streams() -> None:
    sink = Sink()
    with FdCapture(sink):
        os.write(1, b"to fd one\n")
        os.write(2, b"to fd two\n")
    assert sink.text("stdout") == "to fd one\n"
    assert sink.text("stderr") == "to fd two\n"


def test_fd_capture_should_capture_c_stdio_printf_and_puts() -> None:
    libc = ctypes.CDLL(None)
    sink = Sink()
    with FdCapture(sink):
        libc.printf(b"printf %d\n", 42)
        libc.puts(b"from puts")
    assert sink.text() == "printf 42\nfrom puts\n"


def test_fd_capture_should_capture_python_print_and_sys_stderr() -> None:
    sink = Sink()
    with FdCapture(sink):
        print("hello, world")
        sys.stderr.write("warn\n")
    assert sink.text() == "hello, world\n"
    assert sink.text("stderr") == "warn\n"


def test_fd_capture_should_publish_lines_while_the_call_runs() -> None:
    sink = Sink()
    with FdCapture(sink):
        os.write(1, b"step 1\n")
        arrived_s = sink.wait_for("step 1")
        os.write(1, b"no newline yet")
        sink.wait_for("no newline yet", timeout_s=0.5)
    assert arrived_s < 0.5
    assert sink.text() == "step 1\nno newline yet"


def test_fd_capture_should_replace_invalid_utf8_and_keep_split_characters_whole() -> None:
    sink = Sink()
    euro = "€".encode()
    with FdCapture(sink, flush_interval_s=0.01):
        os.write(1, b"bad \xff\xfe bytes\n")
        os.write(1, euro[:1])
        time.sleep(0.05)  # longer than the flush interval: the decoder must hold the prefix
        os.write(1, euro[1:] + b"\n")
    assert sink.text() == "bad \ufffd\ufffd bytes\n€\n"


def test_fd_capture_should_chunk_a_flood_into_bounded_messages() -> None:
    sink = Sink()
    line = b"x" * 99 + b"\n"
    with FdCapture(sink, max_chunk_chars=4096):
        for _ in range(5000):
            os.write(1, line)
    sizes = [len(t) for _, t in sink.messages]
    assert max(sizes) <= 4096
    assert sink.text() == (line * 5000).decode()


def test_fd_capture_should_restore_the_descriptors_and_streams() -> None:
    before = [os.fstat(fd) for fd in (1, 2)]
    stdout, stderr = sys.stdout, sys.stderr
    with FdCapture(Sink()):
        assert os.fstat(1).st_ino != before[0].st_ino
    after = [os.fstat(fd) for fd in (1, 2)]
    assert [(s.st_dev, s.st_ino) for s in after] == [(s.st_dev, s.st_ino) for s in before]
    assert sys.stdout is stdout
    assert sys.stderr is stderr


def test_fd_capture_should_restore_after_an_exception() -> None:
    before = os.fstat(1).st_ino
    sink = Sink()
    try:
        with FdCapture(sink):
            os.write(1, b"before failing\n")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert os.fstat(1).st_ino == before
    assert sink.text() == "before failing\n"


def test_fd_capture_should_wait_for_a_slow_publish_to_drain_everything() -> None:
    # publish is slow (the kernel's iopub is full): the backlog left in the
    # pipe when the call returns takes longer than drain_timeout_s to go
    # out, but the reader makes progress, so it is waited for.
    sink = Sink()

    def slow(name: str, text: str) -> None:
        time.sleep(0.1)
        sink(name, text)

    data = b"".join(b"%05d %s\n" % (i, b"z" * 58) for i in range(1100))  # 70,400 bytes
    with FdCapture(slow, max_chunk_chars=4096, drain_timeout_s=0.3):
        os.write(1, data)
    assert sink.text() == data.decode()


def test_fd_capture_should_say_so_when_a_child_keeps_the_pipe_after_the_call() -> None:
    sink = Sink()
    with FdCapture(sink, drain_timeout_s=0.2):
        pid = os.fork()
        if pid == 0:  # the child outlives the call, holding fd 1
            os.write(1, b"child started\n")
            time.sleep(2)
            os._exit(0)
        sink.wait_for("child started")
    try:
        assert "child started\n" in sink.text()
        assert "[jaxlab] output on stdout after the call returned was not captured" in sink.text()
    finally:
        os.waitpid(pid, 0)

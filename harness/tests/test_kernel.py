"""The real kernel, started with ``python -I -m jaxlab_harness`` and driven
through jupyter_client: streamed output, metrics, edits, rejections,
interrupts and CallNotAllowed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jaxlab_harness import METRICS_MIME_TYPE
from jaxlab_harness.schemas import METRICS_SCHEMA, validate

from .conftest import start_kernel

MAIN = '''
"""A small JAX program."""
import os
import time
import jax
import jax.numpy as jnp

SCALE = 2.0


@jax.jit
def loss(w, x):
    return jnp.mean((x @ w) ** 2) * SCALE


def main(steps=3):
    """Trains for `steps` steps."""
    w = jnp.ones((4, 1))
    x = jnp.arange(8.0).reshape(2, 4)
    for step in range(steps):
        print(f"step {step}", flush=True)
    os.write(1, b"raw fd line\\n")
    os.write(2, b"warning on fd 2\\n")
    value = float(loss(w, x))
    print(f"Final loss: {value}")
    return {"loss": value, "steps": steps}


def train_step(steps=1, seed=0):
    print("sleeping", flush=True)
    time.sleep(steps)
    return seed


if __name__ == "__main__":
    main()
'''


@pytest.fixture
def kernel(workdir: Path) -> Iterator[tuple[Any, Any, Path]]:
    (workdir / "main.py").write_text(MAIN)
    manager, client = start_kernel(workdir, JAXLAB_EXTRA_IMPORTS="os")
    yield manager, client, workdir
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def execute(client: Any, code: str, timeout_s: float = 60) -> tuple[dict, list[dict]]:
    msg_id = client.execute(code)
    outputs = []
    deadline = time.monotonic() + timeout_s
    while True:
        msg = client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        if msg["msg_type"] not in ("status", "execute_input"):
            outputs.append(msg)
    return shell_reply(client, msg_id, 10)["content"], outputs


def shell_reply(client: Any, msg_id: str, timeout_s: float) -> dict:
    """The shell reply to ``msg_id``, skipping stale ones (a kernel_info
    reply that wait_for_ready left behind on a loaded machine)."""
    deadline = time.monotonic() + timeout_s
    while True:
        reply = client.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def interrupt_on(manager: Any, client: Any, msg_id: str, marker: str) -> tuple[dict, float]:
    """Interrupts the kernel once the call prints ``marker``; returns the
    call's shell reply and the seconds from the interrupt to it."""
    while True:
        msg = client.get_iopub_msg(timeout=60)
        if msg["msg_type"] == "stream" and marker in msg["content"]["text"]:
            break
    started = time.monotonic()
    manager.interrupt_kernel()
    reply = shell_reply(client, msg_id, 15)
    return reply, time.monotonic() - started


def stream_text(outputs: list[dict], name: str) -> str:
    return "".join(
        m["content"]["text"]
        for m in outputs
        if m["msg_type"] == "stream" and m["content"]["name"] == name
    )


def metrics_of(outputs: list[dict]) -> dict:
    found = [
        m["content"]["data"][METRICS_MIME_TYPE]
        for m in outputs
        if m["msg_type"] == "display_data" and METRICS_MIME_TYPE in m["content"]["data"]
    ]
    assert len(found) == 1
    return found[0]


def test_kernel_should_stream_output_and_publish_metrics_of_main(kernel) -> None:
    _, client, _ = kernel
    reply, outputs = execute(client, "main()")
    assert reply["status"] == "ok"
    stdout = stream_text(outputs, "stdout")
    assert stdout.index("step 0") < stdout.index("step 2") < stdout.index("raw fd line")
    assert stdout.index("raw fd line") < stdout.index("Final loss:")
    assert "warning on fd 2" in stream_text(outputs, "stderr")
    kinds = [m["msg_type"] for m in outputs]
    assert kinds.index("display_data") > max(i for i, k in enumerate(kinds) if k == "stream")
    metrics = metrics_of(outputs)
    validate(metrics, METRICS_SCHEMA)
    assert metrics["compilationTimeMs"] > 0
    assert metrics["compilationCount"] >= 1
    assert metrics["values"]["steps"] == 3
    assert metrics["values"]["loss"] == pytest.approx(float(stdout.split("Final loss: ")[1]))
    assert metrics["device"]["platform"] == "cpu"
    results = [m for m in outputs if m["msg_type"] == "execute_result"]
    assert "'steps': 3" in results[0]["content"]["data"]["text/plain"]


def test_kernel_should_pick_up_saved_edits_and_report_rejected_ones(kernel) -> None:
    _, client, workdir = kernel
    reply, _ = execute(client, "train_step(steps=0, seed=7)")
    assert reply["status"] == "ok"

    (workdir / "main.py").write_text("def main():\n    print('edited version')\n")
    reply, outputs = execute(client, "main()")
    assert reply["status"] == "ok"
    assert stream_text(outputs, "stdout") == "edited version\n"

    (workdir / "main.py").write_text(
        "import jax\n\nprint('side effect')\nfor i in range(2):\n    print(i)\ndef main():\n    pass\n"
    )
    reply, outputs = execute(client, "main()")
    assert reply["status"] == "error"
    assert reply["ename"] == "LoadRejected"
    assert "line 4, column 1" in reply["evalue"]
    assert "top-level-statement" in reply["evalue"]
    assert "Make it runnable" in reply["evalue"]
    assert reply["traceback"][1:4] == [
        '  File "main.py", line 4, column 1',
        "    for i in range(2):",
        "    ^^^^^^^^^^^^^^^^^^",
    ]
    assert [m["msg_type"] for m in outputs] == ["error"]
    assert "side effect" not in stream_text(outputs, "stdout")

    (workdir / "main.py").write_text("def main():\n    return 41 + 1\n")
    reply, outputs = execute(client, "main()")
    assert reply["status"] == "ok"
    assert any(
        m["msg_type"] == "execute_result" and m["content"]["data"]["text/plain"] == "42"
        for m in outputs
    )


def test_kernel_should_answer_call_not_allowed(kernel) -> None:
    _, client, _ = kernel
    for code in ("import os", "print('x')", "main(steps=len('abc'))", "main(); main()"):
        reply, outputs = execute(client, code)
        assert reply["status"] == "error"
        assert reply["ename"] == "CallNotAllowed"
        assert "main() and train_step()" in reply["evalue"]
        assert [m["msg_type"] for m in outputs] == ["error"]
    reply, outputs = execute(client, "   ")
    assert reply["status"] == "ok"
    assert outputs == []


def test_kernel_should_report_user_errors_with_their_traceback(kernel) -> None:
    _, client, workdir = kernel
    (workdir / "main.py").write_text(
        "def main():\n    print('Final loss: 1.5')\n    raise ValueError('bad shape')\n"
    )
    reply, outputs = execute(client, "main()")
    assert reply["status"] == "error"
    assert (reply["ename"], reply["evalue"]) == ("ValueError", "bad shape")
    assert "main.py" in "\n".join(reply["traceback"])
    assert "kernel.py" not in "\n".join(reply["traceback"])
    assert metrics_of(outputs)["values"] == {"loss": 1.5}
    assert outputs[-1]["msg_type"] == "error"


def test_kernel_should_stop_a_long_call_on_interrupt(kernel) -> None:
    manager, client, _ = kernel
    # stop_on_error=False: ipykernel would otherwise abort a request that
    # reaches it before it stops aborting after the error (a race under
    # load); this test is about the kernel living on after an interrupt.
    msg_id = client.execute("train_step(steps=30)", stop_on_error=False)
    # The first call runs main.py's top level (imports jax) before sleeping:
    # interrupt the sleep, not the import.
    reply, seconds = interrupt_on(manager, client, msg_id, "sleeping")
    assert seconds < 5
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    reply, _ = execute(client, "train_step(steps=0, seed=1)")
    assert reply["status"] == "ok"


FINALIZER_SLEEPS = """
import time


class Slow:
    def __del__(self):
        print("finalizing", flush=True)
        time.sleep(30)


def main():
    Slow()
    for _ in range(300):  # a training loop: short steps
        time.sleep(0.1)
"""


def test_kernel_should_stop_a_call_interrupted_inside_a_finalizer(workdir: Path) -> None:
    # Python drops a KeyboardInterrupt raised in __del__ or a gc callback
    # (JAX's _xla_gc_callback), printing "Exception ignored": a cancel would
    # only end the run when the gateway kills the kernel, after a traceback.
    (workdir / "main.py").write_text(FINALIZER_SLEEPS)
    manager, client = start_kernel(workdir)
    try:
        msg_id = client.execute("main()", stop_on_error=False)
        reply, seconds = interrupt_on(manager, client, msg_id, "finalizing")
        assert seconds < 10
        assert reply["content"]["ename"] == "KeyboardInterrupt"
        stderr = []
        while True:
            msg = client.get_iopub_msg(timeout=10)
            if msg["msg_type"] == "stream" and msg["content"]["name"] == "stderr":
                stderr.append(msg["content"]["text"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        assert "Exception ignored" not in "".join(stderr)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_kernel_should_complete_and_inspect_designated_functions(kernel) -> None:
    _, client, _ = kernel
    reply = shell_reply(client, client.complete("tra", 3), 10)["content"]
    assert reply["matches"] == ["train_step"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (0, 3)
    reply = shell_reply(client, client.inspect("main", 4), 30)["content"]
    assert reply["found"] is True
    assert reply["data"]["text/plain"].startswith("main(steps=3)")
    assert "Trains for" in reply["data"]["text/plain"]


def test_kernel_should_report_missing_functions_and_failing_definitions(kernel) -> None:
    _, client, workdir = kernel
    (workdir / "main.py").write_text("def helper():\n    pass\n")
    reply, _ = execute(client, "main()")
    assert (reply["status"], reply["ename"]) == ("error", "FunctionNotDefined")
    (workdir / "main.py").write_text(
        "import jax\n@jax.jit\ndef main(x: jax.DoesNotExist):\n    pass\n"
    )
    reply, _outputs = execute(client, "main()")
    assert (reply["status"], reply["ename"]) == ("error", "LoadError")
    assert "AttributeError" in reply["evalue"]
    (workdir / "main.py").unlink()
    reply, _ = execute(client, "train_step()")
    assert reply["ename"] == "FunctionNotDefined"


FLOOD = """
import os


def main(lines=20000, batch=10):
    for first in range(0, lines, batch):
        os.write(1, b"".join(b"%07d %s\\n" % (i, b"x" * 999) for i in range(first, first + batch)))
"""


def test_kernel_should_lose_no_line_when_its_reader_falls_behind(workdir: Path) -> None:
    # 20 MB in ~10,000 stream messages (of at most 2048 characters) while
    # the client does not read for 3 s: more than ZeroMQ's high-water marks
    # (1000 messages on each side) hold. The kernel must wait for the
    # reader instead of dropping.
    (workdir / "main.py").write_text(FLOOD)
    manager, client = start_kernel(
        workdir, "--JaxLabKernel.max_stream_chars=2048", JAXLAB_EXTRA_IMPORTS="os"
    )
    try:
        msg_id = client.execute("main()")
        time.sleep(3)
        received: list[str] = []
        deadline = time.monotonic() + 60
        while True:
            msg = client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                received.append(msg["content"]["text"])
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        lines = "".join(received).splitlines()
        numbers = [int(line[:7]) for line in lines]
        missing = sorted(set(range(20000)) - set(numbers))
        assert not missing, f"{len(missing)} lines lost, first {missing[:3]}"
        assert numbers == list(range(20000))
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)

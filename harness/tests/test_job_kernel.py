"""A job kernel: the call's designated function and a profile, asked by the job runner."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jaxlab_harness.profiling import TRACE_FILE

from .conftest import start_kernel

MAIN = """import jax
import jax.numpy as jnp


def train(steps=3):
    x = jnp.ones((64, 64))
    for _ in range(steps):
        x = jnp.tanh(x @ x)
    print("trained", float(x.sum()))
"""


def run(client: Any, code: str, jaxlab: dict | None) -> tuple[dict, list[dict]]:
    msg = client.session.msg(
        "execute_request",
        {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        },
        metadata={"jaxlab": jaxlab} if jaxlab is not None else {},
    )
    client.shell_channel.send(msg)
    msg_id = msg["header"]["msg_id"]
    outputs = []
    deadline = time.monotonic() + 90
    while True:
        got = client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if got["parent_header"].get("msg_id") != msg_id:
            continue
        if got["msg_type"] == "status" and got["content"]["execution_state"] == "idle":
            break
        outputs.append(got)
    while True:
        reply = client.get_shell_msg(timeout=10)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"], outputs


@pytest.fixture
def job_kernel(workdir: Path) -> Iterator[tuple[Any, Path]]:
    (workdir / "main.py").write_text(MAIN)
    manager, client = start_kernel(workdir, JAXLAB_JOB_KERNEL="1")
    yield client, workdir
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def test_a_job_kernel_calls_the_function_the_runner_names(job_kernel) -> None:
    client, _ = job_kernel
    reply, _ = run(client, "train(steps=2)", {"designated": ["train"]})
    assert reply["status"] == "ok"


def test_a_profiled_call_keeps_a_perfetto_trace_that_parses(job_kernel) -> None:
    client, workdir = job_kernel
    reply, _ = run(client, "train(steps=5)", {"designated": ["train"], "profile": True})
    assert reply["status"] == "ok", reply
    trace = json.loads(gzip.decompress((workdir / TRACE_FILE).read_bytes()))
    events = trace["traceEvents"]
    assert len(events) > 10
    assert any("tanh" in str(e.get("name", "")) or "dot" in str(e.get("name", "")) for e in events)


def test_an_interactive_kernel_ignores_what_a_client_asks_in_metadata(workdir: Path) -> None:
    (workdir / "main.py").write_text(MAIN)
    manager, client = start_kernel(workdir)
    try:
        reply, _ = run(client, "train()", {"designated": ["train"], "profile": True})
        assert reply["status"] == "error"
        assert reply["ename"] == "CallNotAllowed"
        assert not (workdir / TRACE_FILE).exists()
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)

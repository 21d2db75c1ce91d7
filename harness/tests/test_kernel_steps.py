"""Step metrics through the real kernel: jaxlab.log() and printed step lines
become StepMetrics display data that updates one display in place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jaxlab_harness import STEP_METRICS_MIME_TYPE
from jaxlab_harness.schemas import STEP_METRICS_SCHEMA, validate

from .conftest import start_kernel
from .test_kernel import execute

MAIN = """
import jax.numpy as jnp
from jaxlab import log


def main(steps=2000):
    for i in range(steps):
        log(step=i, loss=jnp.float32(1.0) / (i + 1), total_steps=steps)


def train_step(steps=3):
    for i in range(steps):
        print(f"step {i}: loss {1.0 / (i + 1):.4f}, acc {i / steps:.2f}")
    print("Final loss: 0.3333")
"""


@pytest.fixture
def client(workdir: Path) -> Iterator[Any]:
    (workdir / "main.py").write_text(MAIN)
    manager, client = start_kernel(workdir)
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def step_documents(outputs: list[dict]) -> list[dict]:
    found = []
    for msg in outputs:
        data = msg["content"].get("data", {})
        if STEP_METRICS_MIME_TYPE in data:
            validate(data[STEP_METRICS_MIME_TYPE], STEP_METRICS_SCHEMA)
            found.append(msg)
    return found


def test_log_should_publish_every_point_as_one_display_updated_in_place(client: Any) -> None:
    reply, outputs = execute(client, "main(steps=2000)")
    assert reply["status"] == "ok"
    messages = step_documents(outputs)
    assert messages[0]["msg_type"] == "display_data"
    assert {m["msg_type"] for m in messages[1:]} <= {"update_display_data"}
    display_ids = {m["content"]["transient"]["display_id"] for m in messages}
    assert len(display_ids) == 1
    steps = [
        s
        for m in messages
        for s in m["content"]["data"][STEP_METRICS_MIME_TYPE]["series"]["loss"]["steps"]
    ]
    assert steps == list(range(2000))
    last = messages[-1]["content"]["data"]
    assert last[STEP_METRICS_MIME_TYPE]["totalSteps"] == 2000
    assert last["text/plain"].startswith("step 1999/2000: loss=")
    # Every point is out before the call's metrics.
    kinds = [m["msg_type"] for m in outputs if m["msg_type"] != "stream"]
    assert kinds[-1] == "display_data"
    assert "vnd.jaxlab.metrics" in str(outputs[-1]["content"]["data"])


def test_printed_step_lines_should_become_series_when_the_api_is_not_used(client: Any) -> None:
    reply, outputs = execute(client, "train_step(steps=3)")
    assert reply["status"] == "ok"
    documents = [m["content"]["data"][STEP_METRICS_MIME_TYPE] for m in step_documents(outputs)]
    assert {d["source"] for d in documents} == {"lines"}
    loss = [v for d in documents for v in d["series"]["loss"]["values"]]
    acc = [s for d in documents for s in d["series"]["acc"]["steps"]]
    assert loss == [1.0, 0.5, 0.3333]
    assert acc == [0, 1, 2]

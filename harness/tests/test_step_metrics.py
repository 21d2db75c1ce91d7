"""jaxlab.log(): batching, conversion, bounds, and nothing lost."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import jaxlab
from jaxlab_harness.schemas import STEP_METRICS_SCHEMA, validate
from jaxlab_harness.step_metrics import MAX_NAMES, StepLogger, active, summary_text


class Published:
    """A publish() that checks every document against the shared schema."""

    def __init__(self) -> None:
        self.documents: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def __call__(self, document: dict[str, Any]) -> None:
        validate(document, STEP_METRICS_SCHEMA)
        with self.lock:
            self.documents.append(document)

    def points(self, name: str) -> list[tuple[int, float]]:
        out = []
        for document in self.documents:
            p = document["series"].get(name)
            if p:
                out.extend(zip(p["steps"], p["values"], strict=True))
        return out


def run(logger: StepLogger, body: Any) -> None:
    with active(logger):
        body()
    logger.close()


def test_log_should_lose_nothing_of_100000_calls_and_keep_their_order() -> None:
    published = Published()
    logger = StepLogger(published, interval_s=0.01)

    def loop() -> None:
        for i in range(100_000):
            jaxlab.log(step=i, loss=1.0 / (i + 1), accuracy=i % 7)

    run(logger, loop)
    loss = published.points("loss")
    assert [s for s, _ in loss] == list(range(100_000))
    assert loss[-1][1] == 1.0 / 100_000
    assert len(published.points("accuracy")) == 100_000
    # Batched: far fewer messages than calls, none over the schema's bound.
    assert 20 <= len(published.documents) < 1000


def test_log_should_drain_the_queue_itself_when_the_loop_outruns_the_flusher() -> None:
    published = Published()
    logger = StepLogger(published, interval_s=60, max_pending=1000)
    run(logger, lambda: [jaxlab.log(loss=float(i)) for i in range(5000)])
    assert [s for s, _ in published.points("loss")] == list(range(5000))


def test_log_should_accept_jax_arrays_and_count_non_finite_values() -> None:
    jnp = pytest.importorskip("jax.numpy")
    published = Published()
    logger = StepLogger(published, interval_s=60)

    def loop() -> None:
        for i in range(5):
            jaxlab.log(step=jnp.asarray(i), loss=jnp.float32(i) / 2, total_steps=jnp.asarray(10))
        jaxlab.log(step=5, loss=float("nan"))
        jaxlab.log(step=6, loss=jnp.inf)

    run(logger, loop)
    assert published.points("loss") == [(i, i / 2) for i in range(5)]
    assert published.documents[0]["totalSteps"] == 10
    assert sum(d.get("nonFinite", {}).get("loss", 0) for d in published.documents) == 2


def test_log_should_leave_out_bad_names_and_values_with_one_warning_each() -> None:
    published = Published()
    warnings: list[str] = []
    logger = StepLogger(published, interval_s=60, warn=warnings.append)

    def loop() -> None:
        for i in range(3):
            jaxlab.log(step=i, **{"ok": i, "bad name!": i, "vector": [1, 2], "$x": 1})
        jaxlab.log(step=-1, ok=1)
        for n in range(MAX_NAMES + 5):
            jaxlab.log(step=10, **{f"m{n}": n})

    run(logger, loop)
    assert published.points("ok") == [(0, 0), (1, 1), (2, 2)]
    names = {name for d in published.documents for name in d["series"]}
    assert len(names) == MAX_NAMES
    assert "bad name!" not in names
    assert "vector" not in names
    assert len([w for w in warnings if "'bad name!'" in w]) == 1
    assert len([w for w in warnings if "'vector'" in w]) == 1
    # "ok" holds one of the 64 slots: m63 .. m68 are left out.
    assert len([w for w in warnings if "at most 64 names" in w]) == 6
    assert any("step -1" in w for w in warnings)


def test_log_should_number_steps_by_call_when_none_is_given_and_do_nothing_outside_a_run() -> None:
    jaxlab.log(loss=1.0)  # no logger active: nothing happens
    published = Published()
    logger = StepLogger(published, interval_s=60)
    run(logger, lambda: [jaxlab.log(loss=v) for v in (3.0, 2.0, 1.0)])
    assert published.points("loss") == [(0, 3.0), (1, 2.0), (2, 1.0)]
    assert summary_text(published.documents[0]) == "step 2: loss=1"


def test_a_big_batch_should_be_cut_to_the_schemas_points_per_message() -> None:
    published = Published()
    logger = StepLogger(published, interval_s=60, max_batch_points=50_000, max_pending=10**9)
    run(logger, lambda: [jaxlab.log(step=i, loss=1.0) for i in range(25_000)])
    assert [len(d["series"]["loss"]["steps"]) for d in published.documents] == [
        10_000,
        10_000,
        5_000,
    ]

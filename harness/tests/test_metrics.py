"""MetricsRecorder: JAX compile events, Final lines, returned numbers, devices."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxlab_harness.metrics import (
    MetricsRecorder,
    finite_number,
    summarize,
    values_from_result,
)
from jaxlab_harness.schemas import METRICS_SCHEMA, validate


def test_metrics_recorder_should_measure_jax_compilations() -> None:
    @jax.jit
    def fresh(x):
        return jnp.tanh(x) @ x.T

    recorder = MetricsRecorder()
    recorder.start()
    fresh(jnp.ones((4, 4))).block_until_ready()
    metrics = recorder.finish()
    assert metrics["compilationTimeMs"] > 0
    assert metrics["compilationCount"] >= 1
    assert metrics["executionTimeMs"] >= metrics["compilationTimeMs"] * 0.5
    assert metrics["device"]["platform"] == jax.default_backend()
    assert metrics["device"]["count"] == jax.device_count()
    assert metrics["device"]["kinds"]
    validate(metrics, METRICS_SCHEMA)


def test_metrics_recorder_should_not_count_cached_calls() -> None:
    @jax.jit
    def twice(x):
        return x * 2

    twice(jnp.ones(3)).block_until_ready()
    recorder = MetricsRecorder()
    recorder.start()
    twice(jnp.ones(3)).block_until_ready()
    metrics = recorder.finish()
    assert metrics["compilationCount"] == 0
    assert metrics["compilationTimeMs"] == 0


def test_metrics_recorder_should_ignore_events_outside_its_call() -> None:
    recorder = MetricsRecorder()
    recorder.start()
    recorder.stop_clock()
    jax.jit(lambda x: x + 3)(jnp.ones(2)).block_until_ready()
    assert recorder.finish()["compilationCount"] == 0


def test_metrics_recorder_should_parse_final_lines_across_chunks() -> None:
    recorder = MetricsRecorder()
    recorder.start()
    recorder.feed("stdout", "epoch 1\nFinal loss: 0.0")
    recorder.feed("stdout", "61\nFinal test accuracy: 97.5\n")
    recorder.feed("stdout", "  Final indented: 1\nnot Final x: 2\nFinal bad: abc\n")
    recorder.feed("stdout", "Final huge: 1e400\nFinal neg: -3e-2\nFinal last: 7")
    values = recorder.finish()["values"]
    assert values == {"loss": 0.061, "test accuracy": 97.5, "neg": -0.03, "last": 7.0}


def test_metrics_recorder_should_let_a_returned_dict_win() -> None:
    recorder = MetricsRecorder()
    recorder.start()
    recorder.feed("stdout", "Final loss: 1.0\nFinal acc: 0.5\n")
    values = recorder.finish({"loss": 0.25, "eval": {"acc": np.float32(0.75)}})["values"]
    assert values == {"loss": 0.25, "acc": 0.5, "eval.acc": 0.75}


def test_values_from_result_should_keep_finite_numbers_only() -> None:
    result = {
        "a": 1,
        "b": 2.5,
        "nan": math.nan,
        "inf": -math.inf,
        "flag": True,
        "text": "x",
        "array": jnp.array(3.0),
        "vector": jnp.ones(3),
        "bad name!": 1,
        "nested": {"x": 1, "deeper": {"y": 2}},
        7: 1,
    }
    assert values_from_result(result) == {"a": 1, "b": 2.5, "array": 3.0, "nested.x": 1}
    assert values_from_result([1, 2]) == {}
    assert values_from_result(None) == {}


def test_values_from_result_should_cap_the_number_of_values() -> None:
    assert len(values_from_result({f"v{i}": i for i in range(1000)})) == 256


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        (1.5, 1.5),
        (math.nan, None),
        (math.inf, None),
        (True, None),
        (10**400, None),
        ("1", None),
        (np.int64(3), 3.0),
    ],
)
def test_finite_number_should_accept_only_finite_json_numbers(value, expected) -> None:
    assert finite_number(value) == expected


def test_summarize_should_render_a_short_line() -> None:
    text = summarize(
        {
            "compilationTimeMs": 12.5,
            "compilationCount": 2,
            "executionTimeMs": 100.0,
            "values": {"loss": 0.5},
            "device": {"platform": "cpu", "count": 1},
        }
    )
    assert text == "compile 12.5 ms (2 compilations), run 100.0 ms on cpu x1; loss=0.5"

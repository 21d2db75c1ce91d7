"""The `step N: loss X` fallback: what is a step line and what is not."""

from __future__ import annotations

import math

import pytest

from jaxlab_harness.step_lines import StepLineScanner, parse_step_line


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("step 500: loss 0.4488", (500, None, {"loss": 0.4488})),
        ("Step 500/3000 | loss: 0.45 | acc: 0.91", (500, 3000, {"loss": 0.45, "acc": 0.91})),
        ("[iter 20] loss=1.2e-3, lr=0.001", (20, None, {"loss": 0.0012, "lr": 0.001})),
        ("step=10 loss=0.5", (10, None, {"loss": 0.5})),
        (
            "Step: 10, train/loss: 0.5; eval.acc: 1",
            (10, None, {"train/loss": 0.5, "eval.acc": 1.0}),
        ),
        ("  iteration 7 - loss -1.5e+02", (7, None, {"loss": -150.0})),
    ],
)
def test_parse_step_line_should_read_a_step_and_named_numbers(line: str, parsed: tuple) -> None:
    assert parse_step_line(line) == parsed


@pytest.mark.parametrize(
    "line",
    [
        "Final accuracy: 1.0000",
        "compile + first call: 0.123 s",
        "device: cpu, 1024x1024 float32",
        "epoch 2 step 5 loss 1",
        "step 5 took 3.2 s",
        "step 5",
        "step 5: loss",
        "steps: 300",
        "step 1: loss 0.5 loss 0.4",
        "Installing requirements: stepper==1.0",
        "true w: [ 1.7 -0.3]",
    ],
)
def test_parse_step_line_should_refuse_what_is_not_unambiguous(line: str) -> None:
    assert parse_step_line(line) is None


def test_parse_step_line_should_read_nan_for_the_logger_to_count() -> None:
    step, _, values = parse_step_line("step 3: loss nan")  # type: ignore[misc]
    assert step == 3
    assert math.isnan(values["loss"])


def test_scanner_should_join_split_lines_per_stream_and_stop_once_the_api_is_used() -> None:
    seen: list[tuple] = []
    api_used = False
    scanner = StepLineScanner(lambda *p: seen.append(p), enabled=lambda: not api_used)
    scanner.feed("stdout", "step 1: lo")
    scanner.feed("stderr", "step 9: x 1\n")
    scanner.feed("stdout", "ss 0.5\nstep 2: loss 0.4\nstep 3")
    scanner.finish()
    assert seen == [(9, None, {"x": 1.0}), (1, None, {"loss": 0.5}), (2, None, {"loss": 0.4})]
    api_used = True
    scanner.feed("stdout", "step 4: loss 0.3\n")
    assert len(seen) == 3


def test_scanner_should_skip_an_overlong_line_in_pieces_and_read_the_next() -> None:
    seen: list[tuple] = []
    scanner = StepLineScanner(lambda *p: seen.append(p))
    scanner.feed("stdout", "x" * 70_000)
    scanner.feed("stdout", " step 5: loss 1\nstep 6: lo")
    scanner.feed("stdout", "ss 2\n")
    scanner.finish()
    assert seen == [(6, None, {"loss": 2.0})]

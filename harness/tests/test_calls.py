"""parse_call(): only a designated function with literal arguments."""

from __future__ import annotations

import pytest

from jaxlab_harness.calls import CallNotAllowed, CallRequest, allowed_calls_message, parse_call

DESIGNATED = ["main", "train_step"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("main()", CallRequest("main")),
        ("  main()  \n", CallRequest("main")),
        ("main();", CallRequest("main")),
        ("# run it\nmain()", CallRequest("main")),
        ("train_step(steps=100, seed=0)", CallRequest("train_step", (), {"steps": 100, "seed": 0})),
        (
            "train_step(3, -1.5, 'x', None, True)",
            CallRequest("train_step", (3, -1.5, "x", None, True)),
        ),
        (
            "main(shape=(8, 128), cfg={'a': [1, 2]}, lr=1e-3 * 2)",
            CallRequest("main", (), {"shape": (8, 128), "cfg": {"a": [1, 2]}, "lr": 2e-3}),
        ),
        ("main(\n    steps=1,\n)", CallRequest("main", (), {"steps": 1})),
    ],
)
def test_parse_call_should_accept_designated_literal_calls(
    cell: str, expected: CallRequest
) -> None:
    assert parse_call(cell, DESIGNATED) == expected


@pytest.mark.parametrize("cell", ["", "   ", "\n\n", "# just a comment", "  # c\n"])
def test_parse_call_should_treat_empty_cells_as_no_op(cell: str) -> None:
    assert parse_call(cell, DESIGNATED) is None


@pytest.mark.parametrize(
    "cell",
    [
        "import os",
        "print('hi')",
        "main",
        "x = main()",
        "main(); main()",
        "main()\ntrain_step()",
        "evaluate()",
        "os.system('id')",
        "main.__globals__",
        "main(steps=n)",
        "main(open('x'))",
        "main(*args)",
        "main(**{'a': 1})",
        "main(lambda: 1)",
        "main(x := 1)",
        "main()()",
        "main(",
        "def main(): pass",
        "main(" + "[" * 200 + "]" * 200 + ")",
        "main('" + "x" * 70_000 + "')",
        "__import__('os')",
        "obj.main()",
    ],
)
def test_parse_call_should_reject_anything_else(cell: str) -> None:
    with pytest.raises(CallNotAllowed) as raised:
        parse_call(cell, DESIGNATED)
    assert "main() and train_step()" in str(raised.value)


def test_allowed_calls_message_should_list_the_designated_names() -> None:
    assert allowed_calls_message(["main", "train_step"]) == (
        "Only main() and train_step() may be called, with literal arguments,"
        " e.g. main() or train_step(steps=100, seed=0)"
    )
    assert allowed_calls_message(["run"]).startswith("Only run() may be called")
    assert "a(), b() and c()" in allowed_calls_message(["a", "b", "c"])


def test_parse_call_should_use_the_configured_names() -> None:
    assert parse_call("run(1)", ["run"]) == CallRequest("run", (1,))
    with pytest.raises(CallNotAllowed):
        parse_call("main()", ["run"])

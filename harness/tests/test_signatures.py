"""Signatures of designated functions, read from the source without running it."""

from __future__ import annotations

import json
import subprocess
import sys

from jaxlab_harness.signatures import signatures

SOURCE = '''
import jax

def helper(x):
    return x

@jax.jit
def train_step(state, batch, /, lr: float = 1e-3, *, mode="fast"):
    return state

def main(steps: int = 1000, lr: float = -0.1, layers=[64, 64], cfg={"a": None},
         shape=(2, 3), key=jax.random.PRNGKey(0), name: str | None = None, *rest, **extra):
    """Train the model.

    More words here."""
    print(undefined_name_that_would_fail_if_run)
'''


def test_signatures_should_read_names_kinds_literal_defaults_and_annotations() -> None:
    answer = signatures(SOURCE, ["main", "train_step", "absent"])
    main, step, absent = answer["functions"]
    assert absent == {"name": "absent", "defined": False, "params": []}
    assert main["doc"] == "Train the model."
    assert main["line"] == 11
    by_name = {p["name"]: p for p in main["params"]}
    assert by_name["steps"] == {
        "name": "steps",
        "kind": "positional-or-keyword",
        "required": False,
        "default": {"text": "1000", "literal": 1000},
        "annotation": "int",
    }
    assert by_name["lr"]["default"] == {"text": "-0.1", "literal": -0.1}
    assert by_name["layers"]["default"]["literal"] == [64, 64]
    assert by_name["cfg"]["default"]["literal"] == {"a": None}
    assert by_name["shape"]["default"] == {"text": "(2, 3)"}  # a tuple: no JSON literal
    assert by_name["key"]["default"] == {"text": "jax.random.PRNGKey(0)"}
    assert by_name["name"]["annotation"] == "str | None"
    assert by_name["rest"]["kind"] == "var-positional"
    assert by_name["extra"]["kind"] == "var-keyword"
    assert [(p["name"], p["kind"], p["required"]) for p in step["params"]] == [
        ("state", "positional-only", True),
        ("batch", "positional-only", True),
        ("lr", "positional-or-keyword", False),
        ("mode", "keyword-only", False),
    ]


def test_signatures_should_report_a_syntax_error_with_its_line() -> None:
    answer = signatures("def main(:\n    pass\n", ["main"])
    assert answer["functions"] == []
    assert answer["syntaxError"]["line"] == 1


def test_the_signatures_command_should_answer_json_on_stdout() -> None:
    out = subprocess.run(
        [sys.executable, "-I", "-m", "jaxlab_harness", "signatures"],
        input=json.dumps({"code": "def main(x=1):\n    pass\n", "designated": ["main"]}),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out)["functions"][0]["params"][0]["default"] == {"text": "1", "literal": 1}

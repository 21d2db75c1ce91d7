"""load_definitions() beyond the construct tables (test_loader_accepts.py, test_loader_rejects.py)."""

from __future__ import annotations

import sys
import textwrap

import pytest

from jaxlab_harness.loader import MAX_SOURCE_BYTES, load_definitions


def test_load_definitions_should_drop_main_guard_and_keep_definitions() -> None:
    source = textwrap.dedent(
        '''
        """Doc."""
        import jax
        LR = 0.1
        def main():
            return LR
        if __name__ == "__main__":
            main()
        '''
    )
    result = load_definitions(source)
    assert result.ok
    assert result.module is not None
    kinds = [type(n).__name__ for n in result.module.body]
    assert kinds == ["Expr", "Import", "Assign", "FunctionDef"]
    assert result.definitions == ("main",)
    assert result.bound == {"jax", "LR", "main"}
    assert result.imports == ("jax",)
    assert set(result.functions) == {"main"}
    namespace: dict[str, object] = {}
    exec(compile(result.module, "main.py", "exec"), namespace)
    assert namespace["main"]() == 0.1  # type: ignore[operator]


def test_load_definitions_should_honour_extra_allowed_imports() -> None:
    assert not load_definitions("import tensor_tools").ok
    assert load_definitions("import tensor_tools", allowed_imports=["jax", "tensor_tools"]).ok


def test_load_definitions_should_accept_any_standard_library_module() -> None:
    source = "\n".join(f"import {name}" for name in sorted(sys.stdlib_module_names))
    result = load_definitions(source, allowed_imports=[])
    assert result.violations == ()


def test_load_definitions_should_honour_configured_designated_names() -> None:
    assert load_definitions("run = 1").ok
    result = load_definitions("run = 1", designated=["run"])
    assert [v.rule for v in result.violations] == ["designated-not-function"]


def test_load_definitions_should_reject_oversized_source() -> None:
    result = load_definitions("X = 1\n" * (MAX_SOURCE_BYTES // 6 + 10))
    assert [v.rule for v in result.violations] == ["too-large"]


@pytest.mark.parametrize(
    "source",
    [
        "X = " + "(" * 150 + "1" + ",)" * 150,
        "X = " + "[" * 500 + "]" * 500,
        "X = " + "-" * 100_000 + "1",
        "def main():\n    return " + "not " * 50_000 + "x",
        "def main():\n    return " + "a." * 200_000 + "b",
        "X = " + "+".join(["1"] * 200_000),
    ],
    ids=["parens", "lists", "unary", "not-chain", "attribute-chain", "long-sum"],
)
def test_load_definitions_should_survive_pathological_nesting(source: str) -> None:
    result = load_definitions(source)
    assert not result.ok
    assert result.violations[0].rule in {"too-deep", "syntax-error"}


def test_load_definitions_should_report_every_violation_sorted() -> None:
    result = load_definitions(
        "import tensor_tools\nfor i in []:\n    pass\nclass F:\n    pass\nX = F()\n"
    )
    assert [(v.line, v.rule) for v in result.violations] == [
        (1, "import-not-allowed"),
        (2, "top-level-statement"),
        (6, "user-code-at-load"),
    ]
    assert str(result.violations[0]).startswith("line 1, column 1: ")


def test_load_definitions_should_say_which_user_code_a_call_runs() -> None:
    result = load_definitions("class MLP:\n    pass\nmodel = MLP()\n")
    (violation,) = result.violations
    assert violation.message == "`MLP()` calls your class MLP while main.py loads"
    assert "Make it runnable" in violation.hint
    assert (violation.column, violation.end_column) == (9, 14)


def test_load_definitions_should_find_the_configuration_prologue() -> None:
    result = load_definitions(
        textwrap.dedent(
            """
            import os
            os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=8"
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            import jax
            from jax import config
            config.update("jax_enable_x64", True)
            import matplotlib
            matplotlib.use("Agg")
            os.environ["HOME"] = os.path.expanduser("~")
            """
        )
    )
    assert result.ok
    assert [(s.kind, s.name, s.value, s.line) for s in result.prologue] == [
        ("env", "XLA_FLAGS", "--xla_force_host_platform_device_count=8", 3),
        ("env-default", "TF_CPP_MIN_LOG_LEVEL", "2", 4),
        ("jax-config", "jax_enable_x64", True, 7),
        ("matplotlib", "backend", "Agg", 9),
    ]

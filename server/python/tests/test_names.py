"""The lint reads a program's names through the harness's resolver
(jaxlab_harness.jax_names), so however a JAX function is imported, the
rule about it fires."""

import textwrap

import pytest

from jaxlab_lint import lint


def rules_of(code: str) -> set[str]:
    return {f.rule for f in lint(textwrap.dedent(code))}


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        (
            "JAX008",
            """
            import jax as j
            @j.jit
            def f(x):
                print(x)
                return x
            """,
        ),
        (
            "JAX008",
            """
            from jax import jit as compile_
            @compile_
            def f(x):
                print(x)
                return x
            """,
        ),
        (
            "JAX005",
            """
            import jax
            from jax.numpy import nonzero
            @jax.jit
            def f(x):
                return nonzero(x)
            """,
        ),
        (
            "JAX007",
            """
            import jax.numpy as jnp
            from numpy import asarray
            def main():
                x = jnp.ones(3)
                for _ in range(10):
                    x = x + 1
                    print(asarray(x))
            """,
        ),
        (
            "JAX012",
            """
            from jax.random import PRNGKey, normal
            def main():
                key = PRNGKey(0)
                a = normal(key, (3,))
                b = normal(key, (3,))
                return a, b
            """,
        ),
        (
            "JAX010",
            """
            from time import perf_counter as clock
            import jax.numpy as numerics
            def bench():
                t0 = clock()
                numerics.ones(3).sum()
                return clock() - t0
            """,
        ),
    ],
)
def test_rule_fires_however_the_name_was_imported(rule, code):
    assert rule in rules_of(code)


def test_a_name_that_only_looks_like_jax_is_not_jax():
    code = """
    import numpy as jnp
    import jax
    @jax.jit
    def f(x):
        return jnp.nonzero(x)
    """
    assert "JAX005" not in rules_of(code)
    assert "JAX014" in rules_of(code)

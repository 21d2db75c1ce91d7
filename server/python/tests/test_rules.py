"""Table tests of the built-in JAX lint: each rule fires on a positive case
and stays quiet on the corrected code."""

import os
import textwrap
from pathlib import Path

import pytest

from jaxlab_lint import RULES, lint

HEAD = "import time\nimport numpy as np\nimport jax\nimport jax.numpy as jnp\nfrom jax import lax\n"

CASES = {
    "JAX000": ("def f(:\n    pass\n", "def f():\n    pass\n"),
    "JAX001": (
        """
        @jax.jit
        def f(x):
            for i in range(100):
                x = x * 2
            return x
        """,
        """
        @jax.jit
        def f(x):
            return lax.fori_loop(0, 100, lambda i, v: v * 2, x)
        """,
    ),
    "JAX002": (
        """
        def loss(p, x):
            return jnp.sum(p * x)
        def train_step(p, x):
            return p - 0.1 * jax.grad(loss)(p, x)
        def main():
            p = jnp.ones(3)
            for _ in range(10):
                p = train_step(p, p)
        """,
        """
        def loss(p, x):
            return jnp.sum(p * x)
        def train_step(p, x):
            return p - 0.1 * jax.grad(loss)(p, x)
        def main():
            p = jnp.ones(3)
            step = jax.jit(train_step)
            for _ in range(10):
                p = step(p, p)
        """,
    ),
    "JAX003": (
        """
        def apply(x):
            return jax.jit(lambda v: v * 2)(x)
        """,
        """
        def double(v):
            return v * 2
        fast_double = jax.jit(double)
        def apply(x):
            return fast_double(x)
        """,
    ),
    "JAX004": (
        """
        def f(x):
            return x.sum()
        g = jax.jit(f)
        def main(data):
            for i in range(1, 100):
                g(data[:i])
        """,
        """
        def f(x):
            return x.sum()
        g = jax.jit(f)
        def main(data):
            for i in range(1, 100):
                g(data[i])
        """,
    ),
    "JAX005": (
        """
        @jax.jit
        def f(x):
            return jnp.nonzero(x > 0)
        """,
        """
        @jax.jit
        def f(x):
            return jnp.nonzero(x > 0, size=8, fill_value=0)
        """,
    ),
    "JAX006": (
        """
        @jax.jit
        def f(x):
            if x.sum() > 0:
                return x
            return -x
        """,
        """
        @jax.jit
        def f(x):
            if x.ndim > 1:
                x = x.ravel()
            return jnp.where(x.sum() > 0, x, -x)
        """,
    ),
    "JAX007": (
        """
        def main(step, p):
            losses = []
            for i in range(100):
                p, loss = step(p)
                losses.append(loss.item())
        """,
        """
        def main(step, p):
            losses = []
            for i in range(100):
                p, loss = step(p)
                losses.append(loss)
                if i % 10 == 0:
                    print(float(loss))
        """,
    ),
    "JAX008": (
        """
        @jax.jit
        def f(x):
            print(x)
            return x
        """,
        """
        @jax.jit
        def f(x):
            jax.debug.print("x = {}", x)
            return x
        """,
    ),
    "JAX009": (
        """
        jax.config.update("jax_enable_x64", True)
        x = jnp.zeros(3, dtype=jnp.float64)
        """,
        """
        x = jnp.zeros(3, dtype=jnp.bfloat16)
        """,
    ),
    "JAX010": (
        """
        def bench(f, x):
            t0 = time.perf_counter()
            f(x)
            jnp.dot(x, x)
            return time.perf_counter() - t0
        """,
        """
        def bench(f, x):
            t0 = time.perf_counter()
            jnp.dot(x, x).block_until_ready()
            return time.perf_counter() - t0
        """,
    ),
    "JAX011": (
        """
        def main():
            x = jnp.zeros(5)
            x[0] = 1.0
        """,
        """
        def main():
            x = jnp.zeros(5)
            x = x.at[0].set(1.0)
        """,
    ),
    "JAX012": (
        """
        def main():
            key = jax.random.PRNGKey(0)
            a = jax.random.normal(key, (3,))
            b = jax.random.uniform(key, (3,))
        """,
        """
        def main():
            key = jax.random.PRNGKey(0)
            key, sub = jax.random.split(key)
            a = jax.random.normal(sub, (3,))
            b = jax.random.uniform(key, (3,))
        """,
    ),
    "JAX013": (
        """
        seen = []
        @jax.jit
        def f(x):
            seen.append(x)
            return x * 2
        """,
        """
        @jax.jit
        def f(x):
            out = []
            out.append(x)
            return out[0] * 2
        """,
    ),
    "JAX014": (
        """
        @jax.jit
        def f(x):
            return np.sin(x)
        """,
        """
        @jax.jit
        def f(x):
            return jnp.sin(x)
        """,
    ),
}


def rules_of(code: str) -> set[str]:
    source = code if code.startswith("def f(:") else HEAD + textwrap.dedent(code)
    return {f.rule for f in lint(source)}


def test_rule_table_covers_every_rule():
    assert set(CASES) == set(RULES)
    assert len([r for r in RULES if r != "JAX000"]) >= 12


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_fires_on_positive_case(rule):
    assert rule in rules_of(CASES[rule][0])


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_is_quiet_on_fixed_case(rule):
    assert rules_of(CASES[rule][1]) == set()


def test_finding_has_position_why_and_fix():
    findings = lint(HEAD + "@jax.jit\ndef f(x):\n    print(x)\n    return x\n")
    (f,) = findings
    assert (f.rule, f.line, f.column, f.severity) == (
        "JAX008",
        8,
        5,
        "warning",
    )
    assert f.why
    assert f.fix
    assert f.message


def test_key_reuse_in_loop_without_split():
    code = """
    def main():
        key = jax.random.PRNGKey(0)
        for _ in range(3):
            x = jax.random.normal(key, (2,))
    """
    assert "JAX012" in rules_of(code)


def test_traced_helpers_called_from_jit_are_checked():
    code = """
    def helper(x):
        if x > 0:
            return x
        return -x
    @jax.jit
    def f(x):
        return helper(x)
    """
    assert "JAX006" in rules_of(code)


def test_static_argnames_are_not_traced():
    code = """
    from functools import partial
    @partial(jax.jit, static_argnames=("mode",))
    def f(x, mode):
        if mode == "double":
            return x * 2
        return x
    """
    assert rules_of(code) == set()


SAMPLES = Path(__file__).resolve().parents[2] / "src" / "samples"


@pytest.mark.parametrize(
    "sample", sorted(p.name for p in SAMPLES.iterdir() if (p / "main.py").exists())
)
def test_sample_problems_are_clean(sample):
    assert lint((SAMPLES / sample / "main.py").read_text()) == []


def test_deeply_nested_code_does_not_crash():
    code = "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    out = lint(code)
    assert isinstance(out, list)
    assert os.environ is not None

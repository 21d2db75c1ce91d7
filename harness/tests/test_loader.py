"""Table tests of load_definitions(): every allowed and rejected construct."""

from __future__ import annotations

import sys
import textwrap

import pytest

from jaxlab_harness.loader import MAX_SOURCE_BYTES, RULES, load_definitions

ALLOWED = [
    ("plain-import", "import jax"),
    ("dotted-import-alias", "import jax.numpy as jnp"),
    ("from-import", "from jax import numpy as jnp, jit"),
    ("numpy", "import numpy as np"),
    ("stdlib-allowed", "import math, functools, itertools, dataclasses, typing, time, collections"),
    ("ecosystem", "import absl, chex, haiku, einops, optax, flax, scipy, matplotlib"),
    ("future", "from __future__ import annotations"),
    ("module-docstring", '"""A model."""'),
    ("string-expression-later", 'import jax\n"""notes"""'),
    ("ellipsis", "..."),
    ("pass", "pass"),
    ("int-constant", "STEPS = 100"),
    ("negative-float", "LR = -1e-3"),
    ("arithmetic", "BATCH = 2 ** 7 * 3"),
    ("tuple-constant", "SHAPE = (8, 128)"),
    (
        "nested-literals",
        "CFG = {'layers': [1, 2, 3], 'act': 'relu', 'scale': (1.0, -2.0), 'on': True}",
    ),
    ("set-literal", "TAGS = {'a', 'b'}"),
    ("none-bytes", "X = None\nB = b'xy'"),
    ("tuple-unpack", "A, B = 1, 2"),
    ("annotated-constant", "LR: float = 0.1"),
    ("annotation-only", "LR: float"),
    ("dunder-all", "__all__ = ['main']"),
    ("function", "def main():\n    return 1"),
    ("async-helper", "async def helper():\n    pass"),
    (
        "literal-defaults",
        "def main(steps=10, lr=-0.5, shape=(1, 2), name='x', flag=None, *, seed=0):\n    pass",
    ),
    (
        "annotations",
        "import jax\ndef f(x: jax.Array, n: int | None = None) -> dict[str, float]:\n    pass",
    ),
    (
        "future-annotations-any",
        "from __future__ import annotations\ndef f(x: g()) -> h():\n    pass",
    ),
    (
        "body-anything",
        "def main():\n    x = [i * i for i in range(10)]\n    print(x)\n    if x:\n        y = lambda z: z\n    return {'loss': 0.1}",
    ),
    ("jit", "import jax\n@jax.jit\ndef f(x):\n    return x"),
    ("jit-alias", "from jax import jit\n@jit\ndef f(x):\n    return x"),
    ("jit-module-alias", "import jax as j\n@j.jit\ndef f(x):\n    return x"),
    ("vmap-grad-stack", "import jax\n@jax.jit\n@jax.vmap\n@jax.grad\ndef f(x):\n    return x"),
    (
        "partial-jit",
        "import jax\nfrom functools import partial\n@partial(jax.jit, static_argnums=(1,))\ndef f(x, n):\n    return x",
    ),
    (
        "functools-partial",
        "import jax, functools\n@functools.partial(jax.jit, static_argnames=('n',))\ndef f(x, n):\n    return x",
    ),
    ("checkpoint", "import jax\n@jax.checkpoint\ndef f(x):\n    return x"),
    (
        "lru-cache-call",
        "import functools\n@functools.lru_cache(maxsize=None)\ndef f(x):\n    return x",
    ),
    (
        "custom-vjp-registration",
        "import jax\n@jax.custom_vjp\ndef f(x):\n    return x\ndef f_fwd(x):\n    return x, None\ndef f_bwd(r, g):\n    return (g,)\nf.defvjp(f_fwd, f_bwd)",
    ),
    (
        "custom-jvp-decorator",
        "import jax\n@jax.custom_jvp\ndef f(x):\n    return x\n@f.defjvp\ndef f_jvp(p, t):\n    return p[0], t[0]",
    ),
    (
        "dataclass",
        "from dataclasses import dataclass, field\n@dataclass(frozen=True)\nclass C:\n    '''Config.'''\n    lr: float = 0.1\n    layers: list = field(default_factory=list)\n    name = 'c'",
    ),
    (
        "flax-struct",
        "import flax\n@flax.struct.dataclass\nclass S:\n    x: int\n    y: int = flax.struct.field(pytree_node=False, default=1)",
    ),
    (
        "flax-module",
        "import flax.linen as nn\nclass M(nn.Module):\n    features: int = 8\n    @nn.compact\n    def __call__(self, x):\n        return nn.Dense(self.features)(x)",
    ),
    (
        "methods",
        "class C:\n    @staticmethod\n    def s():\n        pass\n    @classmethod\n    def c(cls):\n        pass\n    @property\n    def p(self):\n        return 1\n    @p.setter\n    def p(self, v):\n        pass",
    ),
    (
        "generic-base",
        "from typing import Generic, NamedTuple\nclass P(NamedTuple):\n    x: int\nclass G(Generic[int]):\n    pass",
    ),
    ("nested-class", "class A:\n    class B:\n        x = 1"),
    ("main-guard", "def main():\n    pass\nif __name__ == '__main__':\n    main()\n    import os"),
    ("main-guard-reversed", "if '__main__' == __name__:\n    print('hi')"),
    (
        "dunder-method-access",
        "class C:\n    def __init__(self):\n        self.x = self.__class__.__name__",
    ),
    ("typing-final", "import typing\n@typing.final\nclass C:\n    pass"),
    ("import-inside-function", "def main():\n    import jax.numpy as jnp\n    return jnp.ones(1)"),
    ("stdlib-any", "import os, sys, argparse, pathlib, timeit, subprocess\nfrom os import path"),
    ("library-call-constant", "import jax.numpy as jnp\nX = jnp.ones(3)"),
    ("optax-optimizer", "import optax\noptimizer = optax.adam(1e-3)"),
    ("prng-key", "import jax\nkey = jax.random.PRNGKey(0)\nkey, sub = jax.random.split(key)"),
    (
        "type-alias",
        "from typing import Any, Mapping\nimport numpy as np\nBatch = Mapping[str, np.ndarray]\nParams = Any",
    ),
    ("name-constant", "A = 1\nB = A * 2\nC = f'{A}-{B}'"),
    ("comprehension-constant", "SIZES = [2 ** i for i in range(4)]"),
    ("module-lambda", "import jax.numpy as jnp\nrelu6 = lambda x: jnp.minimum(x, 6.0)"),
    ("top-level-print", "import jax\nprint(jax.__version__)"),
    (
        "argparse-at-top",
        "import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument('--lr', type=float, default=0.1)\nargs = parser.parse_args()",
    ),
    (
        "jit-of-user-function",
        "import jax\ndef loss(w):\n    return w\ngrad_fn = jax.jit(jax.value_and_grad(loss))",
    ),
    (
        "partial-of-user-function",
        "import functools\ndef f(x, n):\n    return x\ng = functools.partial(f, n=2)",
    ),
    (
        "pytree-registration",
        "import jax\nclass P:\n    pass\ndef flat(p):\n    return (), None\ndef unflat(a, c):\n    return P()\njax.tree_util.register_pytree_node(P, flat, unflat)",
    ),
    ("register-static", "import jax\n@jax.tree_util.register_static\nclass Cfg:\n    pass"),
    (
        "haiku-transform-decorator",
        "import haiku as hk\n@hk.transform\ndef forward(x):\n    return hk.Linear(1)(x)",
    ),
    ("optax-schedule-lambda", "import optax\ntx = optax.adam(lambda step: 1e-3 * 0.9 ** step)"),
    ("default-constant", "N = 3\ndef main(n=N):\n    pass"),
    (
        "default-library",
        "import jax, jax.numpy as jnp\ndef f(x, dtype=jnp.float32, key=jax.random.PRNGKey(0)):\n    pass",
    ),
    (
        "default-user-function-as-value",
        "def act(x):\n    return x\ndef f(x, activation=act):\n    return activation(x)",
    ),
    (
        "class-attribute-library",
        "import flax.linen as nn\nHIDDEN = 32\nclass M(nn.Module):\n    features: int = HIDDEN\n    kernel_init = nn.initializers.lecun_normal()",
    ),
    (
        "decorator-nonliteral-arg",
        "import functools\nN = 3\n@functools.lru_cache(maxsize=N)\ndef f():\n    pass",
    ),
    (
        "field-lambda-factory",
        "import dataclasses\n@dataclasses.dataclass\nclass C:\n    xs: list = dataclasses.field(default_factory=lambda: [1])",
    ),
    ("library-metaclass", "import abc\nclass C(metaclass=abc.ABCMeta):\n    pass"),
    ("user-base-class", "class A:\n    pass\nclass B(A):\n    pass"),
    ("optional-import", "try:\n    import wandb\nexcept ImportError:\n    wandb = None"),
    (
        "type-checking-import",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import tensor_tools",
    ),
    (
        "conditional-config",
        "import sys\nif sys.platform == 'linux':\n    MODE = 'fast'\nelse:\n    MODE = 'slow'",
    ),
    ("assert-del-augassign", "import jax\nassert jax.device_count() >= 1\nX = 1\nX += 1\ndel X"),
    (
        "environ-and-config",
        "import os\nos.environ['XLA_FLAGS'] = '--x'\nimport jax\njax.config.update('jax_enable_x64', True)",
    ),
    (
        "absl-flags",
        "from absl import app, flags\nFLAGS = flags.FLAGS\nflags.DEFINE_integer('batch_size', 32, 'Batch size.')\ndef main(argv):\n    print(FLAGS.batch_size)\nif __name__ == '__main__':\n    app.run(main)",
    ),
    ("global-in-function", "X = 0\ndef main():\n    global X\n    X = 1"),
    ("star-import-library", "from math import *"),
    ("walrus-library", "import math\n(y := math.sqrt(4))"),
    (
        "attribute-target",
        "import numpy as np\nnp.random.seed(0)\nimport matplotlib\nmatplotlib.rcParams['figure.dpi'] = 100",
    ),
    (
        "custom-vjp-partial",
        "import jax\nfrom functools import partial\n@partial(jax.custom_vjp, nondiff_argnums=(0,))\ndef f(n, x):\n    return x\ndef fwd(n, x):\n    return x, None\ndef bwd(n, r, g):\n    return (g,)\nf.defvjp(fwd, bwd)",
    ),
]

REJECTED = [
    # (id, source, rule, line, column)
    ("syntax", "def main(:\n    pass", "syntax-error", 1, 10),
    ("null-byte", "X = 1\x00", "syntax-error", 1, 1),
    ("top-level-for", "for i in range(3):\n    pass", "top-level-statement", 1, 1),
    ("top-level-while", "while True:\n    pass", "top-level-statement", 1, 1),
    ("top-level-with", "with open('x') as f:\n    pass", "top-level-statement", 1, 1),
    (
        "loop-inside-if",
        "if True:\n    for i in range(3):\n        pass",
        "top-level-statement",
        2,
        5,
    ),
    ("user-function-call", "def f():\n    return 1\nX = f()", "user-code-at-load", 3, 5),
    ("user-class-call", "class MLP:\n    pass\nmodel = MLP()", "user-code-at-load", 3, 9),
    ("user-call-statement", "def run():\n    pass\nrun()", "user-code-at-load", 3, 1),
    ("user-lambda-call", "g = lambda: 1\nY = g()", "user-code-at-load", 2, 5),
    ("inline-lambda-call", "Y = (lambda: 1)()", "user-code-at-load", 1, 5),
    (
        "lambda-to-tree-map",
        "import jax\nY = jax.tree_util.tree_map(lambda a: a, {})",
        "user-code-at-load",
        2,
        28,
    ),
    (
        "function-to-sorted",
        "def key(x):\n    return x\nY = sorted([2, 1], key=key)",
        "user-code-at-load",
        3,
        24,
    ),
    (
        "call-of-wrapped",
        "import jax\ndef f(x):\n    return x * x\nY = jax.grad(f)(1.0)",
        "user-code-at-load",
        4,
        5,
    ),
    (
        "call-of-jitted-name",
        "import jax\ndef g(x):\n    return x\nf = jax.jit(g)\nY = f(1)",
        "user-code-at-load",
        5,
        5,
    ),
    (
        "method-of-transformed",
        "import haiku as hk\ndef forward(x):\n    return x\nmodel = hk.transform(forward)\n"
        "params = model.init(None, 1)",
        "user-code-at-load",
        5,
        10,
    ),
    (
        "subscript-of-user",
        "def f(x):\n    return x\nLOSSES = {'a': f}\nY = LOSSES['a'](1)",
        "user-code-at-load",
        4,
        5,
    ),
    (
        "comprehension-call",
        "def f(x):\n    return x\nY = [f(i) for i in range(3)]",
        "user-code-at-load",
        3,
        6,
    ),
    (
        "user-code-in-one-branch",
        "import sys\ndef f():\n    pass\nif sys.argv:\n    h = f\nelse:\n    h = print\nh()",
        "user-code-at-load",
        8,
        1,
    ),
    (
        "user-code-in-try",
        "def f():\n    pass\ntry:\n    f()\nexcept Exception:\n    pass",
        "user-code-at-load",
        4,
        5,
    ),
    ("walrus-call", "def f():\n    pass\n(x := f())", "user-code-at-load", 3, 7),
    (
        "method-read-and-called",
        "class C:\n    def f(self):\n        pass\nX = C.f(None)",
        "user-code-at-load",
        4,
        5,
    ),
    (
        "main-call-before-more-work",
        "def main():\n    pass\nmain()\nprint(2)",
        "user-code-at-load",
        3,
        1,
    ),
    ("import-missing", "import input_pipeline", "import-not-allowed", 1, 1),
    ("from-missing", "from models import MLP", "import-not-allowed", 1, 1),
    ("import-second-missing", "import jax, tensor_tools", "import-not-allowed", 1, 1),
    ("import-in-function", "def main():\n    import tensor_tools", "import-not-allowed", 2, 5),
    (
        "import-in-method",
        "class C:\n    def m(self):\n        from wandb import init",
        "import-not-allowed",
        3,
        9,
    ),
    ("similar-prefix", "import jaxtyping", "import-not-allowed", 1, 1),
    (
        "import-in-try-without-import-error",
        "try:\n    import wandb\nexcept KeyError:\n    pass",
        "import-not-allowed",
        2,
        5,
    ),
    ("relative-import", "from . import utils", "relative-import", 1, 1),
    ("relative-import-named", "from .jax import x", "relative-import", 1, 1),
    (
        "user-decorator",
        "def deco(f):\n    return f\n@deco\ndef main():\n    pass",
        "decorator-not-allowed",
        3,
        2,
    ),
    (
        "user-decorator-factory",
        "def deco(n):\n    return lambda f: f\n@deco(3)\ndef main():\n    pass",
        "user-code-at-load",
        3,
        2,
    ),
    (
        "shadowed-jit",
        "from jax import jit\ndef jit(f):\n    return f\n@jit\ndef main():\n    pass",
        "decorator-not-allowed",
        4,
        2,
    ),
    (
        "partial-of-user",
        "from functools import partial\ndef deco(f, n):\n    return f\n@partial(deco, n=1)\ndef main():\n    pass",
        "decorator-not-allowed",
        4,
        2,
    ),
    ("decorator-lambda", "@(lambda f: f)\ndef main():\n    pass", "decorator-not-allowed", 1, 3),
    (
        "user-class-decorator",
        "def deco(c):\n    return c\n@deco\nclass C:\n    pass",
        "decorator-not-allowed",
        3,
        2,
    ),
    (
        "default-calls-user",
        "def make():\n    return 1\ndef main(x=make()):\n    pass",
        "user-code-at-load",
        3,
        12,
    ),
    (
        "kwonly-default-calls-user",
        "class Cfg:\n    pass\ndef main(*, cfg=Cfg()):\n    pass",
        "user-code-at-load",
        3,
        17,
    ),
    (
        "method-default-calls-lambda",
        "g = lambda: 1\nclass C:\n    def m(self, x=g()):\n        pass",
        "user-code-at-load",
        3,
        19,
    ),
    (
        "annotation-calls-user",
        "def t():\n    return int\ndef main(x: t()):\n    pass",
        "user-code-at-load",
        3,
        13,
    ),
    (
        "class-attribute-calls-user",
        "def make():\n    return 1\nclass C:\n    x = make()",
        "user-code-at-load",
        4,
        9,
    ),
    (
        "class-base-calls-user",
        "def base():\n    return object\nclass C(base()):\n    pass",
        "user-code-at-load",
        3,
        9,
    ),
    ("class-body-call", "class C:\n    print('hi')", "class-body-statement", 2, 5),
    (
        "class-body-for",
        "class C:\n    for i in range(3):\n        pass",
        "class-body-statement",
        2,
        5,
    ),
    (
        "class-init-subclass",
        "class C:\n    def __init_subclass__(cls):\n        pass",
        "class-body-statement",
        2,
        5,
    ),
    (
        "user-metaclass",
        "class M(type):\n    pass\nclass C(metaclass=M):\n    pass",
        "class-keyword-not-allowed",
        3,
        19,
    ),
    ("dunder-assign", "__builtins__ = {}", "dunder-access", 1, 1),
    ("module-getattr", "def __getattr__(name):\n    return 1", "dunder-access", 1, 1),
    ("name-dunder-assign", "__name__ = 'x'", "dunder-access", 1, 1),
    (
        "subclasses",
        "def main():\n    return ().__class__.__bases__[0].__subclasses__()",
        "dunder-access",
        2,
        12,
    ),
    ("globals-attr", "def main():\n    return main.__globals__", "dunder-access", 2, 12),
    ("code-attr", "def main():\n    main.__code__ = None", "dunder-access", 2, 5),
    ("builtins-name", "def main():\n    return __builtins__", "dunder-access", 2, 12),
    ("dunder-import", "def main():\n    return __import__('os')", "dunder-access", 2, 12),
    ("import-attr", "import builtins\nX = builtins.__import__", "dunder-access", 2, 5),
    ("eval-in-body", "def main():\n    return eval('1')", "name-not-allowed", 2, 12),
    ("top-level-eval", "eval('1')", "name-not-allowed", 1, 1),
    ("exec-in-body", "def main():\n    exec('x = 1')", "name-not-allowed", 2, 5),
    ("compile-in-body", "def main():\n    compile('1', 'f', 'eval')", "name-not-allowed", 2, 5),
    ("globals-in-body", "def main():\n    globals()['x'] = 1", "name-not-allowed", 2, 5),
    (
        "main-guard-else",
        "if __name__ == '__main__':\n    pass\nelse:\n    print('x')",
        "top-level-statement",
        4,
        5,
    ),
    ("designated-constant", "main = 5", "designated-not-function", 1, 1),
    ("designated-lambda", "main = lambda: 1", "designated-not-function", 1, 1),
    ("designated-class", "class main:\n    pass", "designated-not-function", 1, 1),
    ("designated-async", "async def main():\n    pass", "designated-not-function", 1, 1),
    ("unicode-column", "def f():\n    pass\nX = 'é'; f()", "user-code-at-load", 3, 10),
    (
        "unicode-column-inner",
        "def f():\n    pass\ndef main(x='éé', y=f()):\n    pass",
        "user-code-at-load",
        3,
        20,
    ),
]


@pytest.mark.parametrize(("source"), [s for _, s in ALLOWED], ids=[i for i, _ in ALLOWED])
def test_load_definitions_should_accept(source: str) -> None:
    result = load_definitions(source)
    assert result.violations == ()
    assert result.ok
    assert result.module is not None
    compile(result.module, "main.py", "exec")


@pytest.mark.parametrize(
    ("source", "rule", "line", "column"),
    [r[1:] for r in REJECTED],
    ids=[r[0] for r in REJECTED],
)
def test_load_definitions_should_reject(source: str, rule: str, line: int, column: int) -> None:
    result = load_definitions(source)
    assert not result.ok
    assert result.module is None
    assert rule in RULES
    found = [(v.rule, v.line, v.column) for v in result.violations]
    assert (rule, line, column) in found, found


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


def test_every_rejection_should_name_the_construct_and_say_what_to_do() -> None:
    for _, source, rule, line, _column in REJECTED:
        result = load_definitions(source)
        found = [v for v in result.violations if (v.rule, v.line) == (rule, line)]
        assert found, source
        for violation in found:
            assert violation.hint.endswith("."), violation
            assert "Call is not a literal" not in violation.message
            assert violation.end_line is not None
            assert violation.hint


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

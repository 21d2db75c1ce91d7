"""Table test of load_definitions(): every construct a program may use."""

from __future__ import annotations

import pytest

from jaxlab_harness.loader import load_definitions

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


@pytest.mark.parametrize(("source"), [s for _, s in ALLOWED], ids=[i for i, _ in ALLOWED])
def test_load_definitions_should_accept(source: str) -> None:
    result = load_definitions(source)
    assert result.violations == ()
    assert result.ok
    assert result.module is not None
    compile(result.module, "main.py", "exec")

"""Table tests of load_definitions(): every allowed and rejected construct."""

from __future__ import annotations

import textwrap

import pytest

from jaxlab_harness.loader import MAX_SOURCE_BYTES, RULES, load_definitions

ALLOWED = [
    ("plain-import", "import jax"),
    ("dotted-import-alias", "import jax.numpy as jnp"),
    ("from-import", "from jax import numpy as jnp, jit"),
    ("numpy", "import numpy as np"),
    ("stdlib-allowed", "import math, functools, itertools, dataclasses, typing, time, collections"),
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
]

REJECTED = [
    # (id, source, rule, line, column)
    ("syntax", "def main(:\n    pass", "syntax-error", 1, 10),
    ("null-byte", "X = 1\x00", "syntax-error", 1, 1),
    ("top-level-call", "import jax\nprint('hi')", "top-level-statement", 2, 1),
    ("top-level-for", "for i in range(3):\n    pass", "top-level-statement", 1, 1),
    ("top-level-while", "while True:\n    pass", "top-level-statement", 1, 1),
    ("top-level-with", "with open('x') as f:\n    pass", "top-level-statement", 1, 1),
    (
        "top-level-try",
        "try:\n    import jax\nexcept ImportError:\n    pass",
        "top-level-statement",
        1,
        1,
    ),
    ("top-level-if", "if True:\n    X = 1", "top-level-statement", 1, 1),
    ("top-level-del", "X = 1\ndel X", "top-level-statement", 2, 1),
    ("aug-assign", "X = 1\nX += 1", "top-level-statement", 2, 1),
    ("top-level-eval-expr", "eval('1')", "top-level-statement", 1, 1),
    ("bare-name-expr", "import jax\njax", "top-level-statement", 2, 1),
    ("walrus", "(x := 5)", "top-level-statement", 1, 1),
    ("call-constant", "import jax.numpy as jnp\nX = jnp.ones(3)", "constant-not-literal", 2, 5),
    ("name-constant", "A = 1\nB = A", "constant-not-literal", 2, 5),
    ("lambda-constant", "F = lambda: 1", "constant-not-literal", 1, 5),
    ("string-multiply", "S = 'a' * 10", "constant-not-literal", 1, 5),
    ("huge-power", "X = 10 ** 100000", "constant-not-literal", 1, 5),
    ("comprehension-constant", "X = [i for i in range(3)]", "constant-not-literal", 1, 5),
    ("attribute-target", "import jax\njax.config = 1", "constant-not-literal", 2, 1),
    ("subscript-target", "X = {}\nX['a'] = 1", "constant-not-literal", 2, 1),
    ("nested-call-in-literal", "X = (1, f())", "constant-not-literal", 1, 9),
    ("dunder-assign", "__builtins__ = {}", "dunder-access", 1, 1),
    ("name-dunder-assign", "__name__ = 'x'", "dunder-access", 1, 1),
    ("import-os", "import os", "import-not-allowed", 1, 1),
    ("import-subprocess-alias", "import subprocess as sp", "import-not-allowed", 1, 1),
    ("from-os", "from os import system", "import-not-allowed", 1, 1),
    ("import-ctypes-second", "import jax, ctypes", "import-not-allowed", 1, 1),
    ("import-in-function", "def main():\n    import socket", "import-not-allowed", 2, 5),
    (
        "import-in-method",
        "class C:\n    def m(self):\n        from importlib import import_module",
        "import-not-allowed",
        3,
        9,
    ),
    ("similar-prefix", "import jaxtyping", "import-not-allowed", 1, 1),
    ("star-import", "from jax.numpy import *", "star-import", 1, 1),
    ("relative-import", "from . import utils", "relative-import", 1, 1),
    ("relative-import-named", "from .jax import x", "relative-import", 1, 1),
    (
        "unknown-decorator",
        "def deco(f):\n    return f\n@deco\ndef main():\n    pass",
        "decorator-not-allowed",
        3,
        2,
    ),
    (
        "decorator-call-side-effect",
        "@print('x')\ndef main():\n    pass",
        "decorator-not-allowed",
        1,
        2,
    ),
    ("decorator-lambda", "@(lambda f: f)\ndef main():\n    pass", "decorator-not-allowed", 1, 3),
    (
        "shadowed-jit",
        "from jax import jit\ndef jit(f):\n    return f\n@jit\ndef main():\n    pass",
        "decorator-not-allowed",
        4,
        2,
    ),
    (
        "partial-of-unsafe",
        "from functools import partial\n@partial(print, 1)\ndef main():\n    pass",
        "decorator-not-allowed",
        2,
        2,
    ),
    (
        "decorator-nonliteral-arg",
        "import functools\nN = 3\n@functools.lru_cache(maxsize=N)\ndef f():\n    pass",
        "decorator-not-allowed",
        3,
        2,
    ),
    ("unimported-jax-name", "@jax.jit\ndef f(x):\n    return x", "decorator-not-allowed", 1, 2),
    (
        "class-decorator",
        "def deco(c):\n    return c\n@deco\nclass C:\n    pass",
        "decorator-not-allowed",
        3,
        2,
    ),
    ("default-call", "def main(x=print('hi')):\n    pass", "default-not-literal", 1, 12),
    ("default-lambda", "def main(f=lambda: 1):\n    pass", "default-not-literal", 1, 12),
    ("default-name", "N = 3\ndef main(n=N):\n    pass", "default-not-literal", 2, 12),
    ("kwonly-default-call", "def main(*, x=open('f')):\n    pass", "default-not-literal", 1, 15),
    (
        "method-default",
        "class C:\n    def m(self, x=[i for i in 'ab']):\n        pass",
        "default-not-literal",
        2,
        19,
    ),
    ("annotation-call", "def main(x: print('hi')):\n    pass", "annotation-not-allowed", 1, 13),
    ("return-annotation-call", "def main() -> exit():\n    pass", "annotation-not-allowed", 1, 15),
    ("module-annotation-call", "X: print() = 1", "annotation-not-allowed", 1, 4),
    ("class-body-call", "class C:\n    print('hi')", "class-body-statement", 2, 5),
    (
        "class-body-for",
        "class C:\n    for i in range(3):\n        pass",
        "class-body-statement",
        2,
        5,
    ),
    ("class-attr-call", "class C:\n    x = open('f')", "class-body-statement", 2, 9),
    (
        "class-init-subclass",
        "class C:\n    def __init_subclass__(cls):\n        pass",
        "class-body-statement",
        2,
        5,
    ),
    (
        "class-field-bad-factory",
        "import dataclasses\nclass C:\n    x: list = dataclasses.field(default_factory=lambda: [1])",
        "class-body-statement",
        3,
        15,
    ),
    ("class-base-call", "class C(type('X', (), {})):\n    pass", "base-not-allowed", 1, 9),
    (
        "metaclass",
        "class M(type):\n    pass\nclass C(metaclass=M):\n    pass",
        "class-keyword-not-allowed",
        3,
        19,
    ),
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
    ("frame-globals", "def main():\n    import sys", "import-not-allowed", 2, 5),
    ("eval-in-body", "def main():\n    return eval('1')", "name-not-allowed", 2, 12),
    ("exec-in-body", "def main():\n    exec('x = 1')", "name-not-allowed", 2, 5),
    ("compile-in-body", "def main():\n    compile('1', 'f', 'eval')", "name-not-allowed", 2, 5),
    ("globals-in-body", "def main():\n    globals()['x'] = 1", "name-not-allowed", 2, 5),
    ("global-statement", "def main():\n    global X\n    X = 1", "global-statement", 2, 5),
    ("top-level-global", "global X", "global-statement", 1, 1),
    (
        "main-guard-else",
        "if __name__ == '__main__':\n    pass\nelse:\n    print('x')",
        "top-level-statement",
        4,
        5,
    ),
    ("designated-constant", "main = 5", "designated-not-function", 1, 1),
    ("designated-class", "class main:\n    pass", "designated-not-function", 1, 1),
    ("designated-async", "async def main():\n    pass", "designated-not-function", 1, 1),
    ("unicode-column", "X = 'é'; print(1)", "top-level-statement", 1, 10),
    ("unicode-column-inner", "def main(x='éé', y=f()):\n    pass", "default-not-literal", 1, 20),
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
    assert result.imports == ("jax",)
    assert set(result.functions) == {"main"}
    namespace: dict[str, object] = {}
    exec(compile(result.module, "main.py", "exec"), namespace)
    assert namespace["main"]() == 0.1  # type: ignore[operator]


def test_load_definitions_should_honour_extra_allowed_imports() -> None:
    assert not load_definitions("import einops").ok
    assert load_definitions("import einops", allowed_imports=["jax", "einops"]).ok


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
    result = load_definitions("import os\nprint(1)\nX = f()\n")
    assert [(v.line, v.rule) for v in result.violations] == [
        (1, "import-not-allowed"),
        (2, "top-level-statement"),
        (3, "constant-not-literal"),
    ]
    assert str(result.violations[0]).startswith("line 1, column 1: ")

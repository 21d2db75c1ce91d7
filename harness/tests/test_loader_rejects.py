"""Table test of load_definitions(): every refused construct, with its rule and place."""

from __future__ import annotations

import pytest

from jaxlab_harness.loader import RULES, load_definitions

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

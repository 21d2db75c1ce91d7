"""Program: a project checked at load (nothing runs) and run just before the
first designated call, in this process: when each accepted construct runs,
projects of several files, the import guard, the prologue, and programs in
the styles people publish (Flax linen and NNX, Haiku, Optax, absl, type
aliases, config prologues, several files)."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from jaxlab_harness.absl_calls import FlagCallError, absl_arguments
from jaxlab_harness.allow_list import DEFAULT_ALLOWED_IMPORTS
from jaxlab_harness.program import Program, read_project_files

TESTS = Path(__file__).parent
PROGRAMS = TESTS / "programs"
ALLOWED = [*DEFAULT_ALLOWED_IMPORTS, "marker_lib", "marker_on_import"]

PREAMBLE = """\
import marker_lib as ml
from marker_lib import Marked

DIR = {folder!r}


def helper(*args):
    return 1


def user_decorator(function):
    return function


class UserBase:
    pass


"""

# (construct, accepted source leaving the marker <construct>, the same
# construct calling the project's own code, the rule that rejects it)
CONSTRUCTS = [
    (
        "import",
        "import marker_on_import",
        "import marker_on_import\nmarker_on_import.__name__.join(helper())",
        "user-code-at-load",
    ),
    ("assignment", "X = ml.mark(DIR, 'assignment')", "X = helper()", "user-code-at-load"),
    ("expression", "ml.mark(DIR, 'expression')", "helper()", "user-code-at-load"),
    (
        "type-alias",
        "Alias = Marked[DIR, 'type-alias']",
        "Alias = Marked[DIR, helper()]",
        "user-code-at-load",
    ),
    (
        "lambda",
        "relu = lambda x, _=ml.mark(DIR, 'lambda'): x",
        "relu = lambda x, _=helper(): x",
        "user-code-at-load",
    ),
    (
        "decorator",
        "@ml.decorator(DIR, 'decorator')\ndef f(x):\n    return x",
        "@user_decorator\ndef f(x):\n    return x",
        "decorator-not-allowed",
    ),
    (
        "default",
        "def f(x, scale=ml.mark(DIR, 'default', 2)):\n    return x * scale",
        "def f(x, scale=helper()):\n    return x * scale",
        "user-code-at-load",
    ),
    (
        "class-attribute",
        "class C:\n    size = ml.mark(DIR, 'class-attribute', 3)",
        "class C:\n    size = helper()",
        "user-code-at-load",
    ),
    (
        "class-base",
        "class C(ml.base(DIR, 'class-base')):\n    pass",
        "class C(UserBase()):\n    pass",
        "user-code-at-load",
    ),
    (
        "conditional",
        "if ml.mark(DIR, 'conditional', True):\n    Y = 1",
        "if helper():\n    Y = 1",
        "user-code-at-load",
    ),
    (
        "optional-import",
        "try:\n    import not_a_package\nexcept ImportError:\n    ml.mark(DIR, 'optional-import')",
        "try:\n    import not_a_package\nexcept ImportError:\n    helper()",
        "user-code-at-load",
    ),
]


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Path]:
    """Puts marker_lib on sys.path and undoes what running programs changes."""
    argv, path, environ = list(sys.argv), list(sys.path), dict(os.environ)
    sys.path.insert(0, str(TESTS))
    programs: list[Program] = []
    Program.created = programs  # type: ignore[attr-defined]
    yield tmp_path
    for program in programs:
        program.discard()
    sys.argv[:], sys.path[:] = argv, path
    os.environ.clear()
    os.environ.update(environ)
    del Program.created  # type: ignore[attr-defined]


def make_program(workdir: Path, files: dict[str, str], **options) -> Program:
    for name, text in files.items():
        (workdir / name).parent.mkdir(parents=True, exist_ok=True)
        (workdir / name).write_text(text)
    program = Program(
        read_project_files(workdir),
        workdir,
        allowed_imports=options.get("allowed", ALLOWED),
        designated=["main", "train_step"],
    )
    Program.created.append(program)  # type: ignore[attr-defined]
    return program


@pytest.mark.parametrize(
    ("construct", "accepted"), [c[:2] for c in CONSTRUCTS], ids=[c[0] for c in CONSTRUCTS]
)
def test_program_should_run_an_accepted_construct_at_the_first_call_not_at_load(
    runtime: Path, construct: str, accepted: str
) -> None:
    marks = runtime / "marks"
    marks.mkdir()
    os.environ["JAXLAB_TEST_MARKS"] = str(marks)
    sys.modules.pop("marker_on_import", None)
    source = PREAMBLE.format(folder=str(marks)) + accepted + "\n\ndef main():\n    return 7\n"
    program = make_program(runtime / "project", {"main.py": source})
    assert program.violations == ()
    assert program.defines("main")
    assert list(marks.iterdir()) == []
    namespace = program.execute()
    assert [p.name for p in marks.iterdir()] == [construct]
    assert namespace["main"]() == 7


@pytest.mark.parametrize(
    ("rejected", "rule"), [c[2:] for c in CONSTRUCTS], ids=[c[0] for c in CONSTRUCTS]
)
def test_program_should_reject_the_construct_calling_the_projects_own_code(
    runtime: Path, rejected: str, rule: str
) -> None:
    source = PREAMBLE.format(folder=str(runtime)) + rejected + "\n\ndef main():\n    return 7\n"
    program = make_program(runtime / "project", {"main.py": source})
    assert [v.rule for v in program.violations] == [rule]
    with pytest.raises(RuntimeError):
        program.execute()


def test_program_should_apply_the_prologue_at_the_first_call(runtime: Path) -> None:
    source = (
        "import os\nos.environ['JAXLAB_TEST_SETTING'] = 'on'\n"
        "def main():\n    return os.environ['JAXLAB_TEST_SETTING']\n"
    )
    program = make_program(runtime, {"main.py": source})
    assert [(s.name, s.value) for s in program.prologue] == [("JAXLAB_TEST_SETTING", "on")]
    assert "JAXLAB_TEST_SETTING" not in os.environ
    assert program.execute()["main"]() == "on"


def test_program_should_import_the_projects_modules_and_packages(runtime: Path) -> None:
    files = {
        "main.py": "import models\nfrom utils.data import load\nfrom utils import SCALE\n"
        "WIDTH = models.WIDTH * SCALE\ndef main():\n    return models.double(load()) + WIDTH\n",
        "models.py": "import jax.numpy as jnp\nWIDTH = int(jnp.int32(3))\n"
        "def double(x):\n    return 2 * x\n",
        "utils/__init__.py": "from .data import load as _load\nSCALE = 10\n",
        "utils/data.py": "def load():\n    return 1\n",
        "scratch.py": "for i in range(3):\n    print(i)\n",
    }
    program = make_program(runtime, files)
    assert program.violations == ()
    assert set(program.checked.results) == {
        "main.py",
        "models.py",
        "utils/__init__.py",
        "utils/data.py",
    }
    assert program.execute()["main"]() == 32


def test_program_should_reject_user_code_reached_through_a_project_module(
    runtime: Path,
) -> None:
    files = {
        "main.py": "from models import MLP\nimport models\nmodel = MLP()\n"
        "other = models.build()\ndef main():\n    pass\n",
        "models.py": "class MLP:\n    pass\ndef build():\n    return MLP()\n",
    }
    program = make_program(runtime, files)
    assert [(v.file, v.line, v.rule) for v in program.violations] == [
        ("main.py", 3, "user-code-at-load"),
        ("main.py", 4, "user-code-at-load"),
    ]
    assert "your class MLP (models.py)" in program.violations[0].message


def test_program_should_check_each_project_file_by_the_same_rules(runtime: Path) -> None:
    files = {
        "main.py": "import helpers\nfrom helpers import missing\ndef main():\n    pass\n",
        "helpers.py": "import tensor_tools\ndef f():\n    pass\nf()\n",
        "logging.py": "X = 1\n",
    }
    program = make_program(runtime, files)
    assert [(v.file, v.line, v.rule) for v in program.violations] == [
        ("helpers.py", 1, "import-not-allowed"),
        ("helpers.py", 4, "user-code-at-load"),
    ]
    assert "Add tensor_tools.py" in program.violations[0].hint
    taken = make_program(runtime / "taken", {"main.py": "import logging\n", "logging.py": ""})
    assert [(v.file, v.rule) for v in taken.violations] == [("logging.py", "module-name-taken")]
    shadow = make_program(
        runtime / "shadow", {"main.py": "import random_utils\n", "random_utils/json.py": ""}
    )
    assert shadow.violations == ()
    clash = make_program(runtime / "clash", {"main.py": "import numpy\n", "numpy.py": ""})
    assert [v.rule for v in clash.violations] == ["module-name-taken"]


def test_program_should_not_reach_a_module_through_another_module(runtime: Path) -> None:
    ok = make_program(
        runtime / "ok",
        {"main.py": "import sys\nfrom os import path\nfrom jax import random\nX = sys.maxsize\n"},
    )
    ok.execute()
    sideways = make_program(runtime / "sideways", {"main.py": "from dataclasses import sys\n"})
    assert sideways.violations == ()
    with pytest.raises(ImportError, match="import it by its own name: `import sys`"):
        sideways.execute()
    inside = make_program(
        runtime / "inside",
        {"main.py": "def main():\n    from dataclasses import sys\n    return sys\n"},
    )
    with pytest.raises(ImportError, match="reaches the module sys through dataclasses"):
        inside.execute()["main"]()


def test_program_should_refuse_at_run_time_what_the_loader_refuses(runtime: Path) -> None:
    source = (
        "try:\n    import ipykernel\nexcept ImportError:\n    ipykernel = None\nX = ipykernel\n"
    )
    program = make_program(runtime, {"main.py": source})
    assert program.violations == ()
    assert program.execute()["X"] is None


def run_main(program: Program, **kwargs):
    namespace = program.execute()
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        function = namespace["main"]
        call = absl_arguments(function, (), kwargs, program.module_names)
        args, kwargs = call if call is not None else ((), kwargs)
        result = function(*args, **kwargs)
    return result, output.getvalue()


def program_from(name: str) -> Program:
    folder = PROGRAMS / name
    return Program(
        read_project_files(folder),
        folder,
        allowed_imports=DEFAULT_ALLOWED_IMPORTS,
        designated=["main"],
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("flax_linen", "Final loss: "),
        ("flax_nnx", "Final loss: "),
        ("haiku_mlp", "Final accuracy: "),
        ("optax_regression", "w = [2.0, -1.0]"),
        ("type_aliases", "shape=(4, 1) factor=3.0"),
        ("multi_file", "w1(2, 8), w2(8,)"),
    ],
)
def test_programs_in_published_styles_should_load_and_run_main(
    runtime: Path, name: str, expected: str
) -> None:
    program = program_from(name)
    Program.created.append(program)  # type: ignore[attr-defined]
    assert program.violations == ()
    _, output = run_main(program)
    assert expected in output


def test_absl_program_should_take_flags_as_keywords(runtime: Path) -> None:
    program = program_from("absl_flags")
    Program.created.append(program)  # type: ignore[attr-defined]
    assert program.violations == ()
    _, output = run_main(program, batch_size=64, optimizer="adam")
    assert output == "batch_size=64 learning_rate=0.1 optimizer=adam rows=64\n"
    _, output = run_main(program)
    assert output == "batch_size=32 learning_rate=0.1 optimizer=sgd rows=32\n"
    with pytest.raises(FlagCallError, match="no flag 'batch'; its flags are: batch_size,"):
        run_main(program, batch=3)
    with pytest.raises(FlagCallError, match="optimizer"):
        run_main(program, optimizer="rmsprop")


def test_program_should_never_import_a_file_named_like_a_library_as_the_projects(
    runtime: Path,
) -> None:
    planted = "import pathlib\npathlib.Path('planted_ran').touch()\n"
    files = {
        "main.py": "import base64\ndef main():\n    return base64.b64encode(b'x')\n",
        "json.py": planted,
        "jaxlab_harness.py": planted,
        "pytest/__init__.py": planted,  # imported by this process, as ipykernel by a kernel
    }
    program = make_program(runtime, files)
    assert program.violations == ()
    assert not {"json", "jaxlab_harness", "pytest"} & set(program.checked.modules)
    assert program.execute()["main"]() == b"eA=="
    import json  # the kernel's own imports still get the standard library

    assert json.dumps([2]) == "[2]"
    assert "planted" not in Path(json.__file__).read_text()
    assert not (runtime / "planted_ran").exists()
    assert not Path("planted_ran").exists()


def test_absl_main_without_flags_should_get_argv(runtime: Path) -> None:
    source = (
        "from absl import app\n\n\ndef main(argv):\n    print('argv', len(argv))\n\n\n"
        "if __name__ == '__main__':\n    app.run(main)\n"
    )
    program = make_program(runtime, {"main.py": source})
    assert run_main(program)[1] == "argv 1\n"

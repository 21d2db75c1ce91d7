"""make_runnable(): scripts whose work is at the top level become programs
whose main() prints what ``python script.py`` printed; the command line the
server calls."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jaxlab_harness.loader import load_definitions
from jaxlab_harness.runnable import make_runnable

SCRIPTS = Path(__file__).parent / "programs" / "scripts"
RUN_MAIN = (
    "import sys\n"
    "from jaxlab_harness.allow_list import DEFAULT_ALLOWED_IMPORTS\n"
    "from jaxlab_harness.program import Program, read_project_files\n"
    "program = Program(read_project_files(sys.argv[1]), sys.argv[1],"
    " allowed_imports=DEFAULT_ALLOWED_IMPORTS, designated=['main'])\n"
    "assert not program.violations, program.violations\n"
    "program.execute()['main']()\n"
)
QUIET = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def python(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=cwd, env=QUIET, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.parametrize("script", sorted(p.name for p in SCRIPTS.glob("*.py")))
def test_make_runnable_should_make_a_script_whose_main_prints_what_the_script_printed(
    script: str, tmp_path: Path
) -> None:
    source = (SCRIPTS / script).read_text()
    before = load_definitions(source)
    assert not before.ok or "main" not in before.functions  # the kernel cannot run it as is
    result = make_runnable(source)
    assert result.changed
    assert result.violations == ()
    assert "main" in load_definitions(result.source).functions
    (tmp_path / "script").mkdir()
    (tmp_path / "script" / "main.py").write_text(source)
    (tmp_path / "program").mkdir()
    (tmp_path / "program" / "main.py").write_text(result.source)
    expected = python("main.py", cwd=tmp_path / "script")
    assert expected
    assert python("-c", RUN_MAIN, str(tmp_path / "program"), cwd=tmp_path) == expected
    assert python("main.py", cwd=tmp_path / "program") == expected


def test_make_runnable_should_keep_definitions_and_declare_what_functions_read() -> None:
    source = textwrap.dedent(
        '''\
        """Doc."""
        import numpy as np

        # Settings.
        SCALE = 2


        def scaled(x):
            return x * SCALE * factor


        factor = np.float32(3)
        for i in range(2):  # the work
            print(scaled(i))
        text = """a
        b"""
        print(text)
        '''
    )
    result = make_runnable(source)
    assert result.source == textwrap.dedent(
        '''\
        """Doc."""
        import numpy as np

        # Settings.
        SCALE = 2


        def scaled(x):
            return x * SCALE * factor


        factor = np.float32(3)


        def main():
            """What the script did at its top level (moved here by Make it runnable)."""
            for i in range(2):  # the work
                print(scaled(i))
            text = """a
        b"""
            print(text)


        if __name__ == "__main__":
            main()
        '''
    )
    assert result.moved_lines == ((13, 14), (15, 16), (17, 17))
    assert make_runnable(source) == result  # deterministic


def test_make_runnable_should_move_definitions_that_need_moved_values() -> None:
    source = (
        "class Config:\n    pass\n\nconfig = Config()\n\n"
        "def step(x, cfg=config):\n    return x\n\ndef helper():\n    return config\n"
    )
    result = make_runnable(source)
    assert result.violations == ()
    assert result.global_names == ("config",)
    assert "    def step(x, cfg=config):\n        return x\n" in result.source
    assert result.source.index("def helper") < result.source.index("def main")


def test_make_runnable_should_rename_an_existing_main_and_its_uses() -> None:
    source = (
        "def make():\n    return 2\n\nX = make()\n\n"
        "def main(n=1):\n    return X * n\n\ndef twice():\n    return main() + main(2)\n\n"
        "if __name__ == '__main__':\n    print(main())\n"
    )
    result = make_runnable(source)
    assert result.renamed_main == "_main"
    assert "def _main(n=1):" in result.source
    assert "return _main() + _main(2)" in result.source
    assert "    print(_main())\n" in result.source
    assert result.violations == ()
    namespace: dict = {}
    exec(compile(result.source, "main.py", "exec"), namespace)
    assert namespace["main"]() is None


def test_make_runnable_should_keep_tabs_crlf_and_shared_lines() -> None:
    source = "import os\r\nclass A:\r\n\tpass\r\nif True:\r\n\tx = A(); print(x is not None)\r\n"
    result = make_runnable(source)
    assert result.violations == ()
    assert "\r\n\tif True:\r\n\t\tx = A(); print(x is not None)\r\n" in result.source
    namespace: dict = {}
    exec(compile(result.source, "main.py", "exec"), namespace)


def test_make_runnable_should_leave_runnable_and_empty_programs_alone() -> None:
    runnable = "import jax\n\ndef main():\n    print(jax.device_count())\n"
    assert make_runnable(runnable).changed is False
    assert "already loads" in make_runnable(runnable).reason
    definitions = "import jax\n\nX = 1\n\ndef helper():\n    pass\n"
    assert make_runnable(definitions).changed is False
    assert make_runnable("def main(:\n").changed is False


def test_make_runnable_should_say_what_still_blocks_the_program() -> None:
    result = make_runnable("import tensor_tools\nfor i in range(2):\n    print(i)\n")
    assert result.changed
    assert [v.rule for v in result.violations] == ["import-not-allowed"]


def cli(command: str, document: object) -> tuple[int, dict]:
    done = subprocess.run(
        [sys.executable, "-I", "-m", "jaxlab_harness", command],
        input=json.dumps(document),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, json.loads(done.stdout)


def test_commands_should_answer_json_for_the_server() -> None:
    files = {
        "main.py": "import models\nmodel = models.MLP()\ndef main():\n    pass\n",
        "models.py": "class MLP:\n    pass\n",
    }
    status, answer = cli("check", {"files": files, "requirements": "tensor_tools==1\n"})
    assert status == 0
    assert answer["ok"] is False
    (violation,) = answer["violations"]
    assert violation["rule"] == "user-code-at-load"
    assert (violation["file"], violation["line"], violation["column"]) == ("main.py", 2, 9)
    assert (violation["endLine"], violation["endColumn"]) == (2, 21)
    assert "your class MLP (models.py)" in violation["message"]
    assert violation["hint"]

    status, answer = cli(
        "make-runnable", {"files": {"main.py": "print(1)\nfor i in []:\n    pass\n"}}
    )
    assert status == 0
    assert answer["changed"] is True
    assert answer["source"].startswith("print(1)\n\n\ndef main():\n")
    assert answer["movedLines"] == [[2, 3]]

    status, answer = cli("check", {"files": "main.py"})
    assert status == 2
    assert "files must be an object" in answer["error"]

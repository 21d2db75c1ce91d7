"""The real kernel on programs as people write them: nothing of main.py runs
until the first call, the configuration prologue, absl flags as keywords,
projects of several files and edits to them, and a failing top level."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import start_kernel
from .test_kernel import execute, shell_reply, stream_text
from .test_program import CONSTRUCTS, PREAMBLE, PROGRAMS, TESTS


@pytest.fixture
def kernel_in(workdir: Path) -> Iterator[Any]:
    started: list[tuple[Any, Any]] = []

    def start(**env: str) -> Any:
        manager, client = start_kernel(workdir, **env)
        started.append((manager, client))
        return client

    yield start
    for manager, client in started:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def inspect(client: Any, name: str) -> dict:
    return shell_reply(client, client.inspect(name, len(name)), 30)["content"]


def test_kernel_should_run_nothing_of_main_py_before_the_first_call(
    kernel_in, workdir: Path
) -> None:
    marks = workdir / "marks"
    marks.mkdir()
    library = workdir / "env"
    library.mkdir()
    shutil.copy(TESTS / "marker_lib.py", library)
    shutil.copy(TESTS / "marker_on_import.py", library)
    constructs = "\n\n".join(accepted for _, accepted, _, _ in CONSTRUCTS)
    (workdir / "main.py").write_text(
        PREAMBLE.format(folder=str(marks))
        + constructs
        + "\n\nprint('top level ran')\n\n\ndef main(steps=3):\n    '''Trains.'''\n    return steps\n"
    )
    client = kernel_in(
        JAXLAB_EXTRA_IMPORTS="marker_lib,marker_on_import",
        JAXLAB_REQUIREMENTS_ENV=str(library),
        JAXLAB_TEST_MARKS=str(marks),
    )
    reply = inspect(client, "main")
    assert reply["found"] is True
    assert reply["data"]["text/plain"] == "main(steps=3)\n\nTrains."
    assert list(marks.iterdir()) == []
    reply, outputs = execute(client, "main()")
    assert reply["status"] == "ok"
    assert sorted(p.name for p in marks.iterdir()) == sorted(c[0] for c in CONSTRUCTS)
    assert stream_text(outputs, "stdout") == "top level ran\n"
    reply, outputs = execute(client, "main(steps=4)")
    assert reply["status"] == "ok"
    assert stream_text(outputs, "stdout") == ""  # the top level runs once per version


def test_kernel_should_apply_the_prologue_before_jax_starts(kernel_in, workdir: Path) -> None:
    shutil.copy(PROGRAMS / "config_prologue" / "main.py", workdir)
    client = kernel_in()
    reply, outputs = execute(client, "main()")
    assert reply["status"] == "ok"
    assert stream_text(outputs, "stdout") == "devices=4\ndtype=float64\n"


def test_kernel_should_set_absl_flags_from_keywords(kernel_in, workdir: Path) -> None:
    shutil.copy(PROGRAMS / "absl_flags" / "main.py", workdir)
    client = kernel_in()
    reply, outputs = execute(client, "main(batch_size=64, learning_rate=0.5)")
    assert reply["status"] == "ok", reply
    assert "batch_size=64 learning_rate=0.5 optimizer=sgd rows=64" in stream_text(outputs, "stdout")
    reply, _ = execute(client, "main(batch=8)")
    assert (reply["status"], reply["ename"]) == ("error", "CallNotAllowed")
    assert "batch_size, learning_rate, optimizer, verbose" in reply["evalue"]
    reply, outputs = execute(client, "main()")
    assert reply["status"] == "ok"
    assert "batch_size=32 learning_rate=0.1" in stream_text(outputs, "stdout")


def test_kernel_should_run_a_project_of_several_files_and_see_edits(
    kernel_in, workdir: Path
) -> None:
    shutil.copytree(PROGRAMS / "multi_file", workdir, dirs_exist_ok=True)
    client = kernel_in()
    reply, outputs = execute(client, "main(steps=2)")
    assert reply["status"] == "ok", reply
    assert "w1(2, 8), w2(8,)" in stream_text(outputs, "stdout")

    (workdir / "utils" / "text.py").write_text("def describe(params):\n    return 'edited'\n")
    reply, outputs = execute(client, "main(steps=2)")
    assert reply["status"] == "ok"
    assert stream_text(outputs, "stdout").startswith("edited\n")

    models = (workdir / "models.py").read_text()
    (workdir / "models.py").write_text(models + "\nPARAMS = init_params(None, 2, 2)\n")
    reply, _ = execute(client, "main()")
    assert (reply["status"], reply["ename"]) == ("error", "LoadRejected")
    assert reply["evalue"].startswith("models.py was rejected at line ")
    assert "`init_params(None, 2, 2)` calls your function init_params" in reply["evalue"]
    assert "    PARAMS = init_params(None, 2, 2)" in reply["traceback"]
    assert "             " + "^" * 23 in reply["traceback"]


def test_kernel_should_report_a_failing_top_level_as_load_error(kernel_in, workdir: Path) -> None:
    (workdir / "main.py").write_text(
        "import numpy as np\n\nDATA = np.load('missing.npy')\n\n\ndef main():\n    pass\n"
    )
    client = kernel_in()
    reply, _ = execute(client, "main()")
    assert (reply["status"], reply["ename"]) == ("error", "LoadError")
    assert "FileNotFoundError" in reply["evalue"]
    assert any('main.py", line 3' in line for line in reply["traceback"])
    (workdir / "main.py").write_text("import sys\n\n\ndef main():\n    sys.exit(0)\n")
    reply, _ = execute(client, "main()")
    assert reply["status"] == "ok"


def test_kernel_should_take_the_projects_files_from_writefile_cells(
    kernel_in, workdir: Path
) -> None:
    client = kernel_in()
    reply, outputs = execute(client, "%%writefile utils/scale.py\nFACTOR = 3\n")
    assert reply["status"] == "ok"
    assert stream_text(outputs, "stdout") == "Writing utils/scale.py\n"
    main = "%%writefile main.py\nfrom utils.scale import FACTOR\n\ndef main(x=2):\n    return x * FACTOR\n"
    reply, _ = execute(client, main)
    assert reply["status"] == "ok"
    reply, outputs = execute(client, "main()")
    assert reply["status"] == "ok"
    assert [
        m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"
    ] == ["6"]
    reply, outputs = execute(client, main.replace("x * FACTOR", "x + FACTOR"))
    assert stream_text(outputs, "stdout") == "Overwriting main.py\n"
    reply, outputs = execute(client, "main()")
    assert [
        m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"
    ] == ["5"]
    reply, outputs = execute(client, "%%writefile configs/notes.md\n# Notes\n")
    assert stream_text(outputs, "stdout") == "Writing configs/notes.md\n"
    assert (workdir / "configs" / "notes.md").read_text() == "# Notes\n"
    for path in ("../escape.py", "/etc/x.py", "run.sh", ".hidden.py", "outputs/x.csv"):
        reply, _ = execute(client, f"%%writefile {path}\nX = 1\n")
        assert (reply["status"], reply["ename"]) == ("error", "CallNotAllowed"), path
    assert not (workdir.parent / "escape.py").exists()

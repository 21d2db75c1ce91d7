"""Running the single-user server as an account past an unsearchable parent."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from jaxlab_hub.reachable_paths import (
    Exposure,
    blocking_ancestor,
    find_exposures,
    unprivileged_command,
)

NOBODY = 65534


@pytest.fixture
def open_tmp():
    """A temp folder every account may search (pytest's own is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="jxl-hub-test-"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_blocking_ancestor_finds_the_outermost_unsearchable_parent(open_tmp):
    tmp_path = open_tmp
    outer = tmp_path / "outer"
    inner = outer / "inner" / "venv"
    inner.mkdir(parents=True)
    os.chmod(tmp_path, 0o755)
    os.chmod(outer, 0o700)
    assert blocking_ancestor(inner, NOBODY, NOBODY) == outer
    os.chmod(outer, 0o755)
    assert blocking_ancestor(inner, NOBODY, NOBODY) is None
    assert find_exposures([inner], NOBODY, NOBODY) == []


def test_unprivileged_command_without_exposures_only_drops_privileges():
    argv = unprivileged_command(["id", "-u"], 1234, 1234, [])
    assert argv[0] == "setpriv"
    assert "--reuid=1234" in argv and "--no-new-privs" in argv
    assert argv[-2:] == ["id", "-u"]


@pytest.mark.skipif(os.geteuid() != 0, reason="mount namespaces need root")
def test_unprivileged_command_reaches_a_folder_behind_a_closed_parent(open_tmp):
    tmp_path = open_tmp
    closed = tmp_path / "closed"
    target = closed / "tool"
    target.mkdir(parents=True)
    (target / "hello.txt").write_text("hello\n")
    os.chmod(tmp_path, 0o755)
    os.chmod(closed, 0o700)
    os.chmod(target, 0o755)
    (target / "hello.txt").chmod(0o644)
    plain = subprocess.run(
        unprivileged_command(["cat", str(target / "hello.txt")], NOBODY, NOBODY, []),
        capture_output=True,
        text=True,
        check=False,
    )
    assert plain.returncode != 0
    exposures = find_exposures([target], NOBODY, NOBODY)
    assert exposures == [Exposure(target, closed)]
    exposed = subprocess.run(
        unprivileged_command(
            ["sh", "-c", f"cat {target}/hello.txt; id -u; ls {closed}"], NOBODY, NOBODY, exposures
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert exposed.returncode == 0, exposed.stderr
    assert exposed.stdout.splitlines() == ["hello", str(NOBODY), "tool"]
    # Nothing else of the closed folder shows, and the host's view is unchanged.
    assert Path(closed).stat().st_mode & 0o777 == 0o700

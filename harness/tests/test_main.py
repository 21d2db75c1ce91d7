"""The entry point puts a job's requirements environment on sys.path."""

import subprocess
import sys
from pathlib import Path


def test_requirements_env_is_importable_under_isolated_mode(tmp_path: Path) -> None:
    site = tmp_path / "env" / "site-packages"
    site.mkdir(parents=True)
    (site / "jaxlab_probe_pkg.py").write_text("VALUE = 42\n")
    code = (
        "import sys; from jaxlab_harness.devices import add_requirements_env;"
        "add_requirements_env(); import jaxlab_probe_pkg;"
        "print(jaxlab_probe_pkg.VALUE, sys.path.index(sys.path[-1]) == len(sys.path) - 1)"
    )
    env = {"JAXLAB_REQUIREMENTS_ENV": str(tmp_path / "env"), "PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-I", "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["42", "True"]


def test_without_requirements_env_nothing_is_added(tmp_path: Path) -> None:
    code = (
        "from jaxlab_harness.devices import add_requirements_env; print(add_requirements_env({}))"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "None"


def test_preimport_loads_jax_without_starting_a_backend() -> None:
    code = (
        "import sys; from jaxlab_harness.__main__ import preimport;"
        "print(preimport({'JAXLAB_PREIMPORT': 'jax,jax.numpy,bad name'}));"
        "from jax._src import xla_bridge; print('jax.numpy' in sys.modules,"
        " xla_bridge.backends_are_initialized())"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split("\n")[:2] == ["['jax', 'jax.numpy']", "True False"]

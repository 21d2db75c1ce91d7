"""The jaxlab kernel spec: argv, names and schema-valid metadata."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from jaxlab_harness import KERNEL_DISPLAY_NAME, __version__
from jaxlab_harness.kernelspec import kernel_spec
from jaxlab_harness.schemas import KERNEL_SPEC_METADATA_SCHEMA, validate


def test_kernel_spec_should_start_python_isolated_with_valid_metadata() -> None:
    spec = kernel_spec()
    assert spec["argv"] == [sys.executable, "-I", "-m", "jaxlab_harness", "-f", "{connection_file}"]
    assert spec["display_name"] == KERNEL_DISPLAY_NAME
    assert spec["interrupt_mode"] == "signal"
    metadata = spec["metadata"]["jaxlab"]
    validate(metadata, KERNEL_SPEC_METADATA_SCHEMA)
    assert metadata["designatedFunctions"] == ["main", "train_step"]
    assert "jax" in metadata["allowedImports"]
    assert metadata["harnessVersion"] == __version__
    assert metadata["sandboxed"] is True


def test_kernelspec_json_command_should_print_the_spec_with_configured_names() -> None:
    out = subprocess.run(
        [sys.executable, "-I", "-m", "jaxlab_harness", "kernelspec-json"],
        check=True,
        capture_output=True,
        text=True,
        env={"JAXLAB_DESIGNATED_FUNCTIONS": "run,evaluate"},
    ).stdout
    spec = json.loads(out)
    assert spec["metadata"]["jaxlab"]["designatedFunctions"] == ["run", "evaluate"]


def test_install_kernelspec_command_should_write_kernel_json_under_prefix(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "jaxlab_harness", "install-kernelspec", "--prefix", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    written = json.loads((tmp_path / "share/jupyter/kernels/jaxlab/kernel.json").read_text())
    assert written == json.loads(json.dumps(kernel_spec()))

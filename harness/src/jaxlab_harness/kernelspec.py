"""The ``jaxlab`` kernel spec: how to start the kernel and what a cell may do.

The gateway reads it with ``python -m jaxlab_harness kernelspec-json``; Jupyter
clients find it after ``python -m jaxlab_harness install-kernelspec``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import DEFAULT_DESIGNATED_FUNCTIONS, KERNEL_DISPLAY_NAME, KERNEL_SPEC_NAME, __version__
from .allow_list import allowed_imports
from .schemas import KERNEL_SPEC_METADATA_SCHEMA, validate


def kernel_spec(
    *,
    python: str | None = None,
    designated: Sequence[str] = DEFAULT_DESIGNATED_FUNCTIONS,
    imports: Sequence[str] | None = None,
    sandboxed: bool = True,
) -> dict[str, Any]:
    """The kernel.json document; ``metadata.jaxlab`` is validated against
    kernel-spec-metadata.schema.json."""
    metadata = {
        "designatedFunctions": list(designated),
        "allowedImports": list(imports if imports is not None else allowed_imports(None, {})),
        "harnessVersion": __version__,
        "sandboxed": sandboxed,
    }
    validate(metadata, KERNEL_SPEC_METADATA_SCHEMA)
    return {
        "argv": [python or sys.executable, "-I", "-m", "jaxlab_harness", "-f", "{connection_file}"],
        "display_name": KERNEL_DISPLAY_NAME,
        "language": "python",
        "interrupt_mode": "signal",
        "metadata": {"jaxlab": metadata, "debugger": False},
    }


def install_kernel_spec(*, prefix: str | None = None, user: bool = False) -> str:
    """Installs the spec as ``jaxlab`` under ``<prefix>/share/jupyter/kernels``
    (or the user's Jupyter data dir) and returns the folder it landed in."""
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as staging:
        folder = Path(staging) / KERNEL_SPEC_NAME
        folder.mkdir()
        (folder / "kernel.json").write_text(json.dumps(kernel_spec(), indent=2) + "\n")
        return KernelSpecManager().install_kernel_spec(
            str(folder), KERNEL_SPEC_NAME, user=user, prefix=None if user else prefix
        )


def spec_json() -> str:
    """The spec as JSON text (what ``kernelspec-json`` prints)."""
    designated = [
        n.strip() for n in os.environ.get("JAXLAB_DESIGNATED_FUNCTIONS", "").split(",") if n.strip()
    ] or list(DEFAULT_DESIGNATED_FUNCTIONS)
    return json.dumps(kernel_spec(designated=designated), indent=2)

"""The restricted kernel's identity and configuration: its traitlets (each
with help text and a default from the environment) and the options a job
runner's execute request may carry. The behaviour is in :mod:`.kernel`."""

from __future__ import annotations

import os
import platform
import re
from typing import Any

from ipykernel.kernelbase import Kernel
from traitlets import Float, Int, List, Unicode, default

from . import DEFAULT_DESIGNATED_FUNCTIONS, KERNEL_SPEC_NAME, __version__
from .allow_list import EXTRA_IMPORTS_ENV

DESIGNATED_ENV = "JAXLAB_DESIGNATED_FUNCTIONS"
"""Environment variable naming the designated functions (comma separated)."""

JOB_KERNEL_ENV = "JAXLAB_JOB_KERNEL"
"""Set to 1 by the gateway on kernels that run jobs: only their execute
requests may name the call's designated function and ask for a profile
(``metadata.jaxlab``), since only the gateway's job runner talks to them."""

WORKDIR_ENV = "JAXLAB_WORKDIR"
"""Environment variable naming the kernel's work folder (holds main.py)."""

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class KernelConfig(Kernel):
    """ipykernel's base kernel with the lab's identity and settings;
    :class:`~.kernel.JaxLabKernel` adds what it does."""

    implementation = KERNEL_SPEC_NAME
    implementation_version = __version__
    banner = (
        f"JAX TPU Lab restricted kernel {__version__}: main.py never runs as a script;"
        " a cell may call a designated function, e.g. main()."
    )
    language_info = {
        "name": "python",
        "version": platform.python_version(),
        "mimetype": "text/x-python",
        "file_extension": ".py",
        "pygments_lexer": "ipython3",
        "codemirror_mode": {"name": "ipython", "version": 3},
        "nbconvert_exporter": "python",
    }
    help_links = [
        {"text": "JAX documentation", "url": "https://docs.jax.dev/"},
    ]

    workdir = Unicode(
        help=f"Folder holding main.py, the project's other files and requirements.txt (env {WORKDIR_ENV};"
        " default: the current directory)."
    ).tag(config=True)

    designated_functions = List(
        Unicode(),
        help=f"Functions a cell may call (env {DESIGNATED_ENV}, comma separated;"
        " default: main, train_step).",
    ).tag(config=True)

    extra_imports = List(
        Unicode(),
        help=f"Modules main.py may import besides the defaults and requirements.txt"
        f" (env {EXTRA_IMPORTS_ENV}, comma separated).",
    ).tag(config=True)

    flush_interval_s = Float(
        0.02, help="Longest time captured output without a newline waits before it is sent."
    ).tag(config=True)

    max_stream_chars = Int(
        64 * 1024, help="Largest text of one stream message; floods are chunked."
    ).tag(config=True)

    @default("workdir")
    def _default_workdir(self) -> str:
        return os.environ.get(WORKDIR_ENV) or os.getcwd()

    @default("designated_functions")
    def _default_designated(self) -> list[str]:
        names = [n.strip() for n in os.environ.get(DESIGNATED_ENV, "").split(",")]
        names = [n for n in names if _IDENTIFIER.match(n)]
        return list(dict.fromkeys(names)) or list(DEFAULT_DESIGNATED_FUNCTIONS)

    @default("extra_imports")
    def _default_extra_imports(self) -> list[str]:
        return [n.strip() for n in os.environ.get(EXTRA_IMPORTS_ENV, "").split(",") if n.strip()]


def call_options(parent: dict[str, Any]) -> dict[str, Any]:
    """What the job runner asked of the call ``parent`` requests (job
    kernels only): ``designated`` (the names it may call, or None) and
    ``profile``."""
    options: dict[str, Any] = {"designated": None, "profile": False}
    if os.environ.get(JOB_KERNEL_ENV) != "1":
        return options
    metadata = parent.get("metadata") or {}
    asked = metadata.get("jaxlab") if isinstance(metadata, dict) else None
    if not isinstance(asked, dict):
        return options
    names = asked.get("designated")
    if (
        isinstance(names, list)
        and names
        and all(isinstance(n, str) and _IDENTIFIER.match(n) for n in names)
    ):
        options["designated"] = list(dict.fromkeys(names))[:16]
    options["profile"] = asked.get("profile") is True
    return options

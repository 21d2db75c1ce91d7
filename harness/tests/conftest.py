"""Shared fixtures: a short temp work folder and a real kernel started with
``python -I -m jaxlab_harness`` through jupyter_client."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def workdir() -> Iterator[Path]:
    # Short path: ZeroMQ ipc socket paths are limited to 107 bytes.
    path = Path(tempfile.mkdtemp(prefix="jxh-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def start_kernel(workdir: Path, *options: str, **env: str):
    """Starts the real kernel in ``workdir`` (``options``: extra command-line
    options such as ``--JaxLabKernel.max_stream_chars=N``); returns
    (manager, client)."""
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import KernelManager

    manager = KernelManager(transport="ipc", ip=str(workdir / "k"))
    manager._kernel_spec = KernelSpec(  # the spec the harness installs
        argv=[sys.executable, "-I", "-m", "jaxlab_harness", "-f", "{connection_file}", *options],
        display_name="JAX (restricted)",
        language="python",
        interrupt_mode="signal",
    )
    manager.connection_file = str(workdir / "kernel.json")
    full_env = {**os.environ, "JAXLAB_WORKDIR": str(workdir), **env}
    manager.start_kernel(env=full_env, cwd=str(workdir))
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    return manager, client

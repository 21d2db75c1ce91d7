"""Device truth before user code.

A job that asked for a TPU or GPU runs in a kernel whose JAX is pinned to
that platform (``JAX_PLATFORMS``, set by the gateway). Before the first
designated call, and before main.py's definitions are loaded, the kernel
asks JAX for its devices: a missing platform ends the call with
:class:`DeviceUnavailable`, saying what JAX saw, so no user code ever runs
silently on the CPU.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from typing import Any

REQUIRED_PLATFORM_ENV = "JAXLAB_REQUIRED_PLATFORM"
"""The platform the job asked for (cpu, gpu or tpu), set by the gateway."""

REQUIRED_DEVICES_ENV = "JAXLAB_REQUIRED_DEVICES"
"""How many devices of it the job asked for."""


class DeviceUnavailable(Exception):  # noqa: N818 - the ename the gateway maps
    """JAX in this kernel does not see the platform the job asked for."""


def check_devices(environ: Mapping[str, str] = os.environ) -> dict[str, Any] | None:
    """Checks that JAX sees the required platform; returns what it saw.

    Returns None when the kernel has no requirement (interactive kernels).

    Raises:
        DeviceUnavailable: the backend cannot start, is another platform, or
            has fewer devices than asked for; the message says what JAX saw.
    """
    required = environ.get(REQUIRED_PLATFORM_ENV, "").strip()
    if not required:
        return None
    try:
        count = max(1, int(environ.get(REQUIRED_DEVICES_ENV, "1")))
    except ValueError:
        count = 1
    pinned = environ.get("JAX_PLATFORMS", "")
    try:
        import jax

        devices = jax.devices()
        backend = jax.default_backend()
    except Exception as error:  # JAX raises RuntimeError, plugins others
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        # JAX's own advice (unset JAX_PLATFORMS) would mean a silent CPU run.
        first = re.sub(r"\s*\(set JAX_PLATFORMS=.*\)\s*$", "", first).rstrip(".")
        raise DeviceUnavailable(
            f"JAX could not start a {required} backend (JAX_PLATFORMS={pinned or 'unset'}):"
            f" {first[:600]}."
        ) from None
    kinds = sorted({str(d.device_kind) for d in devices})
    seen = f"{len(devices)} {backend} device(s) ({', '.join(kinds)[:200]})"
    if backend != required:
        raise DeviceUnavailable(f"JAX saw {seen}, not {required}.")
    if len(devices) < count:
        raise DeviceUnavailable(f"JAX saw {seen}; the job asked for {count}.")
    return {"platform": backend, "count": len(devices), "kinds": kinds[:16]}


def add_requirements_env(environ: Mapping[str, str] = os.environ) -> str | None:
    """Puts the job's read-only requirements environment on ``sys.path``.

    The kernel runs with ``python -I``, which ignores PYTHONPATH, so the
    gateway names the folder in JAXLAB_REQUIREMENTS_ENV instead. It goes
    *after* the venv's site-packages: pip's --target install may carry its
    own copy of jax, and the host's pinned JAX must win. The kernel adds it
    only after the device check (see the kernel's ``_check_devices``).
    """
    folder = environ.get("JAXLAB_REQUIREMENTS_ENV")
    if not folder:
        return None
    site = os.path.join(folder, "site-packages")
    path = site if os.path.isdir(site) else folder
    if path not in sys.path:
        sys.path.append(path)
    return path

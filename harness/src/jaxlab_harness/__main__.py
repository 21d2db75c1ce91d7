"""Entry point.

- ``python -I -m jaxlab_harness -f <connection_file>`` starts the kernel;
- ``python -m jaxlab_harness install-kernelspec [--prefix DIR | --user]``;
- ``python -m jaxlab_harness kernelspec-json`` prints the spec;
- ``python -I -m jaxlab_harness check`` / ``make-runnable`` / ``signatures``:
  the loader, Make it runnable and the designated functions' signatures over
  JSON on stdin (:mod:`.cli`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Mapping

PREIMPORT_ENV = "JAXLAB_PREIMPORT"
"""Modules a warm-pool kernel imports before it is ready (comma separated)."""


def preimport(environ: Mapping[str, str] = os.environ) -> list[str]:
    """Imports the modules named in ``JAXLAB_PREIMPORT`` (e.g. ``jax,jax.numpy``)
    so a job taken from the warm pool finds them loaded. Importing JAX does
    not start a backend: that waits for the job's device check."""
    imported = []
    for name in environ.get(PREIMPORT_ENV, "").split(","):
        name = name.strip()
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", name):
            importlib.import_module(name)
            imported.append(name)
    return imported


def main(argv: list[str] | None = None) -> int:
    """Runs the command in ``argv`` (default ``sys.argv[1:]``)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "install-kernelspec":
        parser = argparse.ArgumentParser(prog="python -m jaxlab_harness install-kernelspec")
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--prefix", help="install under PREFIX/share/jupyter/kernels")
        where.add_argument("--user", action="store_true", help="install for the current user")
        options = parser.parse_args(argv[1:])
        from .kernelspec import install_kernel_spec

        print(install_kernel_spec(prefix=options.prefix or sys.prefix, user=options.user))
        return 0
    if argv and argv[0] in ("check", "make-runnable", "signatures"):
        from .cli import run_command

        return run_command(argv[0])
    if argv and argv[0] == "kernelspec-json":
        from .kernelspec import spec_json

        print(spec_json())
        return 0
    from .kernelapp import launch

    preimport()
    launch(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
import os
import sys


def add_requirements_env(environ: dict[str, str] = os.environ) -> str | None:
    """Puts the job's read-only requirements environment on ``sys.path``.

    The kernel runs with ``python -I``, which ignores PYTHONPATH, so the
    gateway names the folder in JAXLAB_REQUIREMENTS_ENV instead. It goes
    *after* the venv's site-packages: pip's --target install may carry its
    own copy of jax, and the host's pinned JAX must win.
    """
    folder = environ.get("JAXLAB_REQUIREMENTS_ENV")
    if not folder:
        return None
    site = os.path.join(folder, "site-packages")
    path = site if os.path.isdir(site) else folder
    if path not in sys.path:
        sys.path.append(path)
    return path


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

    add_requirements_env()
    launch(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Launching the kernel through ipykernel's kernel application."""

from __future__ import annotations

from ipykernel.kernelapp import IPKernelApp
from traitlets import Bool

from .kernel import JaxLabKernel


class JaxLabKernelApp(IPKernelApp):
    """IPKernelApp with ipykernel's own fd capture off: the harness captures
    fds 1 and 2 itself, only while a designated call runs."""

    name = "jaxlab-kernel"

    capture_fd_output = Bool(
        False, help="ipykernel's fd forwarding; off because FdCapture does it per call."
    ).tag(config=True)


def launch(argv: list[str]) -> None:
    """Starts the kernel with command-line ``argv`` (``-f <connection_file>``)."""
    JaxLabKernelApp.launch_instance(argv=argv, kernel_class=JaxLabKernel)

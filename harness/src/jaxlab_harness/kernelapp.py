"""Launching the kernel through ipykernel's kernel application."""

from __future__ import annotations

import zmq
from ipykernel.kernelapp import IPKernelApp
from traitlets import Bool

from .kernel import JaxLabKernel

IOPUB_QUEUE_MESSAGES = 16
"""Messages ZeroMQ may queue on the kernel's iopub socket for the gateway."""


class JaxLabKernelApp(IPKernelApp):
    """IPKernelApp with ipykernel's own fd capture off (the harness captures
    fds 1 and 2 itself, only while a designated call runs) and an iopub
    socket that waits instead of dropping: a subscriber whose queue is full
    (the gateway reads more slowly than the program prints) holds the
    kernel's sends back, and the capture in turn holds the program's
    writes, so no output is lost on the way."""

    name = "jaxlab-kernel"

    capture_fd_output = Bool(
        False, help="ipykernel's fd forwarding; off because FdCapture does it per call."
    ).tag(config=True)

    def init_iopub(self, context: zmq.Context) -> None:  # type: ignore[override]
        super().init_iopub(context)
        # A PUB socket drops messages for a subscriber at its high-water
        # mark; with XPUB_NODROP a blocking send waits for room instead. A
        # small mark (set before the gateway connects) keeps the backlog
        # between program and gateway short.
        socket = self.iopub_thread.socket
        socket.setsockopt(zmq.XPUB_NODROP, 1)
        socket.setsockopt(zmq.SNDHWM, IOPUB_QUEUE_MESSAGES)


def launch(argv: list[str]) -> None:
    """Starts the kernel with command-line ``argv`` (``-f <connection_file>``)."""
    JaxLabKernelApp.launch_instance(argv=argv, kernel_class=JaxLabKernel)

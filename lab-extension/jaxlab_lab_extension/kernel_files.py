"""``PUT <base_url>jaxlab/kernels/<kernel_id>/files``: a project's files for a
notebook's kernel, passed on to the kernel gateway this Jupyter server runs
its kernels on (``--gateway-url``).

The browser cannot reach the gateway itself: the gateway's credential is the
Jupyter server's (in team mode, the one minted for this server's user), so
the gateway writes the files as the notebook's user, into the folder of a
kernel that user may reach, and refuses anything else. The body
(KernelFilesWrite: ``{files: {path: text}, remove: [path]}``) and the
gateway's answer, error envelope included, pass through unchanged.
"""

from __future__ import annotations

import json

from jupyter_server.base.handlers import APIHandler
from jupyter_server.gateway.gateway_client import GatewayClient
from jupyter_server.utils import url_escape, url_path_join
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError

MAX_BODY_BYTES = 8 * 1024 * 1024
"""Largest body passed on (the gateway's own limit)."""


class KernelFilesHandler(APIHandler):
    """Writes a project's files into a kernel's folder through the gateway."""

    @web.authenticated
    async def put(self, kernel_id: str) -> None:
        gateway = GatewayClient.instance()
        if not gateway.gateway_enabled:
            self._answer(
                409,
                {
                    "reason": "Conflict",
                    "message": "This Jupyter server does not run its kernels on a kernel gateway",
                    "code": "CONFLICT",
                    "hint": "Start JupyterLab with --gateway-url pointing at the JAX TPU Lab gateway (npm start does).",
                },
            )
            return
        if len(self.request.body) > MAX_BODY_BYTES:
            raise web.HTTPError(413, "The files are larger than 8 MiB")
        url = url_path_join(gateway.url, gateway.kernels_endpoint, url_escape(kernel_id), "files")
        request = gateway.load_connection_args(
            method="PUT",
            body=self.request.body,
            headers={"Content-Type": "application/json"},
        )
        try:
            response = await AsyncHTTPClient().fetch(url, **request)
        except HTTPClientError as error:
            body = error.response.body if error.response is not None else b""
            self._answer(error.code, _envelope(body, error.code))
            return
        except OSError as error:
            self._answer(
                503,
                {
                    "reason": "Service Unavailable",
                    "message": f"The kernel gateway at {gateway.url} cannot be reached: {error}",
                    "code": "NETWORK_ERROR",
                    "hint": "Check that the kernel gateway is running.",
                },
            )
            return
        self.set_status(response.code)
        self.finish()

    def _answer(self, status: int, envelope: dict) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(envelope))


def _envelope(body: bytes, status: int) -> dict:
    """The gateway's error envelope, or one saying what came back instead."""
    try:
        envelope = json.loads(body)
    except ValueError:
        envelope = None
    if isinstance(envelope, dict) and isinstance(envelope.get("code"), str):
        return envelope
    return {
        "reason": None,
        "message": f"The kernel gateway answered {status}",
        "code": "INTERNAL",
        "hint": "Check the kernel gateway's log.",
    }


def setup_handlers(web_app) -> None:
    """Adds the handler under the server's base URL."""
    base_url = web_app.settings["base_url"]
    route = url_path_join(base_url, "jaxlab", "kernels", r"(?P<kernel_id>[\w-]+)", "files")
    web_app.add_handlers(".*$", [(route, KernelFilesHandler)])

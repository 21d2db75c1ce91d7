"""Executes a notebook of designated calls through the jaxlab gateway with
jupyter_server's GatewayKernelManager and nbclient; prints the outputs as JSON.

Usage: python run_notebook.py <gateway_url> <token> <main.py path>
"""

import asyncio
import json
import sys
import urllib.request

import nbformat
import websocket
from jupyter_server.gateway.gateway_client import GatewayClient
from jupyter_server.gateway.managers import GatewayKernelManager
from nbclient import NotebookClient


def send_token_on_websockets(token: str) -> None:
    """GatewayKernelClient opens its channels WebSocket without the
    GatewayClient's auth header (a jupyter_server limitation); add it."""
    create_connection = websocket.create_connection

    def with_token(url, **kwargs):
        kwargs["header"] = [*kwargs.get("header", []), f"Authorization: token {token}"]
        return create_connection(url, **kwargs)

    websocket.create_connection = with_token


async def run(url: str, token: str, main_py: str) -> None:
    send_token_on_websockets(token)
    GatewayClient.instance(url=url, auth_token=token)
    km = GatewayKernelManager(kernel_name="jaxlab")
    await km.start_kernel(kernel_name="jaxlab")
    with open(main_py, encoding="utf-8") as f:
        code = f.read()
    request = urllib.request.Request(
        f"{url}/api/kernels/{km.kernel_id}/files/main.py",
        data=code.encode(),
        method="PUT",
        headers={"Authorization": f"token {token}", "Content-Type": "text/plain"},
    )
    urllib.request.urlopen(request, timeout=30).close()
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("main(n=2)"),
            nbformat.v4.new_code_cell("train_step(seconds=0)"),
        ]
    )
    client = NotebookClient(nb, km=km, kernel_name="jaxlab", timeout=60)
    await client.async_execute()
    await km.shutdown_kernel()
    nbformat.validate(nb)
    print(json.dumps([cell.outputs for cell in nb.cells]))


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1], sys.argv[2], sys.argv[3]))

"""Jupyter Kernel Gateway with TCP_NODELAY on its HTTP/WebSocket sockets.

Reference variant for bench/gateway-vs-kernel-gateway.mjs only. Tornado does
not set TCP_NODELAY on WebSockets unless the handler asks
(``WebSocketHandler.set_nodelay``) and jupyter_server's channels handler does
not, so a reply written right after a small message waits for the client's
delayed ACK (~40 ms on Linux). This launcher sets the flag on every WebSocket
connection and then starts Kernel Gateway unchanged, showing what the peer's
round trip is without that artefact.
"""

import sys

from tornado.websocket import WebSocketProtocol13

_write_message = WebSocketProtocol13.write_message


def _write_message_nodelay(self, message, binary=False):  # type: ignore[no-untyped-def]
    # HTTP1Connection turns TCP_NODELAY off after the upgrade response, so
    # set it on the WebSocket's stream before its first message.
    if not getattr(self, "_bench_nodelay", False):
        self._bench_nodelay = True
        self.set_nodelay(True)
    return _write_message(self, message, binary)


WebSocketProtocol13.write_message = _write_message_nodelay  # type: ignore[method-assign]

from kernel_gateway import launch_instance  # noqa: E402

if __name__ == "__main__":
    sys.exit(launch_instance())

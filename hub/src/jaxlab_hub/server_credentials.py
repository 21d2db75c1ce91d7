"""The kernel gateway credential of a user's single-user server, minted by
the lab server at spawn (``POST /api/hub/credentials``) and revoked at stop,
after the kernels started with it are shut down."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from tornado.httpclient import AsyncHTTPClient, HTTPRequest


@dataclass(frozen=True)
class ServerCredential:
    """A minted credential: its id (to revoke it) and its secret."""

    id: str
    user_id: str
    token: str


class LabServerClient:
    """The lab server's hub API, authenticated with the hub token."""

    def __init__(self, server_url: str, hub_token: str) -> None:
        self._base = server_url.rstrip("/") + "/api/hub/credentials"
        self._headers = {
            "Authorization": f"Bearer {hub_token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    async def mint(self, user_id: str) -> ServerCredential:
        """Mints a credential of ``user_id`` (the OpenID subject)."""
        response = await AsyncHTTPClient().fetch(
            HTTPRequest(
                self._base,
                method="POST",
                headers=self._headers,
                body=json.dumps({"userId": user_id}),
                request_timeout=20,
            )
        )
        body = json.loads(response.body)
        return ServerCredential(body["id"], body["userId"], body["token"])

    async def revoke(self, credential_id: str, user_id: str) -> None:
        """Revokes a credential; one already gone counts as revoked."""
        url = f"{self._base}/{quote(credential_id)}?userId={quote(user_id)}"
        response = await AsyncHTTPClient().fetch(
            HTTPRequest(url, method="DELETE", headers=self._headers, request_timeout=20),
            raise_error=False,
        )
        if response.code not in (204, 404):
            response.rethrow()


async def shut_down_kernels(gateway_url: str, token: str) -> int:
    """Shuts down every kernel ``token`` sees on the gateway (only its
    user's); returns how many. Errors of single kernels are skipped."""
    headers = {"Authorization": f"token {token}"}
    base = gateway_url.rstrip("/") + "/api/kernels"
    client = AsyncHTTPClient()
    listed = await client.fetch(
        HTTPRequest(base, headers=headers, request_timeout=20), raise_error=False
    )
    if listed.code != 200:
        return 0
    count = 0
    for kernel in json.loads(listed.body):
        response = await client.fetch(
            HTTPRequest(
                f"{base}/{quote(kernel['id'])}",
                method="DELETE",
                headers=headers,
                request_timeout=20,
            ),
            raise_error=False,
        )
        count += response.code == 204
    return count

"""The spawner of the lab's single-user servers."""

from __future__ import annotations

import json
import os
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from tornado.httpclient import HTTPClientError
from traitlets import Unicode

from .reachable_paths import find_exposures, python_home, unprivileged_command
from .server_credentials import LabServerClient, ServerCredential, shut_down_kernels
from .system_users import SystemAccount, ensure_system_account


class JaxLabSpawner(LocalProcessSpawner):
    """Starts each user's JupyterLab as that user's own system account.

    On every start: creates the account on first use (as TLJH's
    user-creating spawner), (re)sets its home and notebooks folder to 0700,
    mints the user's kernel gateway credential at the lab server, and
    starts ``jupyterhub-singleuser`` with the gateway as its only kernel
    provider (``JUPYTER_GATEWAY_URL``; no local kernels), terminals off and
    the lab extension pointed at the lab server. On stop the credential is
    revoked, after the kernels started with it are shut down. The
    credential travels in the environment, never in argv (which every
    account can read in /proc).
    """

    server_url = Unicode(
        config=True, help="The lab server as browsers reach it (the extension's serverUrl)."
    )
    server_api_url = Unicode(
        config=True,
        help="The lab server as the hub reaches it, for minting credentials (default: server_url).",
    )
    hub_token = Unicode(config=True, help="The hub's token at the lab server's hub API.")
    gateway_url = Unicode(config=True, help="The kernel gateway single-user servers use.")
    home_root = Unicode("/home", config=True, help="Where the users' home folders are created.")
    venv = Unicode(
        config=True, help="The virtual environment with jupyterhub-singleuser and the lab."
    )

    async def start(self):
        account = self._account = ensure_system_account(self.user.name, Path(self.home_root))
        self._write_lab_settings(account)
        venv = Path(self.venv)
        exposures = find_exposures([venv, python_home(venv)], account.uid, account.gid)
        self.cmd = unprivileged_command(
            [str(venv / "bin" / "jupyterhub-singleuser")], account.uid, account.gid, exposures
        )
        user_id = await self._user_id()
        client = LabServerClient(self.server_api_url or self.server_url, self.hub_token)
        self._credential = await client.mint(user_id)
        self.notebook_dir = str(account.notebooks)
        try:
            return await super().start()
        except Exception:
            await self._revoke()
            raise

    async def stop(self, now=False):
        # The user's kernels go first, then their credential: the server
        # stops at once (its own shutdown no longer waits on the gateway)
        # and the gateway refuses the credential from this moment on.
        await self._revoke()
        await super().stop(now=now)

    def get_env(self):
        env = super().get_env()
        env["JUPYTER_GATEWAY_URL"] = self.gateway_url
        credential: ServerCredential | None = getattr(self, "_credential", None)
        if credential is not None:
            env["JUPYTER_GATEWAY_AUTH_TOKEN"] = credential.token
        env["PATH"] = f"{self.venv}/bin:/usr/local/bin:/usr/bin:/bin"
        return env

    def user_env(self, env):
        account = self._account
        env["USER"] = account.name
        env["HOME"] = str(account.home)
        env["SHELL"] = "/usr/sbin/nologin"
        return env

    def make_preexec_fn(self, name):
        home = str(self._account.home)
        return lambda: os.chdir(home)

    def get_args(self):
        return [*super().get_args(), "--ServerApp.terminals_enabled=False"]

    async def _user_id(self) -> str:
        auth_state = await self.user.get_auth_state() or {}
        subject = (auth_state.get("oauth_user") or {}).get("sub")
        if not subject:
            raise RuntimeError(
                f"{self.user.name} has no OpenID subject in auth_state: sign out and in again"
            )
        return str(subject)

    async def _revoke(self) -> None:
        credential: ServerCredential | None = getattr(self, "_credential", None)
        self._credential = None
        if credential is None:
            return
        try:
            await shut_down_kernels(self.gateway_url, credential.token)
        except (OSError, HTTPClientError) as error:
            self.log.warning("Could not shut down %s's kernels: %s", self.user.name, error)
        client = LabServerClient(self.server_api_url or self.server_url, self.hub_token)
        try:
            await client.revoke(credential.id, credential.user_id)
        except (
            OSError,
            HTTPClientError,
        ) as error:  # the server may be down; the hub must still stop
            self.log.warning("Could not revoke %s's gateway credential: %s", self.user.name, error)

    def _write_lab_settings(self, account: SystemAccount) -> None:
        """The extension's serverUrl (and no news) in the user's JupyterLab
        settings, written before the first start only (root never writes
        into a folder the user has had); the user may change them later."""
        if os.path.lexists(account.home / ".jupyter"):
            return
        settings = account.home / ".jupyter" / "lab" / "user-settings"
        files = {
            ("@jaxlab", "lab-extension", "plugin"): {"serverUrl": self.server_url},
            ("@jupyterlab", "apputils-extension", "notification"): {
                "fetchNews": "false",
                "checkForUpdates": False,
            },
        }
        for (scope, package, plugin), values in files.items():
            folder = settings / scope / package
            path = folder / f"{plugin}.jupyterlab-settings"
            if path.exists():
                continue
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        for folder, _dirs, names in os.walk(account.home / ".jupyter"):
            os.lchown(folder, account.uid, account.gid)
            for name in names:
                os.lchown(os.path.join(folder, name), account.uid, account.gid)

# JupyterHub configuration of JAX TPU Lab's team mode, read from the
# environment that scripts/start-lab.mjs (--team) sets:
#
#   JAXLAB_HUB_DIR            state: database, cookie secret, pid file
#   JAXLAB_HUB_BIND_URL       the public URL (configurable-http-proxy listens there)
#   JAXLAB_HUB_API_PORT       the hub's own port (127.0.0.1)
#   JAXLAB_PROXY_API_PORT     the proxy's REST API port (127.0.0.1)
#   JAXLAB_PROXY_COMMAND      configurable-http-proxy executable (from npm)
#   JAXLAB_SERVER_URL         the lab server (its OpenID provider is at /oidc)
#   JAXLAB_HUB_CLIENT_SECRET  the hub's OAuth client secret at the lab server
#   JAXLAB_HUB_TOKEN          the hub's token for minting gateway credentials
#   JAXLAB_GATEWAY_URL        the kernel gateway
#   JAXLAB_HUB_HOME_ROOT      where user accounts' homes go (default /home)
#   JAXLAB_IDLE_TIMEOUT_S     idle servers are culled after this many seconds (default 3600)
#   JAXLAB_VENV               the venv with jupyterhub-singleuser and the lab
#   JUPYTERHUB_CRYPT_KEY      encrypts auth_state (the OpenID subject, tokens)
import os
import sys

from jaxlab_hub.spawner import JaxLabSpawner

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file
env = os.environ
hub_dir = env["JAXLAB_HUB_DIR"]
server = env["JAXLAB_SERVER_URL"].rstrip("/")
issuer = f"{server}/oidc"
bind_url = env["JAXLAB_HUB_BIND_URL"].rstrip("/")

c.JupyterHub.bind_url = bind_url
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{env['JAXLAB_HUB_API_PORT']}"
c.JupyterHub.db_url = f"sqlite:///{hub_dir}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{hub_dir}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = f"{hub_dir}/jupyterhub.pid"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
# Signing out stops the user's server (and so revokes its gateway credential).
c.JupyterHub.shutdown_on_logout = True
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env['JAXLAB_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.command = [env["JAXLAB_PROXY_COMMAND"]]
c.ConfigurableHTTPProxy.pid_file = f"{hub_dir}/proxy.pid"

# Sign-in: the lab server's OpenID provider, through oauthenticator.
c.JupyterHub.authenticator_class = "generic-oauth"
c.GenericOAuthenticator.client_id = "jupyterhub"
c.GenericOAuthenticator.client_secret = env["JAXLAB_HUB_CLIENT_SECRET"]
c.GenericOAuthenticator.oauth_callback_url = f"{bind_url}/hub/oauth_callback"
c.GenericOAuthenticator.authorize_url = f"{issuer}/auth"
c.GenericOAuthenticator.token_url = f"{issuer}/token"
c.GenericOAuthenticator.userdata_url = f"{issuer}/me"
c.GenericOAuthenticator.scope = ["openid", "email", "profile", "groups"]
c.GenericOAuthenticator.username_claim = "preferred_username"
c.GenericOAuthenticator.login_service = "JAX TPU Lab"
c.GenericOAuthenticator.basic_auth = True
c.GenericOAuthenticator.enable_pkce = True
# Whoever the lab server signs in may use the hub; the server is the gate.
c.GenericOAuthenticator.allow_all = True
# Lab admins (the lab server's `groups: ["admin"]` claim) get a role that
# opens the admin page and starts and stops servers, but, unlike
# JupyterHub's own admin role, no access to other users' servers.
c.GenericOAuthenticator.auth_state_groups_key = "oauth_user.groups"
c.GenericOAuthenticator.manage_groups = True
c.GenericOAuthenticator.enable_auth_state = True
c.GenericOAuthenticator.auto_login = True
# Re-check the access token at the provider every minute: a user who signed
# out at the lab server (which revokes it) must sign in again.
c.GenericOAuthenticator.auth_refresh_age = 60
c.GenericOAuthenticator.refresh_pre_spawn = True
# Signing out of the hub signs out of the lab server too (and back).
c.GenericOAuthenticator.logout_redirect_url = f"{server}/auth/logout"

# One system account and one JupyterLab per user, on the gateway's kernels.
c.JupyterHub.spawner_class = JaxLabSpawner
c.JaxLabSpawner.server_url = server
c.JaxLabSpawner.hub_token = env["JAXLAB_HUB_TOKEN"]
c.JaxLabSpawner.gateway_url = env["JAXLAB_GATEWAY_URL"]
c.JaxLabSpawner.home_root = env.get("JAXLAB_HUB_HOME_ROOT", "/home")
c.JaxLabSpawner.venv = env.get("JAXLAB_VENV", sys.prefix)
c.JaxLabSpawner.default_url = "/lab"
c.JaxLabSpawner.ip = "127.0.0.1"
c.JaxLabSpawner.start_timeout = 90
c.JaxLabSpawner.http_timeout = 90
# Stopping: the spawner has already shut the user's kernels down and revoked
# the gateway credential, so there is nothing left for a slow shutdown to
# save (notebooks are saved by the lab as they are edited); jupyter_server
# would otherwise retry the gateway with back-off for half a minute.
c.JaxLabSpawner.interrupt_timeout = 2
c.JaxLabSpawner.term_timeout = 3
c.JaxLabSpawner.kill_timeout = 5
c.JaxLabSpawner.args = [
    "--LabApp.news_url=",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    # Lists a folder whose file is renamed meanwhile (see contents.py).
    "--ServerApp.contents_manager_class=jaxlab_lab_extension.contents.ContentsManager",
]

# Idle servers stop (jupyterhub-idle-culler); the next visit starts them
# again, files intact. The hub collects activity (requests through the
# proxy, each server's own report) and the culler looks for idle servers
# every `activity_check_s`: a sixth of the timeout, at most JupyterHub's
# default of 5 minutes. So a server stops between timeout and timeout + one
# check after its last use, and one in use never looks idle for want of a
# fresh report.
idle_timeout_s = int(env.get("JAXLAB_IDLE_TIMEOUT_S", "3600"))
activity_check_s = max(1, min(300, idle_timeout_s // 6))
c.JupyterHub.last_activity_interval = activity_check_s
c.JaxLabSpawner.environment = {"JUPYTERHUB_ACTIVITY_INTERVAL": str(activity_check_s)}
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={idle_timeout_s}",
            f"--cull-every={activity_check_s}",
        ],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "lab-admin",
        "description": "See users and stop or start their servers; never enter them",
        "scopes": [
            "admin-ui",
            "list:users",
            "read:users",
            "servers",
            "list:groups",
            "read:groups",
        ],
        "groups": ["admin"],
    },
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
]

"""JAX TPU Lab on JupyterHub: the hub's configuration, the spawner that
creates each user's system account, and the credentials it mints for the
kernel gateway. Start the hub with ``jupyterhub -f <this package>/jupyterhub_config.py``
(``scripts/start-lab.mjs --team`` does)."""

from pathlib import Path

#: The hub configuration file of this package.
CONFIG_FILE = Path(__file__).with_name("jupyterhub_config.py")

#!/usr/bin/env bash
# Installs whatever is missing, then starts the lab on this machine: the
# control-plane server, one kernel gateway (which also runs jobs) and
# JupyterLab with the extension, all on the embedded SQLite store under
# .jaxlab/ (or MongoDB when MONGODB_URI is set). Ctrl-C stops everything.
#
# Environment: JAXLAB_SERVER_PORT (8700), JAXLAB_GATEWAY_PORT (8701),
# JAXLAB_LAB_PORT (8888), JAXLAB_DATA_DIR (.jaxlab), JAXLAB_IP (127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec node scripts/start-lab.mjs "$@"

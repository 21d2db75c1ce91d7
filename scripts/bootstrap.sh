#!/usr/bin/env bash
# Installs whatever is missing, and nothing else: Debian packages, the
# project-local Python environment (.venv, with JAX for the host's
# accelerator: JAXLAB_ACCELERATOR=auto|cpu|cuda|cuda12|cuda13|tpu|rocm), npm
# packages, then builds the TypeScript packages, the harness and the
# JupyterLab extension. Idempotent: each step is skipped when the stamp of
# its inputs has not changed.
#
# Usage: scripts/bootstrap.sh [--test]   (--test adds test-only tools)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WITH_TEST=0
[ "${1:-}" = "--test" ] && WITH_TEST=1
STAMPS=$ROOT/.jaxlab/stamps
mkdir -p "$STAMPS"

say() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*"; }
hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }
fresh() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
stamp() { echo "$2" >"$STAMPS/$1"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else say "need root for: $*"; return 1; fi
}

# --- Debian packages --------------------------------------------------------
apt_missing=()
command -v bwrap >/dev/null || apt_missing+=(bubblewrap)
command -v prlimit >/dev/null || apt_missing+=(util-linux)
# libseccomp's Python binding (for the system python3) compiles the
# kernels' seccomp filter (kernel-gateway/seccomp/).
/usr/bin/python3 -c 'import seccomp' 2>/dev/null || apt_missing+=(python3-seccomp)
if [ $WITH_TEST = 1 ]; then
  command -v chromium >/dev/null || apt_missing+=(chromium)
  command -v java >/dev/null || apt_missing+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || apt_missing+=(maven)
fi
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${apt_missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

# --- Python environment -----------------------------------------------------
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  "$PY" -m venv .venv
fi
# JupyterLab runs its node-version-check.js (CommonJS) from inside .venv,
# where Node would apply this repository's "type": "module"; JupyterLab then
# logs "require is not defined" and believes Node is missing.
[ -f .venv/package.json ] || echo '{ "type": "commonjs" }' >.venv/package.json
req=scripts/requirements.txt
[ $WITH_TEST = 1 ] && req=scripts/requirements-test.txt

# JAX built for this host's accelerator: JAXLAB_ACCELERATOR=auto (default)
# picks cuda where an NVIDIA driver is loaded, tpu where the PCI bus has a
# Google TPU (as JAX's own cloud_tpu_init counts them), else cpu.
jax_extra() {
  local want=${JAXLAB_ACCELERATOR:-auto}
  if [ "$want" = auto ]; then
    if [ -e /dev/nvidiactl ] || [ -e /proc/driver/nvidia/version ]; then want=cuda
    elif grep -qsx 0x1ae0 /sys/bus/pci/devices/*/vendor; then want=tpu
    else want=cpu; fi
  fi
  case $want in
    cpu|tpu|cuda12|cuda13) echo "$want" ;;
    # CUDA 13 wheels need an R580+ driver; older drivers get CUDA 12.
    cuda) local major
      major=$(sed -n 's/.*Kernel Module[^0-9]*\([0-9]*\)\..*/\1/p' /proc/driver/nvidia/version 2>/dev/null)
      if [ "${major:-0}" -ge 580 ]; then echo cuda13; else echo cuda12; fi ;;
    rocm) echo rocm7-local ;;
    *) say "JAXLAB_ACCELERATOR must be auto, cpu, cuda, cuda12, cuda13, tpu or rocm (got '$want')" >&2
       return 1 ;;
  esac
}
extra=$(jax_extra)
jax_pin=$(grep -E '^jax==' scripts/requirements-jax.txt)
h="$(hash_of scripts/requirements*.txt)-$extra"
if ! fresh "pip-$(basename $req)" "$h"; then
  say "installing Python packages ($req, ${jax_pin/==/[$extra]==})"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$req" "${jax_pin/==/[$extra]==}"
  stamp "pip-$(basename $req)" "$h"
fi
h=$(find harness/pyproject.toml harness/src schemas/json -type f -not -path '*__pycache__*' -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)
if ! fresh harness "$h"; then
  say "installing the harness into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --force-reinstall ./harness
  stamp harness "$h"
fi
# The server's JAX lint (it imports the harness's jax_names).
h=$(find server/python/pyproject.toml server/python/README.md server/python/src -type f -not -path '*__pycache__*' -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)
if ! fresh jaxlab-lint "$h"; then
  say "installing the JAX lint into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --force-reinstall ./server/python
  stamp jaxlab-lint "$h"
fi
# Team mode's JupyterHub configuration and spawner.
h=$(find hub/pyproject.toml hub/src -type f -not -path '*__pycache__*' -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)
if ! fresh hub "$h"; then
  say "installing the team-mode hub configuration into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --force-reinstall ./hub
  stamp hub "$h"
fi

# --- npm packages and builds ------------------------------------------------
h=$(hash_of package.json package-lock.json */package.json)
if [ ! -d node_modules ] || ! fresh npm "$h"; then
  say "installing npm packages"
  npm install --no-audit --no-fund --loglevel=error
  stamp npm "$(hash_of package.json package-lock.json */package.json)"
fi
say "building TypeScript packages"
npx tsc -b

# The bundle includes @jaxlab/schemas/contract: its sources count too.
h=$(find lab-extension/src lab-extension/style lab-extension/schema lab-extension/jaxlab_lab_extension lab-extension/jupyter-config lab-extension/package.json lab-extension/pyproject.toml schemas/src schemas/json -type f -not -path '*__pycache__*' -not -path '*/labextension/*' 2>/dev/null -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)
if [ -f lab-extension/pyproject.toml ] && ! fresh lab-extension "$h"; then
  say "building the JupyterLab extension"
  # Through the package's script: it makes lab-extension/node_modules first,
  # without which `jupyter labextension build` would run jlpm (yarn) over
  # the whole npm workspace.
  PATH="$ROOT/.venv/bin:$PATH" npm run build -w @jaxlab/lab-extension --silent
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --force-reinstall ./lab-extension
  stamp lab-extension "$h"
fi
say "ready"

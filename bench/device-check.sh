#!/usr/bin/env bash
# Evidence from a real accelerator: the gateway's restricted kernel inside
# bubblewrap, with the host's GPU passed through, runs the matrix-multiply
# and spirals samples as jobs; the same programs run with plain python for
# the sandbox's overhead. Device kind, versions, compile and execution time,
# TFLOP/s, peak device memory and the compile cache's hit on a second run go
# into docs/evidence/<date>-<device>.json and one line of docs/benchmarks.md.
#
#   bench/device-check.sh prepare        here, with the package registries: fills
#                                        .device-carry/ (<= 64 MiB, git-ignored)
#   bench/device-check.sh run [--cpu] [--out DIR] [-- check options]
#                                        on the accelerator machine, from
#                                        .device-carry/ alone (no network): the
#                                        check; --cpu runs the same on this
#                                        machine's CPU with the lab's .venv
#   bench/device-check.sh record FILE    adds a run's evidence to docs/
#
# Through the device tool: run(command="bash bench/device-check.sh run --out
# $OUT", carry=[".device-carry"], timeout_s=540), then `record` the JSON it
# brings back.
#
# The accelerator machine (an NVIDIA one): Python 3.12 with JAX and its CUDA
# plugin installed (JAXLAB_DEVICE_PYTHON, default python3), root, no network.
# .device-carry/ brings Node (xz), the gateway bundled with esbuild and its
# two native modules, bubblewrap unpacked from its Debian package, and the
# wheels the restricted kernel needs that the machine lacks (the harness's).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CARRY=$ROOT/.device-carry
say() { printf '\033[1m[device-check]\033[0m %s\n' "$*" >&2; }

prepare() {
  rm -rf "$CARRY" && mkdir -p "$CARRY/bin" "$CARRY/wheels" "$CARRY/node_modules"
  say "building the gateway and bundling the check"
  npx tsc -b kernel-gateway store
  npx esbuild bench/device-check/check.mjs --bundle --platform=node --format=esm \
    --target=node20 --outfile="$CARRY/check.mjs" --log-level=warning \
    --external:zeromq --external:better-sqlite3 \
    --external:kerberos --external:snappy --external:socks --external:aws4 \
    --external:gcp-metadata --external:mongodb-client-encryption \
    --external:@mongodb-js/zstd --external:@aws-sdk/credential-providers \
    --banner:js="import { createRequire as jaxlabRequire } from 'node:module'; const require = jaxlabRequire(import.meta.url);"
  say "the native modules (linux x64 glibc builds only) and Node"
  local abi
  abi=$(node -p process.versions.modules)
  # Builds for this Node ABI against newer and older glibc (the loader picks
  # the first that loads: Ubuntu 24.04 there, Debian 12 here).
  copy_module zeromq package.json lib build/manifest.json \
    "build/linux/x64/node/glibc-$abi-Release" build/linux/x64/node/glibc-127-Release \
    "build/linux/x64/node/$abi"
  copy_module cmake-ts package.json build/loader.js
  copy_module better-sqlite3 package.json lib build/Release/better_sqlite3.node
  copy_module bindings package.json bindings.js
  copy_module file-uri-to-path package.json index.js
  xz -T2 -6 -c "$(command -v node)" >"$CARRY/node.xz"
  say "bubblewrap, from its Debian package"
  local debs
  debs=$(mktemp -d)
  (cd "$debs" && { apt-get download -qq bubblewrap 2>/dev/null ||
    { apt-get update -qq && apt-get download -qq bubblewrap; }; } >/dev/null)
  dpkg-deb -x "$debs"/bubblewrap_*.deb "$debs/root"
  cp "$debs/root/usr/bin/bwrap" "$CARRY/bin/bwrap"
  rm -rf "$debs"
  say "wheels for Python 3.12 (the harness and what it needs that the machine lacks)"
  .venv/bin/python -m pip wheel -q --no-deps -w "$CARRY/wheels" ./harness
  .venv/bin/python -m pip download -q --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 --platform any -d "$CARRY/wheels" \
    "$(grep -E '^ipykernel' scripts/requirements.txt)" 'jsonschema>=4.23' 'traitlets>=5.9'
  # What the machine's image already has (KINDS.md of the device tool).
  for present in numpy packaging psutil pygments typing_extensions attrs \
    python_dateutil six; do
    rm -f "$CARRY/wheels/${present}"-*.whl
  done
  cp bench/device-check.sh "$CARRY/"
  local size
  size=$(du -sb "$CARRY" | cut -f1)
  say "carry: $((size / 1024 / 1024)) MiB in $CARRY"
  [ "$size" -le $((60 * 1024 * 1024)) ] || { say "over 60 MiB: too big to carry"; exit 1; }
}

# copy_module NAME PATH...: node_modules/NAME's listed files into the carry.
copy_module() {
  local name=$1
  shift
  for item in "$@"; do
    mkdir -p "$CARRY/node_modules/$name/$(dirname "$item")"
    cp -r "node_modules/$name/$item" "$CARRY/node_modules/$name/$item"
  done
}

run() {
  local cpu=0 out=""
  while [ $# -gt 0 ]; do
    case $1 in
      --cpu) cpu=1 ;;
      --out) out=$2; shift ;;
      --) shift; break ;;
      *) say "unknown option $1"; exit 2 ;;
    esac
    shift
  done
  [ -f "$CARRY/check.mjs" ] || { say "no $CARRY: run 'bench/device-check.sh prepare' first"; exit 2; }
  local node=/tmp/jaxlab-node
  xz -dc "$CARRY/node.xz" >"$node" && chmod +x "$node"
  chmod +x "$CARRY/bin/bwrap"
  export PATH="$CARRY/bin:$PATH"
  local venv args=()
  if [ $cpu = 1 ]; then
    venv=$ROOT/.venv
    args=(--accelerator cpu --size 1024 --repeats 10 --dtype float32)
  else
    local py
    py=$(command -v "${JAXLAB_DEVICE_PYTHON:-python3}")
    venv=$("$py" -c 'import sys; print(sys.prefix)')
    install_wheels "$venv/bin/python"
    command -v nvidia-smi >/dev/null && nvidia-smi -L >&2 || true
  fi
  say "bwrap $(bwrap --version), node $("$node" --version), python $("$venv/bin/python" -V 2>&1)"
  "$node" "$CARRY/check.mjs" --venv "$venv" --samples "$ROOT/server/src/samples" \
    --out "${out:-$ROOT/docs/evidence}" "${args[@]}" "$@"
}

# Installs the carried wheels the machine's Python lacks (never replacing one
# it has), and the harness always.
install_wheels() {
  local python=$1 missing=()
  for wheel in "$CARRY"/wheels/*.whl; do
    local name
    name=$(basename "$wheel" | cut -d- -f1)
    if [ "$name" = jaxlab_harness ] ||
      ! "$python" -c "import importlib.metadata as m, sys; m.version(sys.argv[1])" "$name" 2>/dev/null; then
      missing+=("$wheel")
    fi
  done
  say "installing ${#missing[@]} wheels into $python"
  "$python" -m pip install -q --no-index --no-deps --no-compile --force-reinstall \
    --disable-pip-version-check "${missing[@]}"
}

# record FILE: the evidence into docs/evidence/ and its line into docs/benchmarks.md.
record() {
  local file=$1 line
  mkdir -p docs/evidence
  cp "$file" docs/evidence/
  line=$(node --input-type=module -e "
    import { readFileSync } from 'node:fs';
    import { evidenceLine } from './bench/device-check/evidence-line.mjs';
    const file = process.argv[1];
    console.log(evidenceLine(JSON.parse(readFileSync(file, 'utf8')), file));
  " "docs/evidence/$(basename "$file")")
  printf '%s\n' "$line" >>docs/benchmarks.md
  say "recorded: $line"
}

case ${1:-} in
  prepare) prepare ;;
  run) shift; run "$@" ;;
  record) record "$2" ;;
  *) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

#!/usr/bin/env bash
# Runs the benchmarks (npm run bench). Builds first so the figures are of
# the current sources. Extra arguments go to neither; run a bench alone with
# `node bench/<name>.mjs --help`-style flags (see the top of each file).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -b kernel-gateway server >/dev/null
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# git $(git rev-parse --short HEAD)"
echo
echo "## issue 2: gateway vs Jupyter Kernel Gateway"
node bench/gateway-vs-kernel-gateway.mjs 2> >(grep '^#' >&2)
echo
echo "## issue 3: jobs"
node bench/jobs.mjs 2> >(grep -E '^#|Error|error' >&2)
echo
echo "## issue 11: loader acceptance"
.venv/bin/python bench/loader-acceptance/run.py
echo
echo "## issue 9: a kernel's output flood"
node bench/flood.mjs 2> >(grep -E '^#|Error|error' >&2)
echo
echo "## issue 9: cold start with the seccomp filter"
node bench/seccomp.mjs 2> >(grep -E '^#|Error|error' >&2)
echo
echo "## issue 12: experiments (step metrics, chart data, rendering)"
node bench/experiments.mjs 2> >(grep -E '^#|Error|error' >&2)
echo
echo "## issue 13: sweep overhead and the leaderboard"
node bench/sweeps.mjs 2> >(grep -E '^#|Error|error' >&2)
echo
echo "## issue 14: data viewer and artifact throughput"
node bench/outputs.mjs 2> >(grep -E '^#|Error|error' >&2)
echo
echo "## issue 17: scale-out (coordination through the store, 1-3 gateways)"
node bench/scaleout.mjs 2> >(grep -E '^#|Error|error' >&2)
echo
echo "## issue 10: warm start and the compile cache"
node bench/accelerator.mjs 2> >(grep -E '^#|Error|error' >&2)
echo
echo "# done $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"

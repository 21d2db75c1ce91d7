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
# One node bench under its heading; of its stderr only the progress lines
# (# ...) and errors pass.
bench() {
  echo "## $1"
  node "bench/$2" 2> >(grep -E '^#|Error|error' >&2)
  echo
}

bench "issue 2: gateway vs Jupyter Kernel Gateway" gateway-vs-kernel-gateway.mjs
bench "issue 3: jobs" jobs.mjs
echo "## issue 11: loader acceptance"
.venv/bin/python bench/loader-acceptance/run.py
echo
bench "issue 9: a kernel's output flood" flood.mjs
bench "issue 9: cold start with the seccomp filter" seccomp.mjs
bench "issue 12: experiments (step metrics, chart data, rendering)" experiments.mjs
bench "issue 13: sweep overhead and the leaderboard" sweeps.mjs
bench "issue 14: data viewer and artifact throughput" outputs.mjs
bench "issue 17: scale-out (coordination through the store, 1-3 gateways)" scaleout.mjs
bench "issue 10: warm start and the compile cache" accelerator.mjs
echo "# done $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Installs whatever is missing, then runs every test: the schema contract,
# the TypeScript packages (vitest: unit and integration, real kernels, real
# sandbox, SQLite and MongoDB over the wire via mongo-java-server, headless
# Chromium end to end) and the Python harness (pytest, jupyter_kernel_test).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --test || exit 1

mkdir -p .jaxlab
status=0
step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

step "schemas: generated code matches schemas/json"
node schemas/scripts/generate.mjs --check || status=1

step "lint, format, the tests' types and the docs' links (eslint, prettier --check, tsc)"
npx eslint --quiet . && npx prettier --check --log-level warn . &&
  npx tsc -p tsconfig.tests.json && node scripts/check-links.mjs || status=1

step "TypeScript tests (vitest)"
npx vitest run --reporter=default --reporter=json \
  --outputFile.json=.jaxlab/vitest-report.json "$@" || status=1

step "Python tests: harness and the JAX lint (pytest)"
.venv/bin/python -m pytest harness/tests server/python/tests hub/tests lab-extension/tests -q -p no:cacheprovider \
  --junitxml=.jaxlab/pytest-report.xml || status=1

step "summary"
node scripts/test-summary.mjs .jaxlab/vitest-report.json .jaxlab/pytest-report.xml
exit $status

#!/usr/bin/env bash
# The whole test suite: install what is missing, build, typecheck, lint, format check, then every test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
echo "== build" && npm run --silent build
echo "== typecheck" && npx tsc -p tsconfig.json --noEmit
echo "== lint" && npx eslint . --max-warnings 0
echo "== format" && npx prettier --check . --log-level warn
echo "== tests" && node scripts/run-tests.js "$@"

#!/usr/bin/env bash
# The whole test suite: install what is missing, build (and check it shipped no test code), typecheck, lint,
# import boundaries (.dependency-cruiser.mjs), format check, then every test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh --test
echo "== build" && npm run --silent build
echo "== no test code in dist/" && bash scripts/check-dist.sh
echo "== typecheck" && npx tsc -p tsconfig.json --noEmit
echo "== lint" && npx eslint . --max-warnings 0
echo "== boundaries" && npx depcruise src --config .dependency-cruiser.mjs --output-type err
echo "== format" && npx prettier --check . --log-level warn
echo "== tests" && node scripts/run-tests.js "$@"

#!/usr/bin/env bash
# Starts Berth on its embedded defaults: the control plane on SQLite in ./.berth, listening on
# 127.0.0.1:4650, plus a local agent joined to the `default` cluster (`berth up`). Extra arguments go to
# `berth up` (see `npx berth up --help`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec node bin/berth.js up "$@"

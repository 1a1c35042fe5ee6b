#!/usr/bin/env bash
# Installs what Berth needs on a Debian 12 machine with Node.js 20 and root, skipping whatever is already
# there. Sourced by scripts/test.sh and scripts/start.sh; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'berth setup: %s\n' "$*" >&2; }

apt_updated=0
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    log "need root to install Debian packages: $*"
    return 1
  fi
  if [ "$apt_updated" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

ensure_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 20 ]; then
    log "Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))."
    exit 1
  fi
}

# npm ci builds better-sqlite3 from source when no prebuilt binary can be fetched: it needs a compiler.
ensure_build_tools() {
  command -v g++ >/dev/null && command -v make >/dev/null && command -v python3 >/dev/null && return
  apt_install g++ make python3
}

ensure_node_modules() {
  local stamp=node_modules/.berth-installed
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ ! -f dist/cli/main.js ]; then
    log "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund >&2
    touch "$stamp"
  fi
}

ensure_aws_cli() {
  command -v aws >/dev/null && return
  log "installing the AWS CLI (Debian package awscli)"
  apt_install awscli
}

ensure_node
ensure_build_tools
ensure_node_modules
ensure_aws_cli

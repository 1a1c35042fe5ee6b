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

# Tests only: `aws logs tail --follow` (test/cli/logs.test.ts) exists only in AWS CLI v2. Debian's awscli package
# is v2 and installs /usr/bin/aws, which the test calls by path because a v1 `aws` may come first on PATH.
ensure_aws_cli_v2() {
  [ -x /usr/bin/aws ] && /usr/bin/aws --version 2>&1 | grep -q '^aws-cli/2' && return
  log "installing AWS CLI v2 for the logs tests (Debian package awscli)"
  apt_install awscli
}

# A Docker engine for the agent and its tests: Debian's docker.io, started here when nothing answers on
# the default socket (machines without systemd, such as CI containers, have nobody else to start it).
ensure_docker() {
  if ! command -v dockerd >/dev/null; then
    log "installing Docker (Debian package docker.io)"
    apt_install docker.io iptables
  fi
  if docker_answers; then return; fi
  log "starting dockerd (log: /var/log/berth-dockerd.log)"
  nohup dockerd >/var/log/berth-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker_answers && return
    sleep 0.5
  done
  log "dockerd did not start; see /var/log/berth-dockerd.log"
  exit 1
}

docker_answers() {
  [ -S /var/run/docker.sock ] && curl -sf --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1
}

# A local image registry on loopback (Debian's docker-registry): tests push the images they build to it,
# because nothing can be pulled from the internet here. Docker trusts 127.0.0.0/8 registries over HTTP.
REGISTRY_ADDR=127.0.0.1:5000
ensure_registry() {
  command -v docker-registry >/dev/null || apt_install docker-registry
  if curl -sf "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1; then return; fi
  mkdir -p /var/lib/berth-registry
  cat >/var/lib/berth-registry/config.yml <<CONFIG
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: /var/lib/berth-registry/data
http:
  addr: $REGISTRY_ADDR
CONFIG
  log "starting a local registry on $REGISTRY_ADDR (log: /var/log/berth-registry.log)"
  nohup docker-registry serve /var/lib/berth-registry/config.yml >/var/log/berth-registry.log 2>&1 &
  for _ in $(seq 1 40); do
    curl -sf "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1 && return
    sleep 0.25
  done
  log "the registry did not start; see /var/log/berth-registry.log"
  exit 1
}

# Test images are built from Debian's statically linked busybox (no image can be pulled here).
ensure_busybox() {
  [ -x /bin/busybox ] && /bin/busybox --help 2>&1 | head -1 | grep -q static && return
  command -v busybox >/dev/null && ldd "$(command -v busybox)" 2>&1 | grep -q 'not a dynamic' && return
  apt_install busybox-static
}

# Test hosts (test/rigs/hosts.ts): network namespaces and veth pairs (ip, from iproute2), processes started inside
# them (nsenter, from util-linux), and a containerd and dockerd per host (containerd comes with docker.io;
# iptables is what dockerd publishes ports with inside each namespace).
ensure_test_host_tools() {
  local missing=()
  command -v ip >/dev/null || missing+=(iproute2)
  command -v nsenter >/dev/null || missing+=(util-linux)
  command -v containerd >/dev/null || missing+=(containerd)
  command -v iptables >/dev/null || missing+=(iptables)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing what the test hosts need: ${missing[*]}"
    apt_install "${missing[@]}"
  fi
}

# The agent install script's test runs shellcheck on it.
ensure_shellcheck() {
  command -v shellcheck >/dev/null || apt_install shellcheck
}

ensure_curl() {
  command -v curl >/dev/null || apt_install curl
}

ensure_node
ensure_curl
ensure_build_tools
ensure_node_modules
ensure_aws_cli
ensure_aws_cli_v2
ensure_shellcheck
if [ "${BERTH_SETUP_DOCKER:-1}" = 1 ]; then
  ensure_docker
  ensure_registry
  ensure_busybox
  ensure_test_host_tools
fi

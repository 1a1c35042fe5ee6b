#!/usr/bin/env bash
# Installs what Berth needs on a Debian 12 machine with root, skipping whatever is already there, and says
# what it does as it goes (one line per step, on standard error). Safe to run again.
#   bash scripts/setup.sh                    what running Berth needs (scripts/start.sh)
#   bash scripts/setup.sh --test             that, plus what the tests need (scripts/test.sh)
#   bash scripts/setup.sh --print-build-env  the environment the native build runs in (its test reads it)
# The Node.js it needs is package.json's "engines" (scripts/check-node.cjs checks it).
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
  if ! command -v node >/dev/null; then
    log "Node.js is missing: Berth needs Node.js $(grep -o '"node": *"[^"]*"' package.json | cut -d'"' -f4) (package.json \"engines\")."
    exit 1
  fi
  node scripts/check-node.cjs
  log "Node.js $(node --version) at $(command -v node)"
}

# npm ci builds better-sqlite3 from source (below): it needs a compiler.
ensure_build_tools() {
  command -v g++ >/dev/null && command -v make >/dev/null && command -v python3 >/dev/null && return
  log "installing a C++ toolchain for better-sqlite3 (g++ make python3)"
  apt_install g++ make python3
}

# The native build downloads nothing: node-gyp compiles against this Node.js's own headers (nodedir), and
# prebuild-install is told not to fetch a prebuilt binary (build_from_source). So it behaves the same with
# internet access and without, and never takes headers or binaries from outside the package registries.
node_abi() { node -p 'process.versions.modules'; }
headers_abi() {
  sed -n 's/^#define NODE_MODULE_VERSION \([0-9][0-9]*\)$/\1/p' "$1/include/node/node_version.h" 2>/dev/null
}
# The headers that match this Node.js: npm_config_nodedir if set, else the installation's own prefix (where
# official builds, NodeSource's package and Debian's libnode-dev all put include/node).
find_node_headers() {
  local dir=${npm_config_nodedir:-}
  [ -n "$dir" ] || dir=$(node -p 'require("path").resolve(process.execPath, "..", "..")')
  [ -f "$dir/include/node/node.h" ] && [ "$(headers_abi "$dir")" = "$(node_abi)" ] && echo "$dir"
}
ensure_node_headers() {
  local dir
  if ! dir=$(find_node_headers); then
    # Debian's own nodejs ships its headers apart, in libnode-dev; only the one of the very same version fits.
    local node_bin pkg_version dev_version
    node_bin=$(readlink -f "$(command -v node)")
    if dpkg -S "$node_bin" 2>/dev/null | grep -q '^nodejs:'; then
      pkg_version=$(dpkg-query -W -f='${Version}' nodejs)
      dev_version=$(apt-cache show --no-all-versions libnode-dev 2>/dev/null | sed -n 's/^Version: //p' | head -1)
      if [ -n "$dev_version" ] && [ "$dev_version" = "$pkg_version" ]; then
        log "installing this Node.js's headers for the native build (Debian package libnode-dev $dev_version)"
        apt_install libnode-dev
      fi
    fi
    if ! dir=$(find_node_headers); then
      log "no headers of this Node.js (module ABI $(node_abi)) found in ${npm_config_nodedir:-its prefix}/include/node;"
      log "install the headers package of your Node.js (NodeSource's nodejs and official builds include them;"
      log "Debian's nodejs needs libnode-dev of the same version), or set npm_config_nodedir to a directory"
      log "holding include/node/node.h of this very version."
      exit 1
    fi
  fi
  export npm_config_nodedir=$dir npm_config_build_from_source=true
}

ensure_node_modules() {
  local stamp=node_modules/.berth-installed
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ ! -f dist/cli/main.js ]; then
    log "installing npm packages (npm ci), then building Berth (npm run build)"
    log "npm ci builds better-sqlite3 from source with the headers in $npm_config_nodedir: this takes a few minutes"
    npm ci --no-audit --no-fund >&2
    touch "$stamp"
  else
    log "npm packages installed and Berth built already"
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
  if docker_answers; then
    log "Docker answers on /var/run/docker.sock"
    return
  fi
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
  if ! command -v docker-registry >/dev/null; then
    log "installing a local image registry (Debian package docker-registry)"
    apt_install docker-registry
  fi
  if curl -sf "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1; then
    log "the local registry answers on $REGISTRY_ADDR"
    return
  fi
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
  # ldd fails on a statically linked binary: the tests copy it into images that have no libc.
  if [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; then return; fi
  log "installing busybox-static (the tests build their images from it)"
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
  command -v shellcheck >/dev/null && return
  log "installing shellcheck (the install script's test runs it)"
  apt_install shellcheck
}

ensure_curl() {
  command -v curl >/dev/null && return
  log "installing curl"
  apt_install curl
}

case "${1:-}" in
  --print-build-env)
    ensure_node
    ensure_node_headers
    echo "npm_config_nodedir=$npm_config_nodedir"
    echo "npm_config_build_from_source=$npm_config_build_from_source"
    exit 0
    ;;
  '' | --test) ;;
  *)
    log "unknown option $1 (use --test or --print-build-env)"
    exit 2
    ;;
esac

log "checking what running Berth needs: Node.js, a C++ toolchain, npm packages, Docker, the AWS CLI"
ensure_node
ensure_curl
ensure_build_tools
ensure_node_headers
ensure_node_modules
ensure_aws_cli
# The local agent that scripts/start.sh runs (berth up) starts tasks on this Docker; BERTH_SETUP_DOCKER=0 skips it.
if [ "${BERTH_SETUP_DOCKER:-1}" = 1 ]; then ensure_docker; fi
if [ "${1:-}" = --test ]; then
  log "checking what the tests need: shellcheck, the AWS CLI v2, a local registry, busybox-static, network namespace tools"
  ensure_shellcheck
  ensure_aws_cli_v2
  if [ "${BERTH_SETUP_DOCKER:-1}" = 1 ]; then
    ensure_registry
    ensure_busybox
    ensure_test_host_tools
  fi
fi
log "ready"

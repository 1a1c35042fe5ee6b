#!/usr/bin/env bash
# Installs the Berth agent on a Debian or Ubuntu host and registers the host with a Berth control plane: Berth's
# counterpart of ECS Anywhere's ecs-anywhere-install.sh, with the flags of that script that make sense here.
# With --stock-agent it prepares the host for AWS's own ECS agent instead: Berth's package runs only as
# `berth credentials` (the berth-credentials service, in the SSM agent's place), keeping the stock agent's
# rotating credentials file fresh, and /etc/ecs/ecs.config points the stock agent at the control plane.
#
# The control plane serves this script at <endpoint>/install.sh with its own URL filled in as the default
# --endpoint, and `berth install-script [--endpoint URL]` prints it. Typical use, as root:
#
#   curl -fsSL http://berth.example.com:4650/install.sh | bash -s -- \
#     --activation-id <ActivationId> --activation-code <ActivationCode> --cluster edge
#
# What it does, in order, stopping at the first problem with a message that says what to do: check the flags;
# check it runs as root, on Debian or Ubuntu, on x86_64 or aarch64, with Node.js 20.19+ and npm; check that
# the control plane answers; install Docker from the distribution if it is missing (--docker-install-source);
# install the agent package with npm into --prefix; write <config-dir>/agent.json (mode 0600: it holds the
# activation code); then, under systemd, install and start the berth-agent service and wait until the agent
# reports its container instance. Without systemd it prints the command that runs the agent instead.
# Running it again upgrades the package, rewrites the configuration and restarts the service; a registered
# host keeps its identity (in --data-dir), so it is not registered twice.
#
# Progress and errors go to stderr. On success, stdout has one line: the container instance ARN (systemd), the
# command that starts the service (systemd, --no-start), or the command that runs the agent (no systemd). With
# --stock-agent, the managed instance id (mi-...) takes the ARN's place.
#
# Test hooks, for Berth's own test suite only (leave them unset):
#   BERTH_INSTALL_ASSUME_UID    user id to check instead of `id -u` (to see the refusal of a non-root user)
#   BERTH_INSTALL_OS_RELEASE    file to read instead of /etc/os-release
#   BERTH_INSTALL_SYSTEMD_ROOT  directory standing in for / where systemd's files are looked for and written
#                               (run/systemd/system, etc/systemd/system), used with a stand-in `systemctl`
set -euo pipefail

# Filled in by the control plane when it serves this script, so that --endpoint may be left out.
default_endpoint=''

readonly SERVICE=berth-agent
readonly CREDENTIALS_SERVICE=berth-credentials
readonly MIN_NODE_MAJOR=20
readonly MIN_NODE_MINOR=19

activation_id=''
activation_code=''
cluster='default'
endpoint="$default_endpoint"
docker_source='all'
no_start=0
skip_registration=0
prefix='/opt/berth'
config_dir='/etc/berth'
data_dir='/var/lib/berth-agent'
package=''
wait_seconds=100
introspection_listen=''
stock_agent=0
credentials_file=''
ecs_config_file=''
region=''
systemd_root="${BERTH_INSTALL_SYSTEMD_ROOT:-}"
work_dir=''

usage() {
  cat <<EOF
Usage: install.sh --activation-id ID --activation-code CODE [options]

Installs the Berth agent on this host and registers it with a Berth control plane.

Registration (from \`aws ssm create-activation\` against the control plane):
  --activation-id ID           activation id
  --activation-code CODE       activation code
  --skip-registration          the host is already registered (its identity is in --data-dir): reinstall or
                               upgrade without an activation
Where and what:
  --endpoint URL               the control plane's URL as this host reaches it${default_endpoint:+ (default: $default_endpoint)}
  --cluster NAME               cluster to join (default: default)
  --docker-install-source SRC  all | distro: install the distribution's docker.io if Docker is missing
                               (default: all); none: do not install Docker
  --package FILE|URL           agent package (default: <endpoint>/agent/berth.tgz)
  --prefix DIR                 where the agent is installed; the command is DIR/bin/berth (default: /opt/berth)
  --config-dir DIR             where agent.json is written (default: /etc/berth)
  --data-dir DIR               the agent's state, including its identity (default: /var/lib/berth-agent)
  --introspection-listen H:P   the agent's local metadata endpoint (default: the agent's, 127.0.0.1:51678)
Service:
  --no-start                   install and enable the service, but do not start it
  --wait-seconds N             how long to wait for the agent to register (default: 100)
  --help                       show this help
The stock Amazon ECS agent instead of Berth's:
  --stock-agent                install the berth-credentials service instead of the berth-agent service: it
                               registers the host and keeps the stock agent's instance credentials fresh in
                               --credentials-file; and write --ecs-config-file (ECS_BACKEND_HOST, ECS_CLUSTER,
                               ECS_EXTERNAL=true, AWS_DEFAULT_REGION), keeping any other lines in it
  --credentials-file FILE      where the host keeps the credentials the agent reads as /rotatingcreds/credentials
                               (default: /rotatingcreds/credentials). With the amazon-ecs-init package, which
                               mounts the host's /root/.aws at /rotatingcreds, give /root/.aws/credentials
  --ecs-config-file FILE       the stock agent's configuration (default: /etc/ecs/ecs.config)
  This script does not install the stock agent itself. Do it afterwards, as ECS Anywhere's installer does:
  either the amazon-ecs-init package (it starts the agent's container and reads /etc/ecs/ecs.config), e.g.
    curl -fsSLO https://s3.us-east-1.amazonaws.com/amazon-ecs-agent-us-east-1/amazon-ecs-init-latest.amd64.deb
    dpkg -i amazon-ecs-init-latest.amd64.deb && systemctl enable --now ecs   (arm64: ...-latest.arm64.deb)
  or the amazon/amazon-ecs-agent image, mounting the credentials' directory (not the file: it is replaced on
  every renewal) at /rotatingcreds:
    docker run -d --name ecs-agent --restart unless-stopped --net host --env-file /etc/ecs/ecs.config \\
      -v /var/run:/var/run -v /etc/ecs:/etc/ecs -v /var/lib/ecs/data:/data -v /var/log/ecs:/log \\
      -v /rotatingcreds:/rotatingcreds:ro -e ECS_DATADIR=/data -e ECS_LOGFILE=/log/ecs-agent.log \\
      amazon/amazon-ecs-agent:latest
  The stock agent listens on the fixed ports 51678 and 51679: do not run it next to Berth's own agent.
EOF
}

say() { printf 'berth install: %s\n' "$*" >&2; }
warn() { printf 'berth install: warning: %s\n' "$*" >&2; }
die() {
  printf 'berth install: error: %s\n' "$*" >&2
  exit 1
}
usage_error() {
  printf 'berth install: error: %s\nRun with --help for the options.\n' "$*" >&2
  exit 2
}

cleanup() {
  if [ -n "$work_dir" ]; then rm -rf "$work_dir"; fi
}
trap cleanup EXIT

# Refuses a flag without its value, or whose "value" is really the next flag (`--activation-id --cluster x`).
require_value() {
  local flag=$1 count=$2 value=${3-}
  if [ "$count" -lt 2 ] || [ -z "$value" ]; then usage_error "$flag needs a value."; fi
  case $value in
    --*) usage_error "$flag needs a value, but the next word is the option '$value'. Give the value after $flag." ;;
  esac
}

parse_args() {
  local flag value
  while [ $# -gt 0 ]; do
    flag=$1
    # --flag=value is accepted too; it is split here so both spellings take the same path.
    if [[ $flag == --*=* ]]; then
      set -- "${flag%%=*}" "${flag#*=}" "${@:2}"
      flag=$1
    fi
    case $flag in
      --help | -h)
        usage
        exit 0
        ;;
      --no-start) no_start=1 ;;
      --skip-registration) skip_registration=1 ;;
      --stock-agent) stock_agent=1 ;;
      --activation-id | --activation-code | --cluster | --endpoint | --docker-install-source | --prefix | \
        --config-dir | --data-dir | --package | --wait-seconds | --introspection-listen | --credentials-file | \
        --ecs-config-file)
        require_value "$flag" $# "${2-}"
        value=$2
        shift
        case $flag in
          --activation-id) activation_id=$value ;;
          --activation-code) activation_code=$value ;;
          --cluster) cluster=$value ;;
          --endpoint) endpoint=$value ;;
          --docker-install-source) docker_source=$value ;;
          --prefix) prefix=$value ;;
          --config-dir) config_dir=$value ;;
          --data-dir) data_dir=$value ;;
          --package) package=$value ;;
          --wait-seconds) wait_seconds=$value ;;
          --introspection-listen) introspection_listen=$value ;;
          --credentials-file) credentials_file=$value ;;
          --ecs-config-file) ecs_config_file=$value ;;
        esac
        ;;
      --region | --ecs-version | --enable-gpu | --ip-compatibility | --deb-url | --rpm-url | --certs-file | \
        --skip-gpg-check | --ecs-endpoint)
        usage_error "$flag is an option of ECS Anywhere's installer that Berth does not have. Berth needs \
--endpoint (the control plane's URL) instead of a region; the package comes from the control plane."
        ;;
      *) usage_error "unknown option '$flag'." ;;
    esac
    shift
  done
}

validate_args() {
  if [ "$skip_registration" = 0 ] && { [ -z "$activation_id" ] || [ -z "$activation_code" ]; }; then
    usage_error "--activation-id and --activation-code are required: create an activation on the control \
plane (aws ssm create-activation --iam-role ecsAnywhereRole --endpoint-url <endpoint>) and pass its \
ActivationId and ActivationCode. A host that is already registered can use --skip-registration instead."
  fi
  case $docker_source in
    all | distro | none) ;;
    docker)
      usage_error "--docker-install-source docker (Docker's own package repositories) is not supported: they \
cannot be reached from many sites. Install Docker yourself and run this script again with \
--docker-install-source none, or use all or distro to install the distribution's docker.io package."
      ;;
    *) usage_error "--docker-install-source must be all, distro or none, not '$docker_source'." ;;
  esac
  if [ -z "$endpoint" ]; then
    usage_error "--endpoint is required: the URL this host reaches the control plane at, e.g. \
http://berth.example.com:4650. (The copy of this script served by the control plane at /install.sh has it \
filled in.)"
  fi
  if [[ ! $endpoint =~ ^https?://[^/?#[:space:]]+(/[^?#[:space:]]*)?$ ]]; then
    usage_error "--endpoint '$endpoint' must be an http:// or https:// URL, e.g. http://berth.example.com:4650."
  fi
  endpoint=${endpoint%/}
  if [[ ! $cluster =~ ^[A-Za-z0-9_-]{1,255}$ ]]; then
    usage_error "--cluster '$cluster' must be 1 to 255 letters, digits, hyphens and underscores."
  fi
  local name dir
  for name in prefix config_dir data_dir; do
    dir=${!name}
    # The directories end up in a systemd unit and in printed commands: plain absolute paths only.
    if [[ ! $dir =~ ^/[A-Za-z0-9._/+@-]*$ ]]; then
      usage_error "--${name//_/-} '$dir' must be an absolute path of letters, digits and . _ / + @ - only."
    fi
  done
  prefix=${prefix%/}
  config_dir=${config_dir%/}
  data_dir=${data_dir%/}
  if [[ ! $wait_seconds =~ ^[0-9]+$ ]]; then
    usage_error "--wait-seconds must be a whole number of seconds, not '$wait_seconds'."
  fi
  if [ -n "$introspection_listen" ] && [[ ! $introspection_listen =~ ^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$ ]]; then
    usage_error "--introspection-listen '$introspection_listen' must be HOST:PORT, e.g. 127.0.0.1:51678."
  fi
  validate_stock_args
}

validate_stock_args() {
  local name file
  if [ "$stock_agent" = 0 ]; then
    for name in credentials_file ecs_config_file; do
      if [ -n "${!name}" ]; then
        usage_error "--${name//_/-} is an option of the stock agent's installation: give it with --stock-agent."
      fi
    done
    return
  fi
  if [ -n "$introspection_listen" ]; then
    usage_error "--introspection-listen is an option of Berth's agent; the stock agent's introspection port is \
fixed (51678). Leave it out with --stock-agent."
  fi
  credentials_file=${credentials_file:-/rotatingcreds/credentials}
  ecs_config_file=${ecs_config_file:-/etc/ecs/ecs.config}
  for name in credentials_file ecs_config_file; do
    file=${!name}
    if [[ ! $file =~ ^/[A-Za-z0-9._/+@-]*[^/]$ ]]; then
      usage_error "--${name//_/-} '$file' must be the absolute path of a file, of letters, digits and . _ / + @ - only."
    fi
  done
  # Both go into an environment file that systemd and the shell read alike: no quoting needed, none allowed.
  if [ "$skip_registration" = 0 ] &&
    [[ ! $activation_id =~ ^[A-Za-z0-9-]+$ || ! $activation_code =~ ^[A-Za-z0-9+/=]+$ ]]; then
    usage_error "--activation-id and --activation-code must be as aws ssm create-activation prints them (letters, \
digits, and - in the id)."
  fi
}

check_root() {
  local uid=${BERTH_INSTALL_ASSUME_UID:-$(id -u)}
  if [ "$uid" != 0 ]; then
    die "this script must run as root: it installs packages and writes $config_dir, $data_dir and a systemd \
unit. Run it again with sudo (e.g. curl -fsSL $endpoint/install.sh | sudo bash -s -- <options>)."
  fi
}

check_os() {
  local file=${BERTH_INSTALL_OS_RELEASE:-/etc/os-release} id='' like='' pretty=''
  if [ -r "$file" ]; then
    # Read in a subshell: os-release is shell syntax, and its variables must not touch this script's.
    local info
    # shellcheck source=/dev/null
    info=$(. "$file" && printf '%s|%s|%s' "${ID:-}" "${ID_LIKE:-}" "${PRETTY_NAME:-${NAME:-}}")
    IFS='|' read -r id like pretty <<<"$info"
  fi
  case " $id $like " in
    *" debian "* | *" ubuntu "*)
      say "operating system: ${pretty:-$id}"
      return
      ;;
  esac
  local found=${pretty:-${id:-unknown (no $file)}}
  if [ "$docker_source" != none ]; then
    die "this script supports Debian and Ubuntu (and their derivatives); this host runs $found. On another \
Linux, install Docker yourself and run this script again with --docker-install-source none."
  fi
  warn "this host runs $found; this script is made for Debian and Ubuntu. Continuing, since it will not \
install Docker (--docker-install-source none)."
}

check_arch() {
  local arch
  arch=$(uname -m)
  case $arch in
    x86_64 | aarch64 | arm64) say "architecture: $arch" ;;
    *) die "the Berth agent runs on x86_64 and aarch64 (arm64) hosts; this one is $arch." ;;
  esac
}

node_help() {
  printf '%s' "Install Node.js ${MIN_NODE_MAJOR}.${MIN_NODE_MINOR} or newer with npm, e.g. from \
https://nodejs.org/en/download (a Linux binary archive) or NodeSource's apt repository \
(https://github.com/nodesource/distributions); Debian 12's own nodejs package is version 18, and Debian \
packages npm separately. Make sure \`node\` and \`npm\` are on root's PATH, then run this script again."
}

check_node() {
  local version major minor
  if ! command -v node >/dev/null 2>&1; then
    die "Node.js is not installed (no \`node\` on PATH). $(node_help)"
  fi
  version=$(node --version 2>/dev/null || true)
  if [[ ! $version =~ ^v([0-9]+)\.([0-9]+)\. ]]; then
    die "cannot tell the version of $(command -v node) ('$version'). $(node_help)"
  fi
  major=${BASH_REMATCH[1]}
  minor=${BASH_REMATCH[2]}
  if [ "$major" -lt "$MIN_NODE_MAJOR" ] || { [ "$major" -eq "$MIN_NODE_MAJOR" ] && [ "$minor" -lt "$MIN_NODE_MINOR" ]; }; then
    die "the Berth agent needs Node.js ${MIN_NODE_MAJOR}.${MIN_NODE_MINOR} or newer; $(command -v node) is \
$version. $(node_help)"
  fi
  if ! command -v npm >/dev/null 2>&1; then
    die "Node.js $version is installed but npm is not on PATH. $(node_help)"
  fi
  say "Node.js $version ($(command -v node)), npm $(npm --version 2>/dev/null </dev/null || echo '?')"
}

# GET a URL with Node's fetch (Node is required anyway; curl may be missing on a minimal host). Writes the body
# to FILE, or to stdout without one; on failure prints why to stderr and returns 1.
http_get() {
  node --input-type=module - "$@" <<'JS'
import { writeFileSync } from 'node:fs';
const [url, file, seconds = '60'] = process.argv.slice(2);
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(Number(seconds) * 1000) });
  const body = Buffer.from(await res.arrayBuffer());
  if (!res.ok) {
    const text = body.toString('utf8').slice(0, 500).trim();
    let detail = text;
    try { detail = JSON.parse(text).message ?? text; } catch { /* not JSON */ }
    process.stderr.write(`HTTP ${res.status}${detail ? `: ${detail}` : ''}`);
    process.exit(1);
  }
  if (file) writeFileSync(file, body);
  else process.stdout.write(body);
} catch (e) {
  const cause = e?.cause?.code ?? e?.cause?.message;
  process.stderr.write(e?.name === 'TimeoutError' ? `no answer within ${seconds} s` : `${e?.message ?? e}${cause ? ` (${cause})` : ''}`);
  process.exit(1);
}
JS
}

check_endpoint() {
  local err health
  if ! err=$(http_get "$endpoint/health" '' 15 2>&1 >/dev/null); then
    die "cannot reach the Berth control plane at $endpoint: $err. Check --endpoint (the URL this host reaches \
the control plane at, e.g. http://berth.example.com:4650), that the control plane is running and listens on \
an address other hosts can reach (berth server --listen 0.0.0.0:4650), and that no firewall is in the way."
  fi
  if [ "$stock_agent" = 1 ]; then
    # The stock agent signs for the control plane's region (AWS_DEFAULT_REGION); /health names it.
    health=$(http_get "$endpoint/health" '' 15 2>/dev/null || true)
    region=$(printf '%s' "$health" | node -e '
      let text = "";
      process.stdin.on("data", (c) => (text += c)).on("end", () => {
        try { process.stdout.write(String(JSON.parse(text).region ?? "")); } catch { /* not JSON */ }
      });' || true)
    if [[ ! $region =~ ^[a-z0-9-]+$ ]]; then
      die "the control plane at $endpoint does not name its region in /health ('$region'), which the stock \
agent needs (AWS_DEFAULT_REGION). Is it a Berth control plane?"
    fi
  fi
  say "control plane: $endpoint${region:+ (region $region)}"
}

has_systemd() { [ -d "$systemd_root/run/systemd/system" ]; }

docker_present() { command -v docker >/dev/null 2>&1 || command -v dockerd >/dev/null 2>&1; }

install_docker() {
  if docker_present; then
    say "Docker is installed: $(docker --version 2>/dev/null </dev/null || command -v dockerd)"
    return
  fi
  if [ "$docker_source" = none ]; then
    warn "Docker is not installed (--docker-install-source none). The agent starts without it, but cannot \
run tasks until Docker is installed and running."
    return
  fi
  say "installing Docker from the distribution (apt-get install docker.io)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null >&2 ||
    ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io </dev/null >&2; then
    die "could not install Docker with apt-get (see its messages above). Fix the package sources, or install \
Docker yourself and run this script again with --docker-install-source none."
  fi
  if has_systemd; then
    systemctl enable --now docker.service >&2 || die "Docker is installed but did not start: see \
systemctl status docker and journalctl -u docker."
  else
    warn "Docker is installed, but without systemd nothing starts it: start dockerd yourself."
  fi
}

install_agent() {
  local tarball
  work_dir=$(mktemp -d)
  if [[ -z $package || $package =~ ^https?:// ]]; then
    local url=${package:-$endpoint/agent/berth.tgz} err
    tarball=$work_dir/berth.tgz
    say "downloading the agent package from $url"
    if ! err=$(http_get "$url" "$tarball" 300 2>&1 >/dev/null); then
      die "cannot download the agent package from $url: $err. Check that the control plane can build it \
(its log says why not), or give a package file with --package FILE."
    fi
  else
    [ -f "$package" ] || die "--package $package: no such file."
    tarball=$(cd "$(dirname "$package")" && pwd)/$(basename "$package")
  fi
  say "installing the agent into $prefix (npm install --global)"
  # --ignore-scripts: the agent runs no native code. The package's only native dependency (better-sqlite3)
  # serves the control plane, and building it would need a compiler or a download of prebuilt binaries, which
  # many sites cannot do; skipping it also gives the same result on npm 10 and npm 11 (which blocks dependency
  # scripts by default). npm runs from the empty work directory so that no project's .npmrc applies.
  if ! (cd "$work_dir" && npm install --global --omit=dev --ignore-scripts --no-audit --no-fund \
    --loglevel=error --prefix "$prefix" "$tarball" </dev/null >&2); then
    die "npm could not install the agent into $prefix (its messages are above). The package's dependencies \
come from the npm registry: check that this host reaches it, or the mirror named by \`npm config get registry\`."
  fi
  if [ ! -x "$prefix/bin/berth" ]; then
    die "npm finished, but $prefix/bin/berth is missing: is the package a Berth package?"
  fi
  say "installed berth $(node -p 'require(process.argv[1]).version' "$prefix/lib/node_modules/berth/package.json" \
    2>/dev/null || echo '?') at $prefix/bin/berth"
}

check_registration() {
  local identity=$data_dir/identity.json
  if [ "$skip_registration" = 1 ]; then
    if [ ! -f "$identity" ] || ! grep -q '"instanceId"' "$identity"; then
      die "--skip-registration needs a host that is already registered, but $identity holds no registered \
identity. Run this script without --skip-registration, with --activation-id and --activation-code from \
aws ssm create-activation (or point --data-dir at the agent's existing data directory)."
    fi
    say "already registered (identity in $identity)"
  fi
}

write_config() {
  local file=$config_dir/agent.json tmp
  mkdir -p "$config_dir"
  # mktemp makes the file 0600 before anything is in it: the activation code is never readable by others.
  tmp=$(mktemp "$config_dir/.agent.json.XXXXXX")
  if ! CFG_ENDPOINT=$endpoint CFG_CLUSTER=$cluster CFG_DATA_DIR=$data_dir CFG_SKIP=$skip_registration \
    CFG_ACTIVATION_ID=$activation_id CFG_ACTIVATION_CODE=$activation_code CFG_INTROSPECTION=$introspection_listen \
    node -e '
      const e = process.env;
      const config = { endpoint: e.CFG_ENDPOINT, cluster: e.CFG_CLUSTER, dataDir: e.CFG_DATA_DIR };
      if (e.CFG_SKIP !== "1") Object.assign(config, { activationId: e.CFG_ACTIVATION_ID, activationCode: e.CFG_ACTIVATION_CODE });
      if (e.CFG_INTROSPECTION) config.introspectionListen = e.CFG_INTROSPECTION;
      process.stdout.write(JSON.stringify(config, null, 2) + "\n");
    ' >"$tmp"; then
    rm -f "$tmp"
    die "could not write $file."
  fi
  chmod 0600 "$tmp"
  mv -f "$tmp" "$file"
  say "wrote $file (mode 0600)"
}

agent_command() {
  printf '%q agent --config %q' "$prefix/bin/berth" "$config_dir/agent.json"
}

install_service() {
  local unit_dir=$systemd_root/etc/systemd/system unit node_dir
  unit=$unit_dir/$SERVICE.service
  node_dir=$(dirname "$(command -v node)")
  mkdir -p "$unit_dir"
  # PATH names Node's directory: bin/berth starts with `#!/usr/bin/env node`, and systemd's default PATH
  # does not include places like /usr/local/lib/nodejs/bin where a Node.js archive may have been unpacked.
  cat >"$unit" <<EOF
# Written by the Berth agent installer; running it again rewrites this file.
[Unit]
Description=Berth agent (runs the tasks a Berth control plane schedules onto this host)
Wants=network-online.target docker.service
After=docker.service network-online.target

[Service]
Type=simple
Environment=PATH=$node_dir:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ExecStart=$(agent_command)
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
EOF
  say "wrote $unit"
  systemctl daemon-reload >&2 || die "systemctl daemon-reload failed (see above)."
  systemctl enable "$SERVICE.service" >&2 || die "systemctl enable $SERVICE failed (see above)."
  if [ "$no_start" = 1 ]; then
    say "the $SERVICE service is enabled but not started (--no-start). Start it with:"
    printf 'systemctl start %s\n' "$SERVICE"
    return
  fi
  # restart, not start: on a second run the service is already running an older package or configuration.
  say "starting the $SERVICE service"
  systemctl restart "$SERVICE.service" >&2 || die "the $SERVICE service did not start. See why with: \
journalctl -u $SERVICE --no-pager -n 50"
  wait_for_registration
}

# The agent's metadata endpoint, reached locally even when it listens on a wildcard address.
metadata_url() {
  local listen=${introspection_listen:-127.0.0.1:51678} host port
  host=${listen%:*}
  port=${listen##*:}
  case $host in
    0.0.0.0 | '') host=127.0.0.1 ;;
    '[::]') host='[::1]' ;;
  esac
  printf 'http://%s:%s/v1/metadata' "$host" "$port"
}

wait_for_registration() {
  local url arn deadline
  url=$(metadata_url)
  deadline=$((SECONDS + wait_seconds))
  say "waiting up to ${wait_seconds}s for the agent to register its container instance ($url)"
  while :; do
    arn=$(http_get "$url" '' 5 2>/dev/null | node -e '
      let text = "";
      process.stdin.on("data", (c) => (text += c)).on("end", () => {
        try { process.stdout.write(JSON.parse(text).ContainerInstanceArn ?? ""); } catch { /* not up yet */ }
      });' || true)
    if [ -n "$arn" ]; then
      say "the agent is registered: $arn"
      printf '%s\n' "$arn"
      return
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      if command -v journalctl >/dev/null 2>&1; then
        journalctl -u "$SERVICE" --no-pager -n 20 </dev/null >&2 || true
      fi
      die "the agent did not register within ${wait_seconds}s. See what it says with: journalctl -u $SERVICE \
--no-pager -n 50 (often: the control plane's URL in $config_dir/agent.json is wrong, or the activation has \
expired or reached its registration limit)."
    fi
    sleep 2
  done
}

no_systemd() {
  say "systemd is not running on this host (no /run/systemd/system), so no service was installed and the agent \
was not started. Run it directly, as root, in the foreground or under your own process supervisor (restart it \
if it exits):"
  agent_command
  printf '\n'
}

# --- The stock ECS agent (--stock-agent) ---------------------------------------------------------------------

credentials_env_file() { printf '%s/credentials.env' "$config_dir"; }

# `berth credentials` reads its options from the environment: systemd's EnvironmentFile, or the shell's `.`.
write_credentials_env() {
  local file tmp
  file=$(credentials_env_file)
  mkdir -p "$config_dir"
  # mktemp makes the file 0600 before anything is in it: the activation code is never readable by others.
  tmp=$(mktemp "$config_dir/.credentials.env.XXXXXX")
  {
    printf '# Written by the Berth agent installer (--stock-agent); running it again rewrites this file.\n'
    printf 'BERTH_ENDPOINT=%s\n' "$endpoint"
    printf 'BERTH_AGENT_DATA_DIR=%s\n' "$data_dir"
    printf 'BERTH_CREDENTIALS_FILE=%s\n' "$credentials_file"
    if [ "$skip_registration" = 0 ]; then
      printf 'BERTH_ACTIVATION_ID=%s\n' "$activation_id"
      printf 'BERTH_ACTIVATION_CODE=%s\n' "$activation_code"
    fi
  } >"$tmp"
  chmod 0600 "$tmp"
  mv -f "$tmp" "$file"
  say "wrote $file (mode 0600)"
}

# Sets the four settings the stock agent needs to find and sign for the control plane, and keeps every other
# line (ECS_ENGINE_AUTH_TYPE, ECS_RESERVED_MEMORY, ...) that the file already has.
write_ecs_config() {
  local dir tmp
  dir=$(dirname "$ecs_config_file")
  mkdir -p "$dir"
  tmp=$(mktemp "$dir/.ecs.config.XXXXXX")
  if [ -f "$ecs_config_file" ]; then
    grep -Ev '^[[:space:]]*(ECS_BACKEND_HOST|ECS_CLUSTER|ECS_EXTERNAL|AWS_DEFAULT_REGION)=' "$ecs_config_file" \
      >"$tmp" || true
  fi
  {
    printf 'ECS_BACKEND_HOST=%s\n' "$endpoint"
    printf 'ECS_CLUSTER=%s\n' "$cluster"
    printf 'ECS_EXTERNAL=true\n'
    printf 'AWS_DEFAULT_REGION=%s\n' "$region"
  } >>"$tmp"
  # ecs.config may hold registry credentials (ECS_ENGINE_AUTH_DATA).
  chmod 0600 "$tmp"
  mv -f "$tmp" "$ecs_config_file"
  say "wrote $ecs_config_file (ECS_BACKEND_HOST=$endpoint, ECS_CLUSTER=$cluster, region $region)"
}

credentials_command() {
  printf '%q credentials' "$prefix/bin/berth"
}

install_credentials_service() {
  local unit_dir=$systemd_root/etc/systemd/system unit node_dir
  unit=$unit_dir/$CREDENTIALS_SERVICE.service
  node_dir=$(dirname "$(command -v node)")
  mkdir -p "$unit_dir"
  if [ -f "$unit_dir/$SERVICE.service" ]; then
    warn "the $SERVICE service (Berth's own agent) is installed on this host too. It and the stock agent both \
want the ports 51678 and 51679: run one of them, e.g. systemctl disable --now $SERVICE."
  fi
  # Exit codes 2 (a setting to fix) and 5 (the control plane refuses this host) are not retried: only a person
  # can fix them, and the journal says how. Before=ecs.service: amazon-ecs-init's unit, when it is installed.
  cat >"$unit" <<EOF
# Written by the Berth agent installer (--stock-agent); running it again rewrites this file.
[Unit]
Description=Berth credentials (keeps the stock Amazon ECS agent's instance credentials in $credentials_file fresh)
Wants=network-online.target
After=network-online.target
Before=ecs.service

[Service]
Type=simple
Environment=PATH=$node_dir:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EnvironmentFile=$(credentials_env_file)
ExecStart=$(credentials_command)
Restart=always
RestartSec=5
RestartPreventExitStatus=2 5

[Install]
WantedBy=multi-user.target
EOF
  say "wrote $unit"
  systemctl daemon-reload >&2 || die "systemctl daemon-reload failed (see above)."
  systemctl enable "$CREDENTIALS_SERVICE.service" >&2 || die "systemctl enable $CREDENTIALS_SERVICE failed (see above)."
  if [ "$no_start" = 1 ]; then
    say "the $CREDENTIALS_SERVICE service is enabled but not started (--no-start). Start it with:"
    printf 'systemctl start %s\n' "$CREDENTIALS_SERVICE"
    return
  fi
  say "starting the $CREDENTIALS_SERVICE service"
  systemctl restart "$CREDENTIALS_SERVICE.service" >&2 || die "the $CREDENTIALS_SERVICE service did not start. \
See why with: journalctl -u $CREDENTIALS_SERVICE --no-pager -n 50"
  wait_for_credentials
}

# Done once the file has keys: the host is registered by then, and identity.json names the managed instance.
wait_for_credentials() {
  local deadline instance
  deadline=$((SECONDS + wait_seconds))
  say "waiting up to ${wait_seconds}s for the first credentials in $credentials_file"
  until [ -f "$credentials_file" ] && grep -q '^aws_session_token = ' "$credentials_file"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      if command -v journalctl >/dev/null 2>&1; then
        journalctl -u "$CREDENTIALS_SERVICE" --no-pager -n 20 </dev/null >&2 || true
      fi
      die "no credentials within ${wait_seconds}s. See what berth credentials says with: journalctl -u \
$CREDENTIALS_SERVICE --no-pager -n 50 (often: the control plane's URL in $(credentials_env_file) is wrong, or \
the activation has expired or reached its registration limit)."
    fi
    sleep 1
  done
  instance=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).instanceId ?? "")' \
    "$data_dir/identity.json" 2>/dev/null || true)
  say "the host is registered${instance:+ as $instance} and its credentials are in $credentials_file"
  stock_agent_next_steps
  printf '%s\n' "${instance:-registered}"
}

stock_agent_next_steps() {
  say "next, install and start the stock Amazon ECS agent (this script does not): the amazon-ecs-init package, \
which reads $ecs_config_file and mounts the host's /root/.aws at /rotatingcreds (so use --credentials-file \
/root/.aws/credentials with it), or the amazon/amazon-ecs-agent image with --env-file $ecs_config_file and \
-v $(dirname "$credentials_file"):/rotatingcreds:ro. See --help for both."
}

no_systemd_credentials() {
  say "systemd is not running on this host (no /run/systemd/system), so no service was installed and berth \
credentials was not started. Run it directly, as root, under your own process supervisor (restart it if it exits):"
  stock_agent_next_steps
  printf "sh -c 'set -a && . %s && exec %s'\n" "$(credentials_env_file)" "$(credentials_command)"
}

main() {
  parse_args "$@"
  validate_args
  check_root
  check_os
  check_arch
  check_node
  check_endpoint
  check_registration
  install_docker
  install_agent
  if [ "$stock_agent" = 1 ]; then
    write_credentials_env
    write_ecs_config
    if has_systemd; then install_credentials_service; else no_systemd_credentials; fi
    return
  fi
  write_config
  if has_systemd; then
    install_service
  else
    no_systemd
  fi
}

# Last line on purpose: when the script is piped into bash, nothing runs before all of it has been read.
main "$@"

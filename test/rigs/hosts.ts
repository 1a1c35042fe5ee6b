/**
 * Test hosts: several "machines" on this one, each a network namespace with its own Docker engine, so that
 * multi-host tests (placement, draining, partitions) run against real engines and real network cuts.
 *
 * Layout of a set of hosts (`createTestHosts({ count, prefix })`), claimed as slot S (1..250):
 *
 *   root namespace                                   namespace <prefix>-hN (N = 1..count)
 *   bridge <prefix>-br  10.231.S.1/24  <-- veth -->  eth0 10.231.S.(10+N)/24, lo up, no default route
 *     (the control plane listens here; so does       containerd + dockerd (--bip 10.(232+N).S.1/24)
 *      the registry proxy, on port 5000)             the agent and anything else run with `nsenter --net`
 *
 * - Addresses: 10.231.0.0/16 for the links and 10.233-10.255 for the engines' container bridges, ranges no
 *   network here uses; the slot keeps concurrent sets (test files run two at a time) from overlapping. A host
 *   has no default route: it reaches the root-side address and its own containers, nothing else.
 * - A partition sets the host's bridge port (the root end of its veth) down: packets are dropped both ways,
 *   as when an uplink dies, and connections time out rather than being refused.
 * - Engines: each host runs its own containerd and dockerd, started with `nsenter --net` (not `ip netns exec`,
 *   which remounts /sys, after which dockerd fails with "Devices cgroup isn't mounted"). containerd is started
 *   here rather than by dockerd because dockerd uses the system's containerd whenever
 *   /run/containerd/containerd.sock exists (Debian with systemd), and containers would then be spawned from
 *   the root namespace. `--iptables` stays on: netfilter is per namespace, so port publishing works inside the
 *   host and a published port answers at the host's address from the root namespace.
 * - Images: every engine has its own image store and the agent pulls (its default pull behaviour), but the
 *   registry on 127.0.0.1:5000 is loopback-only and a namespace has its own loopback. A TCP proxy in this
 *   process listens on 10.231.S.1:5000 and forwards to it; the engines trust that address as an insecure
 *   (HTTP) registry. Push to 127.0.0.1:5000 as usual and name the image `hosts.image(ref)` in task definitions.
 *   A partitioned host cannot pull, as a host cut off from its registry could not.
 * - Leftovers of a crashed run with the same prefix (engines, containers, agents, namespaces, links, files) are
 *   removed before new hosts start; so are those of a dead run whose slot is reclaimed.
 *
 * - Reachability: the root namespace reaches every host's address and each host reaches the gateway; hosts
 *   have no route anywhere else. Host-to-host traffic crosses the root namespace's FORWARD chain (the bridge
 *   runs through br_netfilter), which Docker sets to DROP: do not rely on it.
 *
 * Use:
 *
 *   const hosts = await createTestHosts({ count: 3, prefix: 'svc' });  // in before()
 *   const t = await startTestServer({ listen: `${hosts.gateway}:0`, sessionTimeout: '2s' });
 *   const agent = hosts.hosts[0].startAgent(['--endpoint', t.url, '--data-dir', dir, ...]);
 *   image.build(); const ref = hosts.image(image.ref);                   // in task definitions
 *   await hosts.hosts[0].partition(); ...; await hosts.hosts[0].heal();
 *   await hosts.dispose();                                               // in after()
 *
 * Everything needs root, `ip` (iproute2), `nsenter` (util-linux), dockerd, containerd and iptables, which
 * scripts/setup.sh installs.
 */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { AgentProcess } from './agent-process.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const run = promisify(execFile);

/** Where the engines keep their state (`NAME/data`, logs, configs) and their runtime files (`NAME/…`). */
const LIB_ROOT = '/var/lib/berth-test';
const RUN_ROOT = '/run/berth-test';
/** One directory per claimed /24, holding `owner.json`; mkdir is the atomic claim. */
const SLOTS = join(RUN_ROOT, 'slots');
const MAX_SLOT = 250;
const NETNS_DIR = '/var/run/netns';
/** The loopback registry of scripts/setup.sh, proxied to each set's root-side address. */
const LOCAL_REGISTRY = { host: '127.0.0.1', port: 5000 };
const MAX_HOSTS = 23;
/** Interface names are at most 15 bytes: `<prefix>-h23` and `<prefix>-br` must fit. */
const PREFIX_PATTERN = /^[a-z][a-z0-9-]{0,9}$/;

export interface TestHostsOptions {
  /** How many hosts (1..23). */
  readonly count: number;
  /**
   * Names everything this set makes: namespaces and root-side veth ends `<prefix>-hN`, the bridge
   * `<prefix>-br`. At most 10 characters, `[a-z][a-z0-9-]*`; unique among test files that run at once.
   */
  readonly prefix: string;
  /** How long one engine may take to answer `/_ping`. @default 60 s */
  readonly startTimeoutMs?: number;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TestHost {
  /** 1-based. */
  readonly index: number;
  /** The network namespace's name, `<prefix>-hN`; also the name of the root end of its veth. */
  readonly name: string;
  /** The host's own address (its eth0), reachable from the root namespace unless partitioned. */
  readonly address: string;
  /** Its engine's bridge (`--bip`), e.g. `10.233.7.1/24`. */
  readonly bip: string;
  /** `unix:///run/berth-test/NAME/docker.sock`, for DOCKER_HOST or the agent's --docker-host. */
  readonly dockerHost: string;
  readonly dockerSocket: string;
  /** A Docker Engine API client for this host's engine. */
  readonly docker: Dockerode;
  readonly partitioned: boolean;
  /** Cuts the host off: its link to the root namespace goes down (packets dropped both ways). */
  partition(): Promise<void>;
  /** Brings the link back up. */
  heal(): Promise<void>;
  /** The argv that runs `file args` inside the host's network namespace (mounts and /sys stay the root's). */
  command(file: string, args?: readonly string[]): [string, ...string[]];
  /** Spawns a process inside the host; it is killed on dispose if still running. */
  spawn(file: string, args?: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Runs a command inside the host to its end; never throws for a non-zero exit. */
  exec(file: string, args?: readonly string[]): Promise<CommandResult>;
  /** Runs the `docker` CLI against this host's engine; never throws for a non-zero exit. */
  dockerCli(args: readonly string[]): Promise<CommandResult>;
  /** The real `berth agent` inside the host, with DOCKER_HOST set to its engine; stopped on dispose. */
  startAgent(args: readonly string[], env?: Readonly<Record<string, string>>): AgentProcess;
}

export interface TestHosts {
  readonly hosts: readonly TestHost[];
  /** The root namespace's address on the hosts' network: give it to the control plane (`listen: GW:0`). */
  readonly gateway: string;
  /** The hosts' network, e.g. `10.231.7.0/24`. */
  readonly subnet: string;
  /** The registry as the hosts reach it, `10.231.S.1:5000` (the same store as 127.0.0.1:5000). */
  readonly registry: string;
  /** `127.0.0.1:5000/repo:tag` as the hosts pull it: `10.231.S.1:5000/repo:tag`. */
  image(ref: string): string;
  /** Milliseconds the hosts took to come up (leftover cleanup included). */
  readonly setupMs: number;
  /** Stops every process the hosts ran, removes containers, namespaces, links and files. Idempotent. */
  dispose(): Promise<void>;
}

interface HostPaths {
  readonly name: string;
  readonly lib: string;
  readonly run: string;
  readonly netns: string;
  readonly dockerSocket: string;
  readonly containerdSocket: string;
  readonly containerdConfig: string;
}

function hostPaths(name: string): HostPaths {
  const lib = join(LIB_ROOT, name);
  const runDir = join(RUN_ROOT, name);
  return {
    name,
    lib,
    run: runDir,
    netns: join(NETNS_DIR, name),
    dockerSocket: join(runDir, 'docker.sock'),
    containerdSocket: join(runDir, 'containerd', 'containerd.sock'),
    containerdConfig: join(lib, 'containerd.toml'),
  };
}

export async function createTestHosts(options: TestHostsOptions): Promise<TestHosts> {
  const { count, prefix } = options;
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new Error(`test hosts: prefix "${prefix}" must match ${String(PREFIX_PATTERN)} (interface names)`);
  }
  if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS) {
    throw new Error(`test hosts: count must be 1..${MAX_HOSTS}, not ${count}`);
  }
  if (process.getuid?.() !== 0) throw new Error('test hosts need root (network namespaces, dockerd)');
  const started = Date.now();

  await cleanSet(prefix);
  const slot = await claimSlot(prefix);
  const gateway = `10.231.${slot}.1`;
  const bridge = `${prefix}-br`;
  const children: ChildProcess[] = [];
  const agents: AgentProcess[] = [];
  let proxy: RegistryProxy | undefined;
  const hosts: TestHost[] = [];
  let disposed = false;

  const dispose = async (): Promise<void> => {
    if (disposed) return;
    disposed = true;
    const problems: unknown[] = [];
    const attempt = async (step: () => Promise<void>) => {
      try {
        await step();
      } catch (e) {
        problems.push(e);
      }
    };
    await Promise.all(agents.map((a) => attempt(async () => void (await stopAgent(a)))));
    await Promise.all(children.map((c) => attempt(() => stopChild(c))));
    await Promise.all(
      Array.from({ length: count }, (_, i) => attempt(() => cleanHost(hostPaths(`${prefix}-h${i + 1}`)))),
    );
    await attempt(() => deleteLink(bridge));
    await attempt(async () => proxy?.close());
    releaseSlot(slot, prefix);
    if (problems.length > 0) throw new AggregateError(problems, 'test hosts: dispose left problems');
  };

  try {
    await ip(['link', 'add', bridge, 'type', 'bridge']);
    await ip(['addr', 'add', `${gateway}/24`, 'dev', bridge]);
    await ip(['link', 'set', bridge, 'up']);
    proxy = await startRegistryProxy(gateway);
    const registry = `${gateway}:${LOCAL_REGISTRY.port}`;

    const made = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        startHost({
          index: i + 1,
          paths: hostPaths(`${prefix}-h${i + 1}`),
          slot,
          bridge,
          registry,
          startTimeoutMs: options.startTimeoutMs ?? 60_000,
          children,
          agents,
        }),
      ),
    );
    hosts.push(...made);
    const setupMs = Date.now() - started;
    return {
      hosts,
      gateway,
      subnet: `10.231.${slot}.0/24`,
      registry,
      setupMs,
      image(ref: string): string {
        const local = `${LOCAL_REGISTRY.host}:${LOCAL_REGISTRY.port}/`;
        if (!ref.startsWith(local))
          throw new Error(`test hosts: ${ref} is not in the local registry ${local}`);
        return `${registry}/${ref.slice(local.length)}`;
      },
      dispose,
    };
  } catch (e) {
    await dispose().catch(() => undefined);
    throw e;
  }
}

interface HostSpec {
  readonly index: number;
  readonly paths: HostPaths;
  readonly slot: number;
  readonly bridge: string;
  readonly registry: string;
  readonly startTimeoutMs: number;
  readonly children: ChildProcess[];
  readonly agents: AgentProcess[];
}

async function startHost(spec: HostSpec): Promise<TestHost> {
  const { index, paths, slot, bridge } = spec;
  const { name } = paths;
  const address = `10.231.${slot}.${10 + index}`;
  const bip = `10.${232 + index}.${slot}.1/24`;

  await ip(['netns', 'add', name]);
  // The namespace end is called eth0 (it is the host's only NIC); the root end keeps the host's name.
  await ip(['link', 'add', name, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name]);
  await ip(['link', 'set', name, 'master', bridge, 'up']);
  await ip(['-n', name, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
  await ip(['-n', name, 'link', 'set', 'eth0', 'up']);
  await ip(['-n', name, 'link', 'set', 'lo', 'up']);

  await startEngines(paths, { bip, registry: spec.registry, timeoutMs: spec.startTimeoutMs });

  const launcher = ['nsenter', `--net=${paths.netns}`, '--'] as const;
  let partitioned = false;
  const host: TestHost = {
    index,
    name,
    address,
    bip,
    dockerHost: `unix://${paths.dockerSocket}`,
    dockerSocket: paths.dockerSocket,
    docker: new Dockerode({ socketPath: paths.dockerSocket }),
    get partitioned() {
      return partitioned;
    },
    async partition() {
      await ip(['link', 'set', name, 'down']);
      partitioned = true;
    },
    async heal() {
      await ip(['link', 'set', name, 'up']);
      partitioned = false;
    },
    command(file, args = []) {
      return [...launcher, file, ...args];
    },
    spawn(file, args = [], spawnOptions = {}) {
      const [cmd, ...rest] = host.command(file, args);
      const child = spawn(cmd, rest, spawnOptions);
      spec.children.push(child);
      return child;
    },
    exec(file, args = []) {
      const [cmd, ...rest] = host.command(file, args);
      return capture(cmd, rest);
    },
    dockerCli(args) {
      return capture('docker', args, { ...process.env, DOCKER_HOST: host.dockerHost });
    },
    startAgent(args, env = {}) {
      const agent = new AgentProcess(args, { DOCKER_HOST: host.dockerHost, ...env }, { launcher });
      spec.agents.push(agent);
      return agent;
    },
  };
  return host;
}

// ---- engines --------------------------------------------------------------------------------------------

interface EngineSettings {
  readonly bip: string;
  readonly registry: string;
  readonly timeoutMs: number;
}

/** Starts containerd, then dockerd on it; both are found again by their arguments (see cleanHost). */
async function startEngines(paths: HostPaths, settings: EngineSettings): Promise<void> {
  mkdirSync(join(paths.lib, 'data'), { recursive: true });
  mkdirSync(join(paths.run, 'containerd'), { recursive: true });
  writeFileSync(
    paths.containerdConfig,
    [
      'version = 2',
      `root = "${join(paths.lib, 'containerd')}"`,
      `state = "${join(paths.run, 'containerd', 'daemon')}"`,
      // Docker needs none of Kubernetes' CRI, and it would want a CNI setup.
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${paths.containerdSocket}"`,
      '[debug]',
      '  level = "warn"',
      '',
    ].join('\n'),
  );
  // An empty daemon.json, so that /etc/docker/daemon.json (hosts, bip, …) cannot leak into test engines.
  const daemonJson = join(paths.lib, 'daemon.json');
  writeFileSync(daemonJson, '{}\n');

  const containerd = spawnDaemon(
    paths,
    'containerd',
    ['--config', paths.containerdConfig],
    join(paths.lib, 'containerd.log'),
  );
  await waitUntil(
    `containerd of ${paths.name}`,
    () => connects(paths.containerdSocket),
    settings.timeoutMs,
    () => exitedWithLog(containerd, join(paths.lib, 'containerd.log')),
  );

  const dockerdLog = join(paths.lib, 'dockerd.log');
  // A killed engine's pidfile stops a new one from starting while that pid still shows in /proc (a zombie
  // not yet reaped); the caller has made sure no engine of this host runs.
  rmSync(join(paths.run, 'docker.pid'), { force: true });
  const dockerd = spawnDaemon(
    paths,
    'dockerd',
    [
      '--config-file',
      daemonJson,
      '--data-root',
      join(paths.lib, 'data'),
      '--exec-root',
      paths.run,
      '--host',
      `unix://${paths.dockerSocket}`,
      '--pidfile',
      join(paths.run, 'docker.pid'),
      '--containerd',
      paths.containerdSocket,
      '--bip',
      settings.bip,
      // Plain HTTP to the registry proxy; Docker only trusts loopback registries over HTTP by itself.
      '--insecure-registry',
      settings.registry,
      // Per-namespace netfilter: published ports answer at the host's address, as on a real host.
      '--iptables=true',
      // Containers are removed before the engine stops; a stale one must not hold the cleanup up.
      '--shutdown-timeout',
      '2',
    ],
    dockerdLog,
  );
  await waitUntil(
    `dockerd of ${paths.name}`,
    () => pings(paths.dockerSocket),
    settings.timeoutMs,
    () => exitedWithLog(dockerd, dockerdLog),
  );
}

function spawnDaemon(paths: HostPaths, file: string, args: readonly string[], log: string): ChildProcess {
  const fd = openSync(log, 'a');
  try {
    // Detached: an interrupt sent to the test's process group must not stop containerd under a running
    // dockerd (containers would be orphaned); a crashed run's engines are cleaned by the next run instead.
    const child = spawn('nsenter', [`--net=${paths.netns}`, '--', file, ...args], {
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    // Kept from holding the test process open; dispose waits for it by pid.
    child.unref();
    return child;
  } finally {
    closeSync(fd);
  }
}

function exitedWithLog(child: ChildProcess, log: string): string | undefined {
  if (child.exitCode === null && child.signalCode === null) return undefined;
  let tail = '';
  try {
    tail = readFileSync(log, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    // No log yet.
  }
  return `exited (${child.exitCode ?? child.signalCode}); log ${log}:\n${tail}`;
}

function connects(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function pings(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => req.destroy());
    req.end();
  });
}

function waitUntil(
  what: string,
  ready: () => Promise<boolean>,
  timeoutMs: number,
  failed: () => string | undefined = () => undefined,
): Promise<void> {
  return waitFor(`test hosts: ${what}`, ready, timeoutMs, { intervalMs: 50, failIf: failed }).then(
    () => undefined,
  );
}

// ---- cleanup --------------------------------------------------------------------------------------------

/** Removes everything of hosts named `<prefix>-hN`, whoever started them, and the set's bridge and slot. */
async function cleanSet(prefix: string): Promise<void> {
  const pattern = new RegExp(`^${prefix.replace(/-/g, '\\-')}-h\\d+$`);
  const owner = slotOwners().find((o) => o.owner.prefix === prefix && ownerAlive(o.owner));
  if (owner !== undefined) {
    throw new Error(
      `test hosts: prefix ${prefix} is in use by process ${owner.owner.pid} (dispose it, or choose another)`,
    );
  }
  const names = new Set<string>();
  for (const dir of [NETNS_DIR, LIB_ROOT, RUN_ROOT]) {
    for (const entry of existsSync(dir) ? readdirSync(dir) : []) if (pattern.test(entry)) names.add(entry);
  }
  for (const link of await linkNames()) if (pattern.test(link)) names.add(link);
  await Promise.all([...names].map((name) => cleanHost(hostPaths(name), { revive: true })));
  await deleteLink(`${prefix}-br`);
  for (const { slot, owner: o } of slotOwners()) if (o.prefix === prefix) releaseSlot(slot, prefix);
}

/**
 * Stops a host's processes and removes its containers, namespace, link and files. With `revive`, engines
 * that died under running containers (a crashed run) are started again, so that Docker itself removes the
 * containers, their mounts, sandboxes and cgroups, rather than leaving them orphaned.
 */
async function cleanHost(paths: HostPaths, options: { revive?: boolean } = {}): Promise<void> {
  const netnsInode = inodeOf(paths.netns);
  // `NAME/` with the slash, so that host h1 does not claim the processes of h10.
  const ours = (p: Proc) =>
    p.argv.some((a) => [paths.run, paths.lib].some((d) => a === d || a.includes(`${d}/`)));
  const inNamespace = (p: Proc) => netnsInode !== undefined && p.netns === `net:[${netnsInode}]`;

  // Agents and other processes first, so that nothing recreates containers while they are removed.
  await killAll(processes().filter((p) => inNamespace(p) && !ours(p)));

  const daemonOf = (file: string) =>
    processes().find((p) => ours(p) && p.argv[0] !== undefined && p.argv[0].endsWith(file));
  const containerIds = listDir(join(paths.lib, 'data', 'containers'));
  const dockerdLeft = daemonOf('dockerd');
  const containerdLeft = daemonOf('containerd');
  if (
    options.revive === true &&
    containerIds.length > 0 &&
    netnsInode !== undefined &&
    (dockerdLeft === undefined || containerdLeft === undefined)
  ) {
    // Killed first: a restarting dockerd stops the containers it finds running with SIGTERM and a 10 s
    // grace each, and a new containerd reconnects to their shims.
    await killAll(processes().filter((p) => containerIds.some((id) => inCgroupOf(p.pid, id))));
    if (dockerdLeft !== undefined) await stopPid(dockerdLeft.pid, 20_000);
    if (containerdLeft !== undefined) await stopPid(containerdLeft.pid, 10_000);
    await startEngines(paths, { bip: '10.232.255.1/24', registry: '127.0.0.1:1', timeoutMs: 30_000 }).catch(
      () => undefined, // What a new engine could not remove is killed and unmounted below.
    );
  }
  if (await pings(paths.dockerSocket)) await removeAllContainers(paths.dockerSocket);
  const dockerd = daemonOf('dockerd');
  if (dockerd !== undefined) await stopPid(dockerd.pid, 20_000);
  const containerd = daemonOf('containerd');
  if (containerd !== undefined) await stopPid(containerd.pid, 10_000);
  // Shims, docker-proxy, anything still in the namespace or naming its files.
  await killAll(processes().filter((p) => ours(p) || inNamespace(p)));

  await unmountUnder([paths.lib, paths.run]);
  if (existsSync(paths.netns)) await ip(['netns', 'del', paths.name]).catch(() => undefined);
  // Deleting the namespace deletes its veth pair; a root end left without a namespace goes here.
  await deleteLink(paths.name);
  rmSync(paths.lib, { recursive: true, force: true });
  rmSync(paths.run, { recursive: true, force: true });
}

async function removeAllContainers(socketPath: string): Promise<void> {
  const docker = new Dockerode({ socketPath });
  const containers = await docker.listContainers({ all: true });
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
}

async function unmountUnder(dirs: readonly string[]): Promise<void> {
  let mounts: string[];
  try {
    mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4] ?? '')
      .map((path) => path.replace(/\\040/g, ' '))
      .filter((path) => dirs.some((d) => path === d || path.startsWith(`${d}/`)));
  } catch {
    return;
  }
  // Deepest first, so that a parent is not busy because of a child mount.
  mounts.sort((a, b) => b.length - a.length);
  for (const mount of mounts) await run('umount', ['-l', mount]).catch(() => undefined);
}

// ---- processes ------------------------------------------------------------------------------------------

interface Proc {
  readonly pid: number;
  readonly argv: readonly string[];
  readonly netns: string | undefined;
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      let netns: string | undefined;
      try {
        netns = readlinkSync(`/proc/${pid}/ns/net`);
      } catch {
        netns = undefined;
      }
      if (argv.length > 0 && isAlive(pid)) out.push({ pid, argv, netns });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** Whether the process is in a container's cgroup (the id is in its path with every cgroup driver). */
function inCgroupOf(pid: number, containerId: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(containerId);
  } catch {
    return false;
  }
}

/** Alive and not a zombie (a child not yet reaped, or an orphan under an init that does not reap). */
function isAlive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

function procStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses: state is field 3,
    // starttime field 22.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

/** False when it still lives after `timeoutMs`. */
function waitDead(pid: number, timeoutMs: number): Promise<boolean> {
  return waitFor(`process ${pid} to exit`, () => !isAlive(pid), timeoutMs, { intervalMs: 25 }).then(
    () => true,
    () => false,
  );
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** SIGTERM, then SIGKILL after the grace period. */
async function stopPid(pid: number, graceMs: number): Promise<void> {
  signal(pid, 'SIGTERM');
  if (await waitDead(pid, graceMs)) return;
  signal(pid, 'SIGKILL');
  if (!(await waitDead(pid, 5_000))) throw new Error(`test hosts: process ${pid} survived SIGKILL`);
}

async function killAll(procs: readonly Proc[]): Promise<void> {
  for (const p of procs) signal(p.pid, 'SIGKILL');
  await Promise.all(procs.map((p) => waitDead(p.pid, 5_000)));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  await stopPid(child.pid, 5_000);
}

async function stopAgent(agent: AgentProcess): Promise<void> {
  if (!agent.running) return;
  const timer = setTimeout(() => agent.child.kill('SIGKILL'), 5_000);
  await agent.stop('SIGTERM');
  clearTimeout(timer);
}

// ---- network --------------------------------------------------------------------------------------------

async function ip(args: readonly string[]): Promise<void> {
  try {
    await run('ip', args);
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr ?? String(e);
    throw new Error(`test hosts: ip ${args.join(' ')}: ${stderr.trim()}`);
  }
}

async function linkNames(): Promise<string[]> {
  const { stdout } = await run('ip', ['-j', 'link', 'show']);
  return (JSON.parse(stdout) as { ifname: string }[]).map((l) => l.ifname);
}

async function deleteLink(name: string): Promise<void> {
  if (!(await linkNames()).includes(name)) return;
  // Another cleaner (a concurrent run of the same prefix) may have been quicker.
  await ip(['link', 'del', name]).catch(async (e: unknown) => {
    if ((await linkNames()).includes(name)) throw e;
  });
}

function inodeOf(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

interface RegistryProxy {
  close(): Promise<void>;
}

/**
 * Forwards `gateway:5000` to the loopback registry. Written here because it is a dozen lines and lives
 * exactly as long as the hosts that need it; a second registry process would need its own lifecycle.
 */
async function startRegistryProxy(gateway: string): Promise<RegistryProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(LOCAL_REGISTRY.port, LOCAL_REGISTRY.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    }
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(LOCAL_REGISTRY.port, gateway, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---- slots ----------------------------------------------------------------------------------------------

interface SlotOwner {
  readonly prefix: string;
  readonly pid: number;
  /** The owner's start time (clock ticks after boot), so that a reused pid is not taken for the owner. */
  readonly startTime: string;
}

function ownerAlive(owner: SlotOwner): boolean {
  return isAlive(owner.pid) && procStat(owner.pid)?.startTime === owner.startTime;
}

function readOwner(slot: number): SlotOwner | undefined {
  try {
    return JSON.parse(readFileSync(join(SLOTS, String(slot), 'owner.json'), 'utf8')) as SlotOwner;
  } catch {
    return undefined;
  }
}

function slotOwners(): { slot: number; owner: SlotOwner }[] {
  const out: { slot: number; owner: SlotOwner }[] = [];
  for (const entry of listDir(SLOTS)) {
    if (!/^\d+$/.test(entry)) continue;
    const owner = readOwner(Number(entry));
    if (owner !== undefined) out.push({ slot: Number(entry), owner });
  }
  return out;
}

/**
 * Claims the lowest free /24: `mkdir` is atomic, so two test files starting together cannot both get one.
 * A slot whose owner died (a crashed run of another prefix) is taken over, and that run's hosts, which
 * still hold the slot's addresses, are removed first.
 */
async function claimSlot(prefix: string): Promise<number> {
  mkdirSync(SLOTS, { recursive: true });
  const me = procStat(process.pid);
  const owner: SlotOwner = { prefix, pid: process.pid, startTime: me?.startTime ?? '' };
  for (let slot = 1; slot <= MAX_SLOT; slot++) {
    const dir = join(SLOTS, String(slot));
    let previous: SlotOwner | undefined;
    try {
      mkdirSync(dir);
    } catch {
      previous = readOwner(slot);
      const stale =
        previous !== undefined
          ? !ownerAlive(previous)
          : // A claimant writes its owner file right after mkdir; one without it for a minute crashed.
            Date.now() - (statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 60_000;
      if (!stale) continue;
      // Only one claimant wins the rename; the others move on to the next slot.
      const trash = `${dir}.stale-${randomBytes(4).toString('hex')}`;
      try {
        renameSync(dir, trash);
        rmSync(trash, { recursive: true, force: true });
        mkdirSync(dir);
      } catch {
        continue;
      }
    }
    writeFileSync(join(dir, 'owner.json'), JSON.stringify(owner));
    if (previous !== undefined && previous.prefix !== prefix) await cleanSet(previous.prefix);
    return slot;
  }
  throw new Error(`test hosts: all ${MAX_SLOT} address slots under ${SLOTS} are taken`);
}

function releaseSlot(slot: number, prefix: string): void {
  if (readOwner(slot)?.prefix === prefix) rmSync(join(SLOTS, String(slot)), { recursive: true, force: true });
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

async function capture(
  file: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(file, args, { env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === 'number' ? err.code : 1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
    };
  }
}

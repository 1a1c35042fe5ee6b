/**
 * What the metadata endpoint reads from Docker: a container's details for the JSON views, its stats, and
 * the bridge network's gateway address.
 *
 * Stats go through the engine's DockerClient (its time limits and named errors). The details need more of
 * `docker inspect` than the engine's ContainerFacts carry (creation time, IP addresses, health check log,
 * log configuration), so they are read with dockerode directly, under their own time limit, and mapped by
 * a pure function the unit tests exercise with recorded inspect output.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import Dockerode from 'dockerode';
import type { DockerEndpoint } from '../option-values.js';
import type { DockerClient } from '../engine/docker/docker-client.js';
import { createDockerodeClient } from '../engine/docker/dockerode-client.js';
import { DockerError } from '../engine/docker/errors.js';

/** An inspect reads dockerd's memory: far less than this unless dockerd is in trouble, and a caller waits. */
export const DETAILS_TIMEOUT_MS = 10_000;
/** At start-up the agent waits this long for the bridge's address before going on without it. */
export const BRIDGE_LOOKUP_TIMEOUT_MS = 5_000;
/** Docker's default bridge interface, for when dockerd does not answer (it still exists while dockerd is down). */
export const DEFAULT_BRIDGE_INTERFACE = 'docker0';
/** The kernel's routing tables, which list the host's own addresses (whether their interface is up or not). */
const FIB_TRIE = '/proc/net/fib_trie';

export interface HealthCheckRun {
  readonly end: string | undefined;
  readonly exitCode: number;
  readonly output: string;
}

export interface ContainerDetails {
  /** Without Docker's leading slash. */
  readonly dockerName: string;
  readonly imageId: string;
  readonly labels: Readonly<Record<string, string>>;
  /** RFC 3339 with nanoseconds, as Docker gives them; undefined for Docker's zero time. */
  readonly createdAt: string | undefined;
  readonly startedAt: string | undefined;
  readonly finishedAt: string | undefined;
  readonly networkMode: string;
  readonly ipv4Addresses: readonly string[];
  /** Docker's health state (starting | healthy | unhealthy) and its recent checks, oldest first. */
  readonly health: { readonly status: string; readonly log: readonly HealthCheckRun[] } | undefined;
  readonly logDriver: string | undefined;
  readonly logOptions: Readonly<Record<string, string>>;
}

/** The Docker reads the endpoint needs; a fake in unit tests. */
export interface ContainerReader {
  /** Undefined when Docker has no such container. */
  details(runtimeId: string): Promise<ContainerDetails | undefined>;
  /** One sample of Docker's stats JSON; undefined when Docker has no such container. */
  stats(runtimeId: string): Promise<unknown>;
}

/** Docker's "no time": a container that never started or never finished. */
function dockerTime(value: string | undefined): string | undefined {
  return value === undefined || value === '' || value.startsWith('0001-01-01') ? undefined : value;
}

/** The parts of `docker inspect` the views use. Pure. */
export function containerDetails(info: Dockerode.ContainerInspectInfo): ContainerDetails {
  const networkMode = info.HostConfig.NetworkMode ?? 'default';
  const networks = Object.values(info.NetworkSettings.Networks ?? {});
  const health = info.State.Health;
  const log = info.HostConfig.LogConfig;
  return {
    dockerName: info.Name.replace(/^\//, ''),
    imageId: info.Image,
    labels: info.Config.Labels ?? {},
    createdAt: dockerTime(info.Created),
    startedAt: dockerTime(info.State.StartedAt),
    finishedAt: dockerTime(info.State.FinishedAt),
    networkMode: networkMode === 'default' ? 'bridge' : networkMode,
    ipv4Addresses: networks.map((n) => n.IPAddress).filter((ip) => ip !== undefined && ip !== ''),
    health:
      health === undefined
        ? undefined
        : {
            status: health.Status,
            log: (health.Log ?? []).map((run) => ({
              end: dockerTime(run.End),
              exitCode: run.ExitCode,
              output: run.Output,
            })),
          },
    logDriver: log?.Type,
    logOptions: (log?.Config as Record<string, string> | undefined) ?? {},
  };
}

function dockerodeFor(endpoint: DockerEndpoint): Dockerode {
  return new Dockerode(
    endpoint.kind === 'unix'
      ? { socketPath: endpoint.socketPath }
      : { host: endpoint.host, port: endpoint.port, protocol: endpoint.protocol },
  );
}

/**
 * Runs `call` under a time limit: the signal aborts the request where dockerode supports it, and the
 * caller gets its error on time either way.
 */
async function limited<T>(what: string, ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`Docker did not answer ${what} within ${ms / 1000}s`));
    }, ms);
  });
  try {
    return await Promise.race([call(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Docker's 404, from dockerode (`statusCode` on its error) or from the engine's client (a DockerError). */
function isNotFound(e: unknown): boolean {
  if (e instanceof DockerError) return e.statusCode === 404;
  return (e as { statusCode?: unknown } | undefined)?.statusCode === 404;
}

export function dockerContainerReader(endpoint: DockerEndpoint, client?: DockerClient): ContainerReader {
  const docker = dockerodeFor(endpoint);
  const stats =
    client ??
    createDockerodeClient(
      endpoint.kind === 'unix'
        ? { socketPath: endpoint.socketPath }
        : { host: endpoint.host, port: endpoint.port, protocol: endpoint.protocol },
    );
  return {
    async details(runtimeId) {
      try {
        const info = await limited('a container inspect', DETAILS_TIMEOUT_MS, (abortSignal) =>
          docker.getContainer(runtimeId).inspect({ abortSignal }),
        );
        return containerDetails(info);
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async stats(runtimeId) {
      try {
        return await stats.containerStats(runtimeId);
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
  };
}

/** The IPv4 address of a host interface that is up with a carrier (Node lists no others). */
export function interfaceAddress(name: string): string | undefined {
  return networkInterfaces()[name]?.find((a) => a.family === 'IPv4')?.address;
}

/** The host's own IPv4 addresses, from the kernel's routing table dump (`/proc/net/fib_trie`). Pure. */
export function localAddresses(fibTrie: string): string[] {
  const found = new Set<string>();
  const lines = fibTrie.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const address = /\|-- (\d+\.\d+\.\d+\.\d+)$/.exec(lines[i] ?? '')?.[1];
    if (address !== undefined && /\/32 host LOCAL/.test(lines[i + 1] ?? '')) found.add(address);
  }
  return [...found];
}

function readLocalAddresses(): string[] {
  try {
    return localAddresses(readFileSync(FIB_TRIE, 'utf8'));
  } catch {
    return [];
  }
}

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

/** Whether `ip` is inside `cidr` (IPv4). Pure. */
export function inSubnet(ip: string, cidr: string): boolean {
  const [network = '', bits = ''] = cidr.split('/');
  const prefix = Number(bits);
  const a = ipv4ToNumber(ip);
  const b = ipv4ToNumber(network);
  if (a === undefined || b === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32)
    return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(a / size) === Math.floor(b / size);
}

interface BridgeNetwork {
  readonly IPAM?: {
    readonly Config?: readonly { readonly Subnet?: string; readonly Gateway?: string }[] | null;
  };
  readonly Options?: Readonly<Record<string, string>> | null;
}

/** How the host's addresses are read; the real host's by default. */
export interface HostAddresses {
  readonly interfaceAddress: (name: string) => string | undefined;
  readonly localAddresses: () => readonly string[];
}

const REAL_HOST: HostAddresses = { interfaceAddress, localAddresses: readLocalAddresses };

/**
 * The bridge gateway from `docker network inspect bridge`. dockerd leaves Gateway out of the default
 * bridge's IPAM when it adopted an existing docker0 address; the gateway is then the host's own address in
 * the bridge's subnet (read from the kernel, since Node does not list a bridge without containers), or
 * failing that the bridge interface's.
 */
export function gatewayOf(network: BridgeNetwork, host: HostAddresses = REAL_HOST): string | undefined {
  const configs = network.IPAM?.Config ?? [];
  const fromIpam = configs
    .map((c) => c.Gateway)
    .find((g): g is string => g !== undefined && ipv4ToNumber(g) !== undefined);
  if (fromIpam !== undefined) return fromIpam;
  const subnets = configs.flatMap((c) => (c.Subnet === undefined ? [] : [c.Subnet]));
  const own = host.localAddresses().find((ip) => subnets.some((s) => inSubnet(ip, s)));
  return (
    own ??
    host.interfaceAddress(network.Options?.['com.docker.network.bridge.name'] ?? DEFAULT_BRIDGE_INTERFACE)
  );
}

/**
 * The address bridge-mode containers reach the host at: the default bridge network's gateway. When dockerd
 * does not answer, the default bridge interface's address, if there is one.
 */
export async function findBridgeGateway(endpoint: DockerEndpoint): Promise<string | undefined> {
  try {
    const network = (await limited(
      'a network inspect',
      BRIDGE_LOOKUP_TIMEOUT_MS,
      () => dockerodeFor(endpoint).getNetwork('bridge').inspect() as Promise<unknown>,
    )) as BridgeNetwork;
    return gatewayOf(network);
  } catch {
    return interfaceAddress(DEFAULT_BRIDGE_INTERFACE);
  }
}

/**
 * What the metadata endpoint reads from Docker: a container's details for the JSON views, its stats, and
 * the bridge network's gateway address.
 *
 * Stats go through the engine's DockerClient (its time limits and named errors). The details need more of
 * `docker inspect` than the engine's ContainerFacts carry (creation time, IP addresses, health check log,
 * log configuration), so they are read with dockerode directly, under their own time limit, and mapped by
 * a pure function the unit tests exercise with recorded inspect output.
 */
import { networkInterfaces } from 'node:os';
import Dockerode from 'dockerode';
import type { DockerEndpoint } from '../option-values.js';
import type { DockerClient } from '../engine/docker/docker-client.js';
import { createDockerodeClient } from '../engine/docker/dockerode-client.js';

/** An inspect reads dockerd's memory: far less than this unless dockerd is in trouble, and a caller waits. */
export const DETAILS_TIMEOUT_MS = 10_000;
/** At start-up the agent waits this long for the bridge's address before going on without it. */
export const BRIDGE_LOOKUP_TIMEOUT_MS = 5_000;
/** Docker's default bridge interface, for when dockerd does not answer (it still exists while dockerd is down). */
export const DEFAULT_BRIDGE_INTERFACE = 'docker0';

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
  /** One sample of Docker's stats JSON. */
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
    logOptions: log?.Config ?? {},
  };
}

function dockerodeFor(endpoint: DockerEndpoint): Dockerode {
  return new Dockerode(
    endpoint.kind === 'unix'
      ? { socketPath: endpoint.socketPath }
      : { host: endpoint.host, port: endpoint.port, protocol: endpoint.protocol },
  );
}

/** Runs `call` with an abort signal that fires after `ms`; rejects with a message naming `what`. */
async function limited<T>(what: string, ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    return await call(controller.signal);
  } catch (e) {
    if (controller.signal.aborted) throw new Error(`Docker did not answer ${what} within ${ms / 1000}s`);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

function isNotFound(e: unknown): boolean {
  return (e as { statusCode?: number } | undefined)?.statusCode === 404;
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
    stats: (runtimeId) => stats.containerStats(runtimeId),
  };
}

/** The IPv4 address of a host interface, if it has one. */
export function interfaceAddress(name: string): string | undefined {
  return networkInterfaces()[name]?.find((a) => a.family === 'IPv4')?.address;
}

interface BridgeNetwork {
  readonly IPAM?: { readonly Config?: readonly { readonly Gateway?: string }[] | null };
  readonly Options?: Readonly<Record<string, string>> | null;
}

/** The bridge gateway from `docker network inspect bridge` (interface as fallback). Pure apart from the lookup. */
export function gatewayOf(
  network: BridgeNetwork,
  lookup: (name: string) => string | undefined = interfaceAddress,
): string | undefined {
  const fromIpam = network.IPAM?.Config?.map((c) => c.Gateway).find(
    (g): g is string => g !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(g),
  );
  // dockerd leaves Gateway out of the default bridge's IPAM when it adopted an existing docker0 address;
  // the bridge interface then carries it.
  return fromIpam ?? lookup(network.Options?.['com.docker.network.bridge.name'] ?? DEFAULT_BRIDGE_INTERFACE);
}

/**
 * The address bridge-mode containers reach the host at: the default bridge network's gateway. When dockerd
 * does not answer, the default bridge interface's address, if there is one.
 */
export async function findBridgeGateway(endpoint: DockerEndpoint): Promise<string | undefined> {
  try {
    const network = (await limited('a network inspect', BRIDGE_LOOKUP_TIMEOUT_MS, (abortSignal) =>
      dockerodeFor(endpoint).getNetwork('bridge').inspect({ abortSignal }),
    )) as BridgeNetwork;
    return gatewayOf(network);
  } catch {
    return interfaceAddress(DEFAULT_BRIDGE_INTERFACE);
  }
}

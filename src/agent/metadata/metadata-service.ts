/**
 * The task metadata endpoint v4 (TMDS) on the agent: containers read their own and their task's metadata and
 * Docker stats at `$ECS_CONTAINER_METADATA_URI_V4`, as on ECS.
 *
 * Where it listens. The ECS agent listens on 127.0.0.1:51679, and ecs-init adds iptables rules that send
 * 169.254.170.2:80 there, so every container uses the same URL host. Berth leaves the host's firewall alone
 * (an agent that rewrites iptables fights with Docker's own rules, firewalld and whatever the site runs), so
 * it listens where containers can reach it directly, on port 51679 (already among the reserved ports):
 * - on 127.0.0.1, for host-mode containers (they share the host's network);
 * - on the Docker bridge's gateway address (e.g. 172.17.0.1), for bridge-mode containers: their default
 *   route leads there.
 * Not on 0.0.0.0 by default: that would also expose the endpoint to the host's network. Ids are unguessable,
 * but there is no reason to offer even a 404 and the rate limiter to the LAN. `--metadata-listen HOST:PORT`
 * chooses one address instead (0.0.0.0 included); `off` disables the endpoint. None-mode containers cannot
 * reach any address and get no variables.
 *
 * What containers are told (environment, added at create; the task's own variables win on a clash):
 *   ECS_CONTAINER_METADATA_URI_V4 = http://<address>:51679/v4/<endpoint id>
 *   ECS_CONTAINER_METADATA_URI    = http://<address>:51679/v3/<endpoint id>
 *   ECS_AGENT_URI                 = http://<address>:51679/api/<endpoint id>
 * with <address> the bridge gateway in bridge mode and 127.0.0.1 in host mode, as IP literals (as ECS's
 * 169.254.170.2): no name resolution inside the container, so it works with any libc, or none.
 *
 * Endpoint ids are HMACs of the task ARN and container name under a per-agent secret (endpoint-ids.ts): the
 * same after agent restarts, nothing persisted per container. The engine's task list is the source of truth
 * for what an id stands for; Docker is read for the details and stats (docker-details.ts).
 *
 * Failing to listen (port taken by another agent, bridge not there yet because dockerd has not started)
 * does not stop the agent: its tasks matter more than their metadata. The agent logs it and tries again
 * with a growing pause, as the ECS agent retries its TMDS server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AcsContainer, AcsTask } from '../../acs/payload.js';
import type { DockerEndpoint } from '../option-values.js';
import type { TaskState } from '../tasks/contracts.js';
import { dockerContainerReader, findBridgeGateway, type ContainerReader } from './docker-details.js';
import { EndpointIndex, loadOrCreateSecret } from './endpoint-ids.js';
import { baseUrl, containerAddress, LOOPBACK_V4, type MetadataListen } from './listen.js';
import { RateLimiter, type RateLimit } from './rate-limiter.js';
import { metadataHandler } from './server.js';

/** First pause before listening again; doubles up to the maximum. */
export const LISTEN_RETRY_MIN_MS = 1_000;
/** A port held by another process is freed by a person, rarely within seconds: check once a minute. */
export const LISTEN_RETRY_MAX_MS = 60_000;
/** Keep-alive sockets of polling containers must not hold up the agent's exit. */
const KEEP_ALIVE_MS = 1_000;

export const METADATA_ENV = {
  v4: 'ECS_CONTAINER_METADATA_URI_V4',
  v3: 'ECS_CONTAINER_METADATA_URI',
  agent: 'ECS_AGENT_URI',
} as const;

export interface MetadataServiceOptions {
  readonly listen: MetadataListen;
  readonly dataDir: string;
  readonly docker: DockerEndpoint;
  /** The engine's tasks; empty until the engine exists. */
  readonly tasks: () => ReadonlyMap<string, TaskState>;
  readonly log: Logger;
  /** @default Docker at `docker` */
  readonly reader?: ContainerReader;
  /** @default the default bridge network's gateway, from Docker */
  readonly bridgeGateway?: () => Promise<string | undefined>;
  /** @default ECS's 40 per second, bursts of 60 */
  readonly rateLimit?: RateLimit;
}

export interface MetadataService {
  /** The port it listens on (the chosen one when 0 was asked for). */
  readonly port: number;
  /** The addresses it listens on now. */
  readonly addresses: readonly string[];
  /** The variables for one container of a task (none when the container cannot reach the endpoint). */
  readonly environmentFor: (task: AcsTask, container: AcsContainer) => Record<string, string>;
  close(): Promise<void>;
}

/** Loads the secret, listens (what it can at once; the rest is retried), and serves. */
export async function startMetadataService(o: MetadataServiceOptions): Promise<MetadataService> {
  const log = o.log.child({ component: 'task-metadata' });
  const index = new EndpointIndex(loadOrCreateSecret(o.dataDir), o.tasks);
  const handler = metadataHandler({
    index,
    docker: o.reader ?? dockerContainerReader(o.docker),
    limiter: new RateLimiter(o.rateLimit),
    log,
  });
  const lookupGateway = o.bridgeGateway ?? (() => findBridgeGateway(o.docker));
  const servers = new Map<string, Server>();
  let port = o.listen.port;
  let gateway: string | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let closed = false;
  let warnedBridge = false;

  const wanted = async (): Promise<string[]> => {
    if (o.listen.kind === 'address') {
      // A wildcard address still needs the gateway: it is what bridge containers are told.
      if (o.listen.host === '0.0.0.0' || o.listen.host === '::') gateway ??= await lookupGateway();
      return [o.listen.host];
    }
    gateway ??= await lookupGateway();
    return gateway === undefined ? [LOOPBACK_V4] : [LOOPBACK_V4, gateway];
  };

  /** Listens on every wanted address not listened on yet; true when all are. */
  const listenAll = async (): Promise<boolean> => {
    const hosts = await wanted();
    let complete = o.listen.kind === 'address' || gateway !== undefined;
    for (const host of hosts) {
      if (servers.has(host) || closed) continue;
      const server = createServer(handler);
      server.keepAliveTimeout = KEEP_ALIVE_MS;
      try {
        await listen(server, host, port);
        // Port 0 (tests): the first address picks the port, the others use the same.
        port = (server.address() as AddressInfo).port;
        servers.set(host, server);
        log.info({ host, port }, 'task metadata endpoint listening');
      } catch (e) {
        complete = false;
        const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        log.error(
          { host, port, code },
          `cannot serve the task metadata endpoint on ${baseUrl(host, port).slice('http://'.length)} (${code}); ` +
            'trying again. Free the port, or choose another with --metadata-listen, or turn it off with --metadata-listen off.',
        );
      }
    }
    return complete;
  };

  const retry = (): void => {
    if (closed) return;
    const delay = Math.min(LISTEN_RETRY_MAX_MS, LISTEN_RETRY_MIN_MS * 2 ** failures++);
    retryTimer = setTimeout(() => {
      listenAll()
        .then((complete) => {
          if (!complete) retry();
        })
        .catch((e: unknown) => {
          log.error({ err: (e as Error).message }, 'task metadata endpoint: cannot listen');
          retry();
        });
    }, delay);
    // Retrying must not keep a stopping agent alive.
    retryTimer.unref();
  };

  if (!(await listenAll())) retry();

  return {
    get port() {
      return port;
    },
    get addresses() {
      return [...servers.keys()];
    },
    environmentFor: (task, container): Record<string, string> => {
      const address = containerAddress(o.listen, task.networkMode ?? 'bridge', gateway);
      if (address === undefined) {
        if ((task.networkMode ?? 'bridge') === 'bridge' && !warnedBridge) {
          warnedBridge = true;
          log.warn(
            { taskArn: task.arn },
            o.listen.kind === 'address'
              ? `bridge-mode containers get no task metadata endpoint: they cannot reach ${o.listen.host}`
              : 'bridge-mode containers get no task metadata endpoint: the Docker bridge address is not known yet',
          );
        }
        return {};
      }
      const id = index.idOf(task.arn, container.name);
      const base = baseUrl(address, port);
      return {
        [METADATA_ENV.v4]: `${base}/v4/${id}`,
        [METADATA_ENV.v3]: `${base}/v3/${id}`,
        [METADATA_ENV.agent]: `${base}/api/${id}`,
      };
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await Promise.all([...servers.values()].map(closeServer));
      servers.clear();
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * The HTTP side of the task metadata endpoint: routes, rate limiting, errors. Paths as the ECS agent serves
 * them (`ecs-agent/tmds/handlers/v4/handlers.go`):
 *
 *   GET /v4/<id>               the container's own metadata
 *   GET /v4/<id>/task          its task, with every created container
 *   GET /v4/<id>/taskWithTags  the same; TaskTags and ContainerInstanceTags are left out, because the agent
 *                              has no access to tags (ECS also leaves them out when it cannot read them)
 *   GET /v4/<id>/stats         Docker stats of the container (one sample)
 *   GET /v4/<id>/task/stats    Docker stats of each container of the task, by Docker id
 *
 * `/v3/<id>…` (ECS_CONTAINER_METADATA_URI) answers the same; v3's fields are a subset of v4's. `/api/<id>/…`
 * (ECS_AGENT_URI: task scale-in protection) answers 404: Berth does not have it.
 *
 * Errors are JSON strings with ECS's status codes: 404 for an unknown id or a container Docker does not
 * have, 429 when rate limited, 500 when Docker fails, 405 for anything but GET.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ContainerState } from '../tasks/contracts.js';
import type { ContainerReader } from './docker-details.js';
import type { EndpointIndex, Located } from './endpoint-ids.js';
import type { RateLimiter } from './rate-limiter.js';
import { containerView, taskView, type ContainerView } from './views.js';

export interface MetadataHandlerDeps {
  readonly index: Pick<EndpointIndex, 'has' | 'resolve'>;
  readonly docker: ContainerReader;
  readonly limiter: RateLimiter;
  readonly log: Logger;
  /** @default performance.now (monotonic: a clock change must not refill or drain buckets) */
  readonly now?: () => number;
}

const ROUTE = /^\/(v[34]|api)\/([^/]+)(\/.*)?$/;
type Resource = 'container' | 'task' | 'stats' | 'task-stats';
const RESOURCES: Readonly<Record<string, Resource>> = {
  '': 'container',
  '/': 'container',
  '/task': 'task',
  '/taskWithTags': 'task',
  '/stats': 'stats',
  '/task/stats': 'task-stats',
};

/** An answer with a status; thrown inside a handler. */
class Failure extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Seconds, for 429. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export function metadataHandler(
  deps: MetadataHandlerDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const now = deps.now ?? (() => performance.now());
  return (req, res) => {
    answer(deps, now(), req)
      .then((body) => send(res, 200, body))
      .catch((e: unknown) => {
        if (e instanceof Failure) {
          if (e.status === 429) res.setHeader('retry-after', String(Math.max(1, e.retryAfter ?? 1)));
          send(res, e.status, e.message);
          return;
        }
        deps.log.warn({ err: (e as Error).message, path: req.url }, 'task metadata request failed');
        send(res, 500, `Task metadata endpoint: ${(e as Error).message}`);
      });
  };
}

async function answer(deps: MetadataHandlerDeps, nowMs: number, req: IncomingMessage): Promise<unknown> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new Failure(405, 'The task metadata endpoint is read-only: use GET.');
  }
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  const m = ROUTE.exec(path);
  const id = m?.[2];
  // Known ids have a bucket each; everything else shares one per client address, so guessing is slow too,
  // and the index rebuild an unknown id causes happens only for requests that were let through.
  const key = id !== undefined && deps.index.has(id) ? `id:${id}` : `addr:${req.socket.remoteAddress}`;
  if (!deps.limiter.take(key, nowMs)) {
    throw new Failure(
      429,
      'Too many requests to the task metadata endpoint; slow down.',
      deps.limiter.retryAfterSeconds(key, nowMs),
    );
  }
  if (m?.[1] === 'api') {
    throw new Failure(404, 'Task scale-in protection (ECS_AGENT_URI) is not supported by Berth.');
  }
  const resource = RESOURCES[m?.[3] ?? ''];
  if (m === null || resource === undefined) {
    throw new Failure(404, `No ${path} here: use the URL in ECS_CONTAINER_METADATA_URI_V4.`);
  }
  const located = id === undefined ? undefined : deps.index.resolve(id);
  if (located === undefined) {
    throw new Failure(404, `Task metadata endpoint: no container has the id ${id ?? ''}.`);
  }
  switch (resource) {
    case 'container':
      return ownContainer(deps, located);
    case 'task':
      return taskView(located.state, await containers(deps, located));
    case 'stats':
      return (await deps.docker.stats(runtimeIdOf(located))) ?? gone(located);
    case 'task-stats':
      return taskStats(deps, located);
  }
}

function runtimeIdOf(located: Located): string {
  const id = located.container?.runtimeId;
  if (id === undefined) {
    throw new Failure(
      404,
      `Task metadata endpoint: container ${located.definition.name} has not been created yet.`,
    );
  }
  return id;
}

function gone(located: Located): never {
  throw new Failure(
    404,
    `Task metadata endpoint: Docker no longer has container ${located.definition.name}.`,
  );
}

async function ownContainer(deps: MetadataHandlerDeps, located: Located): Promise<ContainerView> {
  const runtimeId = runtimeIdOf(located);
  const container = located.container as ContainerState;
  const details = await deps.docker.details(runtimeId);
  return containerView(located.state, located.definition, container, runtimeId, details);
}

/** Views of the task's created containers, in definition order. */
async function containers(deps: MetadataHandlerDeps, located: Located): Promise<ContainerView[]> {
  const { state } = located;
  const created = state.task.containers.flatMap((definition) => {
    const container = state.containers.find((c) => c.name === definition.name);
    const runtimeId = container?.runtimeId;
    return container === undefined || runtimeId === undefined ? [] : [{ definition, container, runtimeId }];
  });
  return Promise.all(
    created.map(async ({ definition, container, runtimeId }) =>
      containerView(state, definition, container, runtimeId, await deps.docker.details(runtimeId)),
    ),
  );
}

/** Docker stats by Docker id; null for a container whose stats Docker cannot give (as ECS). */
async function taskStats(deps: MetadataHandlerDeps, located: Located): Promise<Record<string, unknown>> {
  const ids = located.state.containers.flatMap((c) => (c.runtimeId === undefined ? [] : [c.runtimeId]));
  const samples = await Promise.all(
    ids.map(async (id) => {
      try {
        return [id, (await deps.docker.stats(id)) ?? null] as const;
      } catch (e) {
        deps.log.debug({ containerId: id, err: (e as Error).message }, 'no stats for a container');
        return [id, null] as const;
      }
    }),
  );
  return Object.fromEntries(samples);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

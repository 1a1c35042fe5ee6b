/**
 * DockerClient over dockerode. Each call runs under its own time limit (timeouts.ts): the request is
 * aborted when the limit passes and the caller gets a DockerTimeoutError. dockerode's errors (HTTP status
 * plus dockerd's JSON message, or a socket error) become named DockerErrors whose `retriable` says whether
 * trying again can help. Answers that mean "already done" (304 on start/stop, 404 on remove) are successes,
 * so callers can repeat an action safely after a restart.
 */
import Dockerode from 'dockerode';
import type { NetworkBinding } from '../../tasks/contracts.js';
import type {
  ContainerCreateBody,
  ContainerFacts,
  ContainerSummary,
  DockerClient,
  DockerEvent,
  DockerVersion,
  EventSubscription,
  EventSubscriptionOptions,
  HostFacts,
  ImageFacts,
  ImageSummary,
  VolumeFacts,
  VolumeSpec,
} from './docker-client.js';
import { DockerError, DockerTimeoutError, type DockerErrorName } from './errors.js';
import { pullReference } from './image-ref.js';
import type { RegistryAuth } from './registry-auth.js';
import * as T from './timeouts.js';
import { jsonLines, pullProgress } from './streams.js';

export interface DockerodeClientOptions {
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
  readonly protocol?: 'http' | 'https';
  /** Overrides of the pull limits, for tests. */
  readonly pullTimeoutMs?: number;
  readonly pullInactivityTimeoutMs?: number;
}

/** Docker's "no time" (a container that never started or never finished). */
const DOCKER_ZERO_TIME_YEAR = 1;

export function createDockerodeClient(options: DockerodeClientOptions = {}): DockerClient {
  const docker = new Dockerode({
    ...(options.socketPath !== undefined && { socketPath: options.socketPath }),
    ...(options.host !== undefined && { host: options.host }),
    ...(options.port !== undefined && { port: options.port }),
    ...(options.protocol !== undefined && { protocol: options.protocol }),
  });
  const pullTimeoutMs = options.pullTimeoutMs ?? T.PULL_TIMEOUT_MS;
  const pullInactivityMs = options.pullInactivityTimeoutMs ?? T.PULL_INACTIVITY_TIMEOUT_MS;

  return {
    async version(): Promise<DockerVersion> {
      const v = await call('version', T.VERSION_TIMEOUT_MS, 'CannotGetDockerInfoError', () =>
        docker.version(),
      );
      return { version: v.Version, apiVersion: v.ApiVersion };
    },

    async hostFacts(): Promise<HostFacts> {
      const info = (await call('info', T.INFO_TIMEOUT_MS, 'CannotGetDockerInfoError', () =>
        docker.info(),
      )) as {
        Plugins?: { Log?: string[]; Volume?: string[]; Network?: string[] };
        Warnings?: string[] | null;
      };
      return {
        logDrivers: info.Plugins?.Log ?? [],
        volumeDrivers: info.Plugins?.Volume ?? [],
        networkDrivers: info.Plugins?.Network ?? [],
        warnings: info.Warnings ?? [],
      };
    },

    async pullImage(image: string, auth: RegistryAuth | undefined): Promise<void> {
      const reference = pullReference(image);
      const controller = new AbortController();
      let stream: NodeJS.ReadableStream;
      const overall = setTimeout(() => controller.abort(), pullTimeoutMs);
      try {
        stream = await docker.pull(reference, {
          abortSignal: controller.signal,
          ...(auth !== undefined && { authconfig: auth }),
        });
        await pullProgress(stream, pullInactivityMs, controller);
      } catch (e) {
        if (controller.signal.aborted) {
          const inactive =
            (controller.signal.reason as { inactive?: boolean } | undefined)?.inactive === true;
          throw new DockerError(
            'CannotPullContainerError',
            inactive
              ? `pull of ${reference} made no progress for ${pullInactivityMs / 1000}s`
              : `pull of ${reference} did not finish within ${pullTimeoutMs / 1000}s`,
            { retriable: true, cause: e },
          );
        }
        throw toDockerError('CannotPullContainerError', e);
      } finally {
        clearTimeout(overall);
      }
    },

    async inspectImage(image: string): Promise<ImageFacts | undefined> {
      const info = await orMissing(
        call('image inspect', T.INSPECT_TIMEOUT_MS, 'CannotInspectImageError', () =>
          docker.getImage(image).inspect(),
        ),
      );
      if (info === undefined) return undefined;
      return { id: info.Id, repoTags: info.RepoTags ?? [], repoDigests: info.RepoDigests ?? [] };
    },

    async listImages(): Promise<ImageSummary[]> {
      const images = await call('image list', T.LIST_TIMEOUT_MS, 'CannotInspectImageError', (abortSignal) =>
        docker.listImages({ abortSignal }),
      );
      return images.map((i) => ({ id: i.Id, repoTags: i.RepoTags ?? [], createdAt: i.Created * 1000 }));
    },

    async removeImage(id: string): Promise<void> {
      await orMissing(
        call(
          'image remove',
          T.REMOVE_IMAGE_TIMEOUT_MS,
          'CannotRemoveImageError',
          (abortSignal) => docker.getImage(id).remove({ abortSignal } as object) as Promise<unknown>,
        ),
      );
    },

    async createContainer(name: string, body: ContainerCreateBody): Promise<string> {
      const container = await call(
        'create',
        T.CREATE_TIMEOUT_MS,
        'CannotCreateContainerError',
        (abortSignal) => docker.createContainer({ ...body, name, abortSignal }),
      );
      return container.id;
    },

    async startContainer(id: string): Promise<void> {
      await alreadyDone(
        call(
          'start',
          T.START_TIMEOUT_MS,
          'CannotStartContainerError',
          (abortSignal) => docker.getContainer(id).start({ abortSignal }) as Promise<unknown>,
        ),
        [304],
      );
    },

    async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
      await alreadyDone(
        call(
          'stop',
          T.stopCallTimeoutMs(timeoutSeconds),
          'CannotStopContainerError',
          (abortSignal) =>
            docker.getContainer(id).stop({ t: timeoutSeconds, abortSignal }) as Promise<unknown>,
        ),
        [304, 404],
      );
    },

    async killContainer(id: string, signal = 'SIGKILL'): Promise<void> {
      await alreadyDone(
        call(
          'kill',
          T.KILL_TIMEOUT_MS,
          'CannotStopContainerError',
          (abortSignal) => docker.getContainer(id).kill({ signal, abortSignal }) as Promise<unknown>,
        ),
        [404, 409],
      );
    },

    async inspectContainer(id: string): Promise<ContainerFacts | undefined> {
      const info = await orMissing(
        call('inspect', T.INSPECT_TIMEOUT_MS, 'CannotInspectContainerError', (abortSignal) =>
          docker.getContainer(id).inspect({ abortSignal }),
        ),
      );
      return info === undefined ? undefined : containerFacts(info);
    },

    async removeContainer(id: string): Promise<void> {
      await alreadyDone(
        call(
          'remove',
          T.REMOVE_TIMEOUT_MS,
          'CannotRemoveContainerError',
          (abortSignal) =>
            docker
              .getContainer(id)
              .remove({ v: true, force: true, abortSignal } as object) as Promise<unknown>,
        ),
        [404],
      );
    },

    async listContainers(labels: readonly string[]): Promise<ContainerSummary[]> {
      const list = await call('list', T.LIST_TIMEOUT_MS, 'CannotListContainersError', (abortSignal) =>
        docker.listContainers({ all: true, filters: { label: [...labels] }, abortSignal }),
      );
      return list.map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? '').replace(/^\//, ''),
        image: c.Image,
        imageId: c.ImageID,
        state: c.State,
        labels: c.Labels,
        createdAt: c.Created * 1000,
      }));
    },

    async containerStats(id: string): Promise<unknown> {
      return call('stats', T.STATS_TIMEOUT_MS, 'CannotGetStatsError', () =>
        docker.getContainer(id).stats({ stream: false }),
      );
    },

    subscribeEvents(
      opts: EventSubscriptionOptions,
      onEvent: (event: DockerEvent) => void,
      onEnd: (error: Error | undefined) => void,
    ): EventSubscription {
      return subscribe(docker, opts, onEvent, onEnd);
    },

    async createVolume(spec: VolumeSpec): Promise<void> {
      await call('volume create', T.VOLUME_TIMEOUT_MS, 'CannotCreateVolumeError', (abortSignal) =>
        docker.createVolume({
          Name: spec.name,
          Driver: spec.driver,
          DriverOpts: { ...spec.driverOpts },
          Labels: { ...spec.labels },
          abortSignal,
        } as Dockerode.VolumeCreateOptions),
      );
    },

    async inspectVolume(name: string): Promise<VolumeFacts | undefined> {
      const info = await orMissing(
        call('volume inspect', T.VOLUME_TIMEOUT_MS, 'CannotInspectVolumeError', (abortSignal) =>
          docker.getVolume(name).inspect({ abortSignal }),
        ),
      );
      return info === undefined
        ? undefined
        : { name: info.Name, driver: info.Driver, labels: info.Labels ?? {} };
    },

    async removeVolume(name: string): Promise<void> {
      await alreadyDone(
        call(
          'volume remove',
          T.VOLUME_TIMEOUT_MS,
          'CannotRemoveVolumeError',
          (abortSignal) => docker.getVolume(name).remove({ abortSignal }) as Promise<unknown>,
        ),
        [404],
      );
    },

    async inspectNetwork(name: string) {
      const info = (await orMissing(
        call(
          'network inspect',
          T.NETWORK_INSPECT_TIMEOUT_MS,
          'CannotInspectNetworkError',
          () => docker.getNetwork(name).inspect() as Promise<unknown>,
        ),
      )) as { Name: string; Driver: string } | undefined;
      return info === undefined ? undefined : { name: info.Name, driver: info.Driver };
    },
  };
}

/**
 * Runs one call under its limit; failures become named DockerErrors. The signal aborts the HTTP request
 * where dockerode supports it; the caller gets its DockerTimeoutError on time either way.
 */
async function call<R>(
  operation: string,
  timeoutMs: number,
  errorName: DockerErrorName,
  run: (signal: AbortSignal) => Promise<R>,
): Promise<R> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DockerTimeoutError(operation, timeoutMs));
    }, timeoutMs);
  });
  try {
    return await Promise.race([run(controller.signal), timeout]);
  } catch (e) {
    if (controller.signal.aborted) throw new DockerTimeoutError(operation, timeoutMs);
    throw toDockerError(errorName, e);
  } finally {
    clearTimeout(timer);
  }
}

/** dockerd's words for failures that no retry can fix. */
const PERMANENT = /not found|no such|unknown|unauthorized|denied|invalid|forbidden|conflict|already in use/i;

export function toDockerError(name: DockerErrorName, e: unknown): DockerError {
  if (e instanceof DockerError) return e;
  const err = e as { statusCode?: unknown; json?: unknown; message?: unknown; code?: unknown };
  const statusCode = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  const json = err.json as { message?: unknown } | null | undefined;
  const message =
    typeof json?.message === 'string'
      ? json.message
      : typeof err.message === 'string'
        ? err.message.replace(/^\(HTTP code \d+\) [a-z ]+ - /, '')
        : String(e);
  // No status: dockerd did not answer (socket refused or reset), worth another try. 5xx: dockerd or the
  // registry behind it failed, retriable unless the message says the thing does not exist or is refused.
  const retriable =
    statusCode === undefined ? true : statusCode >= 500 && statusCode !== 501 && !PERMANENT.test(message);
  return new DockerError(name, message.trim(), {
    retriable,
    ...(statusCode !== undefined && { statusCode }),
    cause: e,
  });
}

async function orMissing<R>(p: Promise<R>): Promise<R | undefined> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof DockerError && e.statusCode === 404) return undefined;
    throw e;
  }
}

async function alreadyDone(p: Promise<unknown>, codes: readonly number[]): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DockerError && e.statusCode !== undefined && codes.includes(e.statusCode)) return;
    throw e;
  }
}

function dockerTime(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  // Docker writes nanoseconds; Date.parse wants at most milliseconds.
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  if (!Number.isFinite(ms) || new Date(ms).getUTCFullYear() <= DOCKER_ZERO_TIME_YEAR) return undefined;
  return ms;
}

function containerFacts(info: Dockerode.ContainerInspectInfo): ContainerFacts {
  const bindings: NetworkBinding[] = [];
  const ports = (info.NetworkSettings?.Ports ?? {}) as Record<
    string,
    { HostIp: string; HostPort: string }[] | null
  >;
  for (const [key, hostPorts] of Object.entries(ports)) {
    const [port, protocol] = key.split('/');
    for (const hp of hostPorts ?? []) {
      bindings.push({
        bindIP: hp.HostIp === '' ? '0.0.0.0' : hp.HostIp,
        containerPort: Number(port),
        hostPort: Number(hp.HostPort),
        protocol: protocol === 'udp' ? 'udp' : 'tcp',
      });
    }
  }
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    image: info.Config.Image,
    imageId: info.Image,
    status: info.State.Status,
    running: info.State.Running,
    exitCode: info.State.ExitCode,
    startedAt: dockerTime(info.State.StartedAt),
    finishedAt: dockerTime(info.State.FinishedAt),
    health: info.State.Health?.Status,
    oomKilled: info.State.OOMKilled,
    error: info.State.Error === '' ? undefined : info.State.Error,
    labels: info.Config.Labels ?? {},
    portBindings: bindings,
    networkMode: info.HostConfig.NetworkMode ?? '',
  };
}

function subscribe(
  docker: Dockerode,
  opts: EventSubscriptionOptions,
  onEvent: (event: DockerEvent) => void,
  onEnd: (error: Error | undefined) => void,
): EventSubscription {
  const controller = new AbortController();
  let ended = false;
  const end = (error: Error | undefined) => {
    if (ended) return;
    ended = true;
    if (!controller.signal.aborted) onEnd(error);
  };
  const query: Record<string, unknown> = {
    filters: { type: ['container'], label: [...opts.labels] },
    abortSignal: controller.signal,
  };
  if (opts.sinceNano !== undefined) {
    const s = opts.sinceNano;
    query.since = `${s / 1_000_000_000n}.${(s % 1_000_000_000n).toString().padStart(9, '0')}`;
  }
  docker.getEvents(query).then(
    (stream) => {
      jsonLines(stream, (value) => {
        const raw = value as {
          Type?: string;
          Action?: string;
          Actor?: { ID?: string; Attributes?: Record<string, string> };
          timeNano?: number;
          time?: number;
        };
        onEvent({
          type: raw.Type ?? '',
          action: raw.Action ?? '',
          id: raw.Actor?.ID ?? '',
          attributes: raw.Actor?.Attributes ?? {},
          timeNano: BigInt(Math.round(raw.timeNano ?? (raw.time ?? 0) * 1e9)),
        });
      }).then(
        () => end(undefined),
        (e: unknown) => end(e instanceof Error ? e : new Error(String(e))),
      );
    },
    (e: unknown) => end(toDockerError('CannotSubscribeEventsError', e)),
  );
  return {
    close() {
      controller.abort();
      ended = true;
    },
  };
}

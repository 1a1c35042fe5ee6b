/**
 * The Docker Engine API as the task engine uses it: only the calls it needs, each with its own time limit
 * (timeouts.ts) and failures mapped to named errors that say whether a retry can help (errors.ts). The
 * engine depends on this interface, never on dockerode, so tests of the engine's logic can use a fake and
 * the implementation (dockerode-client.ts) can change without touching the engine.
 */
import type Dockerode from 'dockerode';
import type { NetworkBinding } from '../../tasks/contracts.js';
import type { RegistryAuth } from './registry-auth.js';

/** The body of POST /containers/create (Docker Config with HostConfig), as container-config.ts builds it. */
export type ContainerCreateBody = Omit<Dockerode.ContainerCreateOptions, 'name' | 'abortSignal' | 'platform'>;

/** What the engine reads from a container inspect. Times are epoch ms; Docker's zero time is undefined. */
export interface ContainerFacts {
  readonly id: string;
  /** Without Docker's leading slash. */
  readonly name: string;
  /** The image as given at create. */
  readonly image: string;
  /** The image's id (sha256:...). */
  readonly imageId: string;
  /** created | running | paused | restarting | removing | exited | dead */
  readonly status: string;
  readonly running: boolean;
  readonly exitCode: number;
  readonly startedAt: number | undefined;
  readonly finishedAt: number | undefined;
  /** starting | healthy | unhealthy, when the container has a health check. */
  readonly health: string | undefined;
  readonly oomKilled: boolean;
  /** Docker's error for a container that failed to start, if any. */
  readonly error: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  /** Published ports as Docker bound them (bridge mode). */
  readonly portBindings: readonly NetworkBinding[];
  readonly networkMode: string;
}

export interface ContainerSummary {
  readonly id: string;
  /** Without Docker's leading slash. */
  readonly name: string;
  readonly image: string;
  readonly imageId: string;
  /** created | running | exited | ... */
  readonly state: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Epoch ms. */
  readonly createdAt: number;
}

export interface ImageFacts {
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
}

export interface ImageSummary {
  readonly id: string;
  readonly repoTags: readonly string[];
  /** Epoch ms when the image was built (not pulled). */
  readonly createdAt: number;
}

/** What the host's dockerd can do, from GET /info. */
export interface HostFacts {
  readonly logDrivers: readonly string[];
  readonly volumeDrivers: readonly string[];
  readonly networkDrivers: readonly string[];
  /** Docker's warnings, e.g. "No swap limit support". */
  readonly warnings: readonly string[];
}

export interface VolumeSpec {
  readonly name: string;
  readonly driver: string;
  readonly driverOpts?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface VolumeFacts {
  readonly name: string;
  readonly driver: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface DockerEvent {
  /** container, image, volume, network, ... */
  readonly type: string;
  /** die, start, health_status: healthy, oom, destroy, ... */
  readonly action: string;
  /** The object's id (a container id for container events). */
  readonly id: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Nanoseconds since the epoch, for resuming a dropped stream with `since`. */
  readonly timeNano: bigint;
}

export interface EventSubscriptionOptions {
  /** Only events of containers with these label keys (or key=value). */
  readonly labels: readonly string[];
  /** Replay events since this time (ns since epoch) before following live ones. */
  readonly sinceNano?: bigint;
}

export interface EventSubscription {
  close(): void;
}

export interface DockerVersion {
  readonly version: string;
  readonly apiVersion: string;
}

export interface DockerClient {
  version(): Promise<DockerVersion>;
  hostFacts(): Promise<HostFacts>;
  /** Pulls one image; resolves when dockerd has it. `auth` when the registry needs credentials. */
  pullImage(image: string, auth: RegistryAuth | undefined): Promise<void>;
  /** Undefined when the image is not on the host. */
  inspectImage(image: string): Promise<ImageFacts | undefined>;
  listImages(): Promise<ImageSummary[]>;
  removeImage(id: string): Promise<void>;
  /** Creates a container; resolves with its id. */
  createContainer(name: string, body: ContainerCreateBody): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** docker stop: the container's stop signal, then SIGKILL after `timeoutSeconds`. Already stopped is fine. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  killContainer(id: string, signal?: string): Promise<void>;
  /** Undefined when there is no such container. */
  inspectContainer(id: string): Promise<ContainerFacts | undefined>;
  /** Removes a container with its anonymous volumes; one that is already gone is fine. */
  removeContainer(id: string): Promise<void>;
  /** All containers (running or not) carrying every given label (key or key=value). */
  listContainers(labels: readonly string[]): Promise<ContainerSummary[]>;
  /** One stats sample of a running container, as Docker's stats JSON. */
  containerStats(id: string): Promise<unknown>;
  /**
   * Follows dockerd's event stream. `onEvent` gets each event in order; `onEnd` is called once when the
   * stream ends or fails (not after `close()`), so the caller can subscribe again with `sinceNano`.
   */
  subscribeEvents(
    options: EventSubscriptionOptions,
    onEvent: (event: DockerEvent) => void,
    onEnd: (error: Error | undefined) => void,
  ): EventSubscription;
  createVolume(spec: VolumeSpec): Promise<void>;
  /** Undefined when there is no such volume. */
  inspectVolume(name: string): Promise<VolumeFacts | undefined>;
  /** Removes a volume; one that is already gone is fine. */
  removeVolume(name: string): Promise<void>;
  /** Undefined when there is no such network. */
  inspectNetwork(name: string): Promise<{ readonly name: string; readonly driver: string } | undefined>;
}

/**
 * A dockerd in memory, behind the engine's `DockerClient` interface: images, containers, volumes and an
 * event stream, enough for the engine's logic to run without Docker. A test scripts what a real dockerd
 * does only by chance: a call that is slow until released (`hold`), a container that exits while its start
 * call is still out (`exit`), an engine that is not reachable (`reachable = false`). The event stream opens
 * even then, as dockerode's does lazily; `endEvents()` ends it.
 */
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
} from '../engine/docker/docker-client.js';
import type { RegistryAuth } from '../engine/docker/registry-auth.js';

const CHANGES = new Set([
  'pull',
  'removeImage',
  'create',
  'start',
  'stop',
  'kill',
  'remove',
  'createVolume',
  'removeVolume',
]);

/** The calls a test can hold until it releases them. */
export type HeldCall = 'pull' | 'create' | 'start' | 'stop';

export interface FakeDockerOptions {
  /** Epoch ms, for containers' start and finish times. @default Date.now */
  readonly now?: () => number;
  /** Images already on the host. */
  readonly images?: readonly string[];
  readonly hostFacts?: Partial<HostFacts>;
}

interface Container {
  facts: ContainerFacts;
  readonly createdAt: number;
  /** Created with a health check: its health starts as `starting` when it starts. */
  readonly healthCheck: boolean;
}

interface Subscriber {
  readonly options: EventSubscriptionOptions;
  readonly onEvent: (event: DockerEvent) => void;
  readonly onEnd: (error: Error | undefined) => void;
}

interface Gate {
  readonly promise: Promise<void>;
  readonly release: () => void;
}

export class FakeDockerClient implements DockerClient {
  /** The calls made, in order, by short name: pull, create, start, stop, kill, inspect, list, remove, ... */
  readonly calls: string[] = [];
  /** The calls that change something on the host, in order. */
  get changes(): string[] {
    return this.calls.filter((c) => CHANGES.has(c));
  }
  /** The images removed, as the caller named them. */
  readonly removedImages: string[] = [];
  /** False: every call fails as with dockerd's socket missing. */
  reachable = true;
  readonly #now: () => number;
  readonly #hostFacts: HostFacts;
  readonly #images = new Map<string, ImageFacts>();
  readonly #containers = new Map<string, Container>();
  readonly #volumes = new Map<string, VolumeFacts>();
  readonly #subscribers = new Set<Subscriber>();
  readonly #gates = new Map<HeldCall, Gate>();
  #ids = 0;
  #eventNano = 0n;

  constructor(options: FakeDockerOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#hostFacts = {
      logDrivers: ['json-file', 'local', 'none'],
      volumeDrivers: ['local'],
      networkDrivers: ['bridge', 'host', 'null'],
      warnings: [],
      ...options.hostFacts,
    };
    for (const image of options.images ?? []) this.addImage(image);
  }

  // ---- scripting -------------------------------------------------------------------------------------

  /** Calls of `call` wait from now until the returned function is called (those already waiting too). */
  hold(call: HeldCall): () => void {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    const gate = { promise, release };
    this.#gates.set(call, gate);
    return () => {
      if (this.#gates.get(call) === gate) this.#gates.delete(call);
      gate.release();
    };
  }

  /** A container that exists on the host already (e.g. from before an agent restart). */
  addContainer(facts: Partial<ContainerFacts> & Pick<ContainerFacts, 'id'>): void {
    this.#containers.set(facts.id, {
      facts: { ...blankFacts(facts.id), ...facts },
      createdAt: this.#now(),
      healthCheck: facts.health !== undefined,
    });
  }

  /** The container's process ends with `exitCode`, as if it exited or was killed; a `die` event follows. */
  exit(id: string, exitCode: number, extra: Partial<ContainerFacts> = {}): void {
    const c = this.#container(id);
    c.facts = { ...c.facts, status: 'exited', running: false, exitCode, finishedAt: this.#now(), ...extra };
    this.emit(id, 'die', { exitCode: String(exitCode) });
  }

  /** The container's health check reports `status` (healthy | unhealthy); a `health_status` event follows. */
  health(id: string, status: 'healthy' | 'unhealthy'): void {
    const c = this.#container(id);
    c.facts = { ...c.facts, health: status };
    this.emit(id, `health_status: ${status}`);
  }

  /** Sends an event to every subscriber, as dockerd would. */
  emit(id: string, action: string, attributes: Record<string, string> = {}): void {
    const labels = this.#containers.get(id)?.facts.labels ?? {};
    const event: DockerEvent = {
      type: 'container',
      action,
      id,
      attributes: { ...labels, ...attributes },
      timeNano: BigInt(this.#now()) * 1_000_000n + ++this.#eventNano,
    };
    for (const s of this.#subscribers) if (matches(labels, s.options.labels)) s.onEvent(event);
  }

  /** Ends every event stream, as a dockerd restart does. */
  endEvents(error = new Error('event stream ended')): void {
    for (const s of [...this.#subscribers]) {
      this.#subscribers.delete(s);
      s.onEnd(error);
    }
  }

  /** What the host has: the container's facts now, or undefined. */
  container(id: string): ContainerFacts | undefined {
    return this.#containers.get(id)?.facts;
  }

  /** The containers on the host. */
  containers(): ContainerFacts[] {
    return [...this.#containers.values()].map((c) => c.facts);
  }

  /** An image on the host, with its facts (its id, tags) if they matter to the test. */
  addImage(image: string, facts: Partial<ImageFacts> = {}): void {
    this.#images.set(image, { id: imageId(image), repoTags: [image], repoDigests: [], ...facts });
  }

  hasImage(image: string): boolean {
    return this.#images.has(image);
  }

  // ---- DockerClient ----------------------------------------------------------------------------------

  async version(): Promise<DockerVersion> {
    await this.#call('version');
    return { version: '24.0.7', apiVersion: '1.43' };
  }

  async hostFacts(): Promise<HostFacts> {
    await this.#call('info');
    return this.#hostFacts;
  }

  async pullImage(image: string, _auth: RegistryAuth | undefined): Promise<void> {
    await this.#call('pull');
    await this.#gates.get('pull')?.promise;
    this.addImage(image);
  }

  async inspectImage(image: string): Promise<ImageFacts | undefined> {
    await this.#call('inspectImage');
    return this.#images.get(image);
  }

  async listImages(): Promise<ImageSummary[]> {
    await this.#call('listImages');
    return [...this.#images.values()].map((i) => ({ id: i.id, repoTags: i.repoTags, createdAt: 0 }));
  }

  /** By reference or id, as dockerd takes either. */
  async removeImage(image: string): Promise<void> {
    await this.#call('removeImage');
    this.removedImages.push(image);
    for (const [ref, facts] of this.#images)
      if (ref === image || facts.id === image) this.#images.delete(ref);
  }

  async createContainer(name: string, body: ContainerCreateBody): Promise<string> {
    await this.#call('create');
    await this.#gates.get('create')?.promise;
    const id = `c${++this.#ids}`;
    const image = body.Image ?? '';
    const test = body.Healthcheck?.Test;
    this.#containers.set(id, {
      createdAt: this.#now(),
      healthCheck: test !== undefined && test.length > 0 && test[0] !== 'NONE',
      facts: {
        ...blankFacts(id),
        name,
        image,
        imageId: this.#images.get(image)?.id ?? imageId(image),
        labels: body.Labels ?? {},
        networkMode: body.HostConfig?.NetworkMode ?? 'bridge',
      },
    });
    return id;
  }

  /** The container runs from the call on; the call itself returns when released, if held. */
  async startContainer(id: string): Promise<void> {
    await this.#call('start');
    const c = this.#container(id);
    c.facts = {
      ...c.facts,
      status: 'running',
      running: true,
      startedAt: this.#now(),
      finishedAt: undefined,
      health: c.healthCheck ? 'starting' : undefined,
    };
    this.emit(id, 'start');
    await this.#gates.get('start')?.promise;
  }

  async stopContainer(id: string, _timeoutSeconds: number): Promise<void> {
    await this.#call('stop');
    await this.#gates.get('stop')?.promise;
    if (this.#container(id).facts.running) this.exit(id, 143);
  }

  async killContainer(id: string, _signal?: string): Promise<void> {
    await this.#call('kill');
    if (this.#container(id).facts.running) this.exit(id, 137);
  }

  async inspectContainer(id: string): Promise<ContainerFacts | undefined> {
    await this.#call('inspect');
    return this.#containers.get(id)?.facts;
  }

  async removeContainer(id: string): Promise<void> {
    await this.#call('remove');
    this.#containers.delete(id);
  }

  async listContainers(labels: readonly string[]): Promise<ContainerSummary[]> {
    await this.#call('list');
    return [...this.#containers.values()]
      .filter((c) => matches(c.facts.labels, labels))
      .map((c) => ({
        id: c.facts.id,
        name: c.facts.name,
        image: c.facts.image,
        imageId: c.facts.imageId,
        state: c.facts.status,
        labels: c.facts.labels,
        createdAt: c.createdAt,
      }));
  }

  async containerStats(id: string): Promise<unknown> {
    await this.#call('stats');
    this.#container(id);
    return {};
  }

  subscribeEvents(
    options: EventSubscriptionOptions,
    onEvent: (event: DockerEvent) => void,
    onEnd: (error: Error | undefined) => void,
  ): EventSubscription {
    const subscriber: Subscriber = { options, onEvent, onEnd };
    this.#subscribers.add(subscriber);
    return { close: () => this.#subscribers.delete(subscriber) };
  }

  async createVolume(spec: VolumeSpec): Promise<void> {
    await this.#call('createVolume');
    this.#volumes.set(spec.name, { name: spec.name, driver: spec.driver, labels: spec.labels ?? {} });
  }

  async inspectVolume(name: string): Promise<VolumeFacts | undefined> {
    await this.#call('inspectVolume');
    return this.#volumes.get(name);
  }

  async removeVolume(name: string): Promise<void> {
    await this.#call('removeVolume');
    this.#volumes.delete(name);
  }

  async inspectNetwork(
    name: string,
  ): Promise<{ readonly name: string; readonly driver: string } | undefined> {
    await this.#call('inspectNetwork');
    const driver = { bridge: 'bridge', host: 'host', none: 'null' }[name];
    return driver === undefined ? undefined : { name, driver };
  }

  /** Records the call; fails it as a missing socket would while the engine is unreachable. */
  #call(name: string): Promise<void> {
    this.calls.push(name);
    return this.reachable ? Promise.resolve() : Promise.reject(unreachable());
  }

  #container(id: string): Container {
    const c = this.#containers.get(id);
    if (c === undefined) throw new Error(`No such container: ${id}`);
    return c;
  }
}

function unreachable(): Error {
  return new Error('connect ENOENT /var/run/docker.sock');
}

/** Docker's label filter: every `key` or `key=value` given must match. */
function matches(labels: Readonly<Record<string, string>>, filter: readonly string[]): boolean {
  return filter.every((f) => {
    const eq = f.indexOf('=');
    return eq < 0 ? f in labels : labels[f.slice(0, eq)] === f.slice(eq + 1);
  });
}

function imageId(image: string): string {
  return `sha256:${Buffer.from(image).toString('hex').padEnd(64, '0').slice(0, 64)}`;
}

function blankFacts(id: string): ContainerFacts {
  return {
    id,
    name: id,
    image: '',
    imageId: '',
    status: 'created',
    running: false,
    exitCode: 0,
    startedAt: undefined,
    finishedAt: undefined,
    health: undefined,
    oomKilled: false,
    error: undefined,
    labels: {},
    portBindings: [],
    networkMode: 'bridge',
  };
}

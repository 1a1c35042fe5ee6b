/**
 * The Docker side of each container transition: pull, create, start, stop, and looking at a container
 * (inspect). Each action runs concurrently with the task's loop and never throws: it resolves with a
 * result the loop applies to the task's state (it alone changes that state). Failures come back as the
 * reason to record, already in ECS's form ("CannotPullContainerError: ...").
 *
 * Retries: pulls are tried PULL_ATTEMPTS times when the error is retriable (a registry hiccup); stops are
 * retried until they succeed or the engine shuts down, since a container the agent cannot stop is still
 * running and must not be reported stopped; create and start are not retried, because a create whose
 * answer was lost may have created the container, and the task should fail visibly instead.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AcsContainer, AcsTask } from '../../acs/payload.js';
import type { ContainerFacts, DockerClient, HostFacts } from './docker/docker-client.js';
import { DockerError, isDockerError, reasonOf, truncateReason } from './docker/errors.js';
import { authForImage } from './docker/registry-auth.js';
import {
  buildCreateBody,
  ConfigProblem,
  dockerContainerName,
  planVolumes,
  type VolumePlan,
} from './container-config.js';
import type { EngineClock } from './clock.js';
import { DEFAULT_RETRY_DELAY_MS, type EngineConfig } from './engine-config.js';
import { hostProblem } from './host-support.js';
import type { ImageTracker } from './image-tracker.js';
import { OWNER_LABEL } from './labels.js';
import { shouldPull, useCachedAfterFailedPull } from './pull-policy.js';

/** ECS tries a pull a few times before giving up (`maximumPullRetries`); three covers a registry blip. */
export const PULL_ATTEMPTS = 3;
/** Inspect failures are transient (dockerd busy); a few tries before the loop hears about it. */
export const INSPECT_ATTEMPTS = 3;
/** Longest pause between stop attempts: a stuck stop is retried at least this often. */
export const MAX_STOP_RETRY_DELAY_MS = 30_000;
/** 10 random bytes: 20 hex characters, as the ECS agent's container names end. */
const NAME_RANDOM_BYTES = 10;

export type ActionResult =
  | {
      readonly kind: 'pulled';
      /** Set when a pull actually ran (not skipped by the pull behaviour). */
      readonly pullStartedAt?: number;
      readonly pullStoppedAt?: number;
      readonly imageDigest?: string;
    }
  | { readonly kind: 'created'; readonly runtimeId: string; readonly dockerName: string }
  | { readonly kind: 'started'; readonly facts: ContainerFacts | undefined }
  | { readonly kind: 'stopped'; readonly facts: ContainerFacts | undefined }
  | { readonly kind: 'observed'; readonly runtimeId: string; readonly facts: ContainerFacts | undefined }
  | {
      readonly kind: 'failed';
      readonly step: 'pull' | 'create' | 'start' | 'inspect';
      readonly reason: string;
      readonly pullStartedAt?: number;
      readonly pullStoppedAt?: number;
    };

export interface ActionDeps {
  readonly docker: DockerClient;
  readonly config: EngineConfig;
  readonly clock: EngineClock;
  readonly log: Logger;
  readonly images: ImageTracker;
  readonly hostFacts: () => Promise<HostFacts>;
  readonly agentEnvironment?: (task: AcsTask, container: AcsContainer) => Readonly<Record<string, string>>;
}

export async function pullAction(deps: ActionDeps, def: AcsContainer): Promise<ActionResult> {
  const { docker, config, clock, images } = deps;
  const before = await docker.inspectImage(def.image).catch(() => undefined);
  const present = before !== undefined;
  if (!shouldPull(config.imagePullBehavior, { present, pulledBefore: images.wasPulled(def.image) })) {
    images.markUsed(def.image, clock.now());
    return { kind: 'pulled', ...digestOf(before?.repoDigests) };
  }
  const pullStartedAt = clock.now();
  let failure: unknown;
  for (let attempt = 1; attempt <= PULL_ATTEMPTS; attempt++) {
    try {
      await docker.pullImage(def.image, authForImage(config.registryAuth, def.image));
      failure = undefined;
      break;
    } catch (e) {
      failure = e;
      if (!isDockerError(e) || !e.retriable || attempt === PULL_ATTEMPTS) break;
      deps.log.warn({ image: def.image, attempt, err: e.message }, 'image pull failed; trying again');
      await sleep(clock, retryDelay(config) * attempt);
    }
  }
  const pullStoppedAt = clock.now();
  if (failure === undefined) {
    images.markPulled(def.image, pullStoppedAt);
    const after = await docker.inspectImage(def.image).catch(() => undefined);
    return { kind: 'pulled', pullStartedAt, pullStoppedAt, ...digestOf(after?.repoDigests) };
  }
  const reason = reasonOf(failure, 'CannotPullContainerError');
  if (useCachedAfterFailedPull(config.imagePullBehavior, present)) {
    deps.log.warn({ image: def.image, reason }, 'image pull failed; using the copy already on the host');
    images.markUsed(def.image, pullStoppedAt);
    return { kind: 'pulled', pullStartedAt, pullStoppedAt, ...digestOf(before?.repoDigests) };
  }
  return { kind: 'failed', step: 'pull', reason, pullStartedAt, pullStoppedAt };
}

export async function createAction(
  deps: ActionDeps,
  task: AcsTask,
  def: AcsContainer,
  dockerNames: ReadonlyMap<string, string>,
): Promise<ActionResult> {
  const { docker, config } = deps;
  try {
    const plans = planVolumes(task);
    const used = (def.mountPoints ?? []).flatMap((m) => plans.get(m.sourceVolume) ?? []);
    const body = buildCreateBody(task, def, {
      dockerNames,
      ownerId: config.ownerId,
      ...(deps.agentEnvironment !== undefined && { agentEnvironment: deps.agentEnvironment(task, def) }),
    });
    const problem = hostProblem(body, used, await deps.hostFacts());
    if (problem !== undefined) throw new ConfigProblem(problem);
    for (const plan of used) await ensureVolume(deps, plan);
    const dockerName = dockerContainerName(task, def, randomBytes(NAME_RANDOM_BYTES).toString('hex'));
    const runtimeId = await docker.createContainer(dockerName, body);
    deps.images.markUsed(def.image, deps.clock.now());
    return { kind: 'created', runtimeId, dockerName };
  } catch (e) {
    const reason =
      e instanceof ConfigProblem
        ? truncateReason(`CannotCreateContainerError: ${e.message}`)
        : reasonOf(e, 'CannotCreateContainerError');
    return { kind: 'failed', step: 'create', reason };
  }
}

async function ensureVolume(deps: ActionDeps, plan: VolumePlan): Promise<void> {
  if (plan.kind !== 'docker') return;
  const existing = await deps.docker.inspectVolume(plan.dockerName);
  if (existing !== undefined) {
    if (existing.driver !== plan.driver) {
      throw new ConfigProblem(
        `volume ${plan.dockerName} exists with driver "${existing.driver}", but the task wants "${plan.driver}"`,
      );
    }
    return;
  }
  if (!plan.taskScoped && !plan.autoprovision) {
    throw new ConfigProblem(`shared volume ${plan.dockerName} does not exist and autoprovision is off`);
  }
  await deps.docker.createVolume({
    name: plan.dockerName,
    driver: plan.driver,
    driverOpts: plan.driverOpts,
    labels: { ...plan.labels, ...(plan.taskScoped && { [OWNER_LABEL]: deps.config.ownerId }) },
  });
}

export async function startAction(deps: ActionDeps, runtimeId: string): Promise<ActionResult> {
  try {
    await deps.docker.startContainer(runtimeId);
  } catch (e) {
    return { kind: 'failed', step: 'start', reason: reasonOf(e, 'CannotStartContainerError') };
  }
  return { kind: 'started', facts: await inspectQuietly(deps, runtimeId) };
}

/** Stops a container (its stop signal, SIGKILL after `stopTimeoutSeconds`), retrying until it is down. */
export async function stopAction(
  deps: ActionDeps,
  runtimeId: string,
  stopTimeoutSeconds: number,
  signal: AbortSignal,
): Promise<ActionResult> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      await deps.docker.stopContainer(runtimeId, stopTimeoutSeconds);
      break;
    } catch (e) {
      deps.log.warn({ runtimeId, attempt, err: (e as Error).message }, 'docker stop failed; trying again');
      await sleep(deps.clock, Math.min(MAX_STOP_RETRY_DELAY_MS, retryDelay(deps.config) * attempt));
    }
  }
  return { kind: 'stopped', facts: await inspectQuietly(deps, runtimeId) };
}

/** Looks at a container: undefined facts mean it no longer exists; a failed look is a `failed` result. */
export async function observeAction(deps: ActionDeps, runtimeId: string): Promise<ActionResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { kind: 'observed', runtimeId, facts: await deps.docker.inspectContainer(runtimeId) };
    } catch (e) {
      if (attempt >= INSPECT_ATTEMPTS || (e instanceof DockerError && !e.retriable)) {
        return { kind: 'failed', step: 'inspect', reason: reasonOf(e, 'CannotInspectContainerError') };
      }
      await sleep(deps.clock, retryDelay(deps.config) * attempt);
    }
  }
}

async function inspectQuietly(deps: ActionDeps, runtimeId: string): Promise<ContainerFacts | undefined> {
  const result = await observeAction(deps, runtimeId);
  return result.kind === 'observed' ? result.facts : undefined;
}

/** "sha256:..." from RepoDigests ("registry/repo@sha256:..."). */
function digestOf(repoDigests: readonly string[] | undefined): { imageDigest?: string } {
  const first = repoDigests?.[0];
  const at = first?.indexOf('@') ?? -1;
  return first !== undefined && at >= 0 ? { imageDigest: first.slice(at + 1) } : {};
}

function retryDelay(config: EngineConfig): number {
  return config.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
}

export function sleep(clock: EngineClock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.after(ms, resolve);
  });
}

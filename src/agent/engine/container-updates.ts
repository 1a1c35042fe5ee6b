/**
 * How facts from Docker change a task's saved state: pure functions from (state, facts) to the new state,
 * so the managed task's loop only decides which one applies. ContainerState and TaskState are immutable:
 * each update returns a new object, which also tells the loop cheaply whether anything changed.
 */
import type { AcsTask } from '../../acs/payload.js';
import { knownIsAfter, type KnownStatus } from '../../domain/status.js';
import type { ContainerState, TaskState } from '../tasks/contracts.js';
import type { ContainerFacts } from './docker/docker-client.js';
import { truncateReason } from './docker/errors.js';
import { OOM_REASON } from './task-status.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A fresh state for a task the engine has not seen, or a saved one completed with any missing container. */
export function initialState(task: AcsTask, saved?: TaskState): TaskState {
  const containers = task.containers.map(
    (def): ContainerState =>
      saved?.containers.find((c) => c.name === def.name) ?? { name: def.name, knownStatus: 'NONE' },
  );
  return saved === undefined ? { task, knownStatus: 'NONE', containers } : { ...saved, task, containers };
}

export function containerOf(state: TaskState, name: string): ContainerState {
  const c = state.containers.find((x) => x.name === name);
  if (c === undefined) throw new Error(`task ${state.task.arn} has no container ${name}`);
  return c;
}

/** The state with one container patched; the same object when the patch changes nothing. */
export function patchContainer(state: TaskState, name: string, patch: Partial<ContainerState>): TaskState {
  const current = containerOf(state, name);
  const entries = Object.entries(patch) as [keyof ContainerState, unknown][];
  if (entries.every(([k, v]) => JSON.stringify(current[k]) === JSON.stringify(v))) return state;
  const next: Mutable<ContainerState> = { ...current };
  for (const [k, v] of entries) {
    if (v === undefined) delete next[k];
    else (next as Record<string, unknown>)[k] = v;
  }
  return { ...state, containers: state.containers.map((c) => (c.name === name ? next : c)) };
}

/** Docker's health (starting, healthy, unhealthy) in ECS's words. */
export function healthOf(health: string | undefined): ContainerState['healthStatus'] {
  switch (health) {
    case 'healthy':
      return 'HEALTHY';
    case 'unhealthy':
      return 'UNHEALTHY';
    case 'starting':
      return 'UNKNOWN';
    default:
      return undefined;
  }
}

/** A running container's facts: status RUNNING (never backwards), bindings, health. */
export function runningPatch(
  current: ContainerState,
  facts: ContainerFacts,
  portMappingsInHostMode: ContainerState['networkBindings'],
): Partial<ContainerState> {
  const bindings = facts.networkMode === 'host' ? portMappingsInHostMode : facts.portBindings;
  const health = healthOf(facts.health);
  return {
    runtimeId: facts.id,
    knownStatus: current.knownStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
    // Running again (restarted in place): an earlier exit's time says nothing about the next stop.
    ...(current.knownStatus !== 'STOPPED' && { finishedAt: undefined }),
    ...(bindings !== undefined && bindings.length > 0 && { networkBindings: bindings }),
    ...(health !== undefined && { healthStatus: health }),
  };
}

/**
 * A container that has exited: STOPPED with its exit code, and why when Docker knows (OOM, start error).
 * One that never started has no exit code (Docker says 0, which would read as success).
 */
export function exitedPatch(facts: ContainerFacts, reason?: string): Partial<ContainerState> {
  const why = reason ?? (facts.oomKilled ? OOM_REASON : facts.error);
  return {
    runtimeId: facts.id,
    knownStatus: 'STOPPED',
    ...(facts.startedAt !== undefined && { exitCode: facts.exitCode }),
    ...(why !== undefined && { reason: truncateReason(why) }),
    ...(facts.finishedAt !== undefined && { finishedAt: facts.finishedAt }),
  };
}

/** A status only ever moves forward; returns the later of the two. */
export function forward(current: KnownStatus, next: KnownStatus): KnownStatus {
  return knownIsAfter(next, current) ? next : current;
}

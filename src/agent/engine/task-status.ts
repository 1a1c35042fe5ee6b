/**
 * Task-level rules, pure: the task's known status from its containers' (the ECS agent's
 * `updateTaskKnownStatus`), what a container's exit means for the task (essential containers stop it),
 * whether a restart policy restarts a container, and the state change the control plane hears.
 */
import type { AcsContainer, AcsRestartPolicy } from '../../acs/payload.js';
import { knownIsAfter, backendStatus, type KnownStatus, type StopCode } from '../../domain/status.js';
import type { ContainerState, TaskState, TaskStateChange } from '../tasks/contracts.js';

/** ECS's stoppedReason when an essential container exits. */
export const ESSENTIAL_EXITED_REASON = 'Essential container in task exited';
/** ECS's reason for a container the kernel killed for its memory limit. */
export const OOM_REASON = 'OutOfMemoryError: Container killed due to memory usage';
/** ECS's default `restartAttemptPeriod` (seconds): a container must run this long before a restart. */
export const DEFAULT_RESTART_ATTEMPT_PERIOD_S = 300;

/**
 * STOPPED once every container is; otherwise the least advanced of the containers still in play (a
 * container that has stopped, e.g. a non-essential one or a completed init container, no longer holds the
 * task back). Never moves backwards.
 */
export function taskKnownStatus(previous: KnownStatus, containers: readonly ContainerState[]): KnownStatus {
  const live = containers.filter((c) => c.knownStatus !== 'STOPPED');
  let status: KnownStatus = 'STOPPED';
  for (const c of live) if (knownIsAfter(status, c.knownStatus)) status = c.knownStatus;
  return knownIsAfter(previous, status) ? previous : status;
}

/**
 * The task's state after its known status was recomputed, with the timestamps that go with it. A task stops
 * when its last container did, by Docker's record, which may be well before `now` (an exit while the agent
 * was down is learnt when it starts again).
 */
export function withTaskStatus(state: TaskState, now: number): TaskState {
  const known = taskKnownStatus(state.knownStatus, state.containers);
  if (known === state.knownStatus) return state;
  const finished = state.containers.flatMap((c) => (c.finishedAt === undefined ? [] : [c.finishedAt]));
  const stoppedAt = finished.length === 0 ? now : Math.min(now, Math.max(...finished));
  return {
    ...state,
    knownStatus: known,
    ...(known === 'RUNNING' && state.startedAt === undefined && { startedAt: now }),
    ...(known === 'STOPPED' && state.executionStoppedAt === undefined && { executionStoppedAt: stoppedAt }),
  };
}

/**
 * The task stopping on the engine's own decision (a container failed or exited). A task already stopping
 * keeps its reason: a later failure while stopping does not replace why the task stopped, and a stop the
 * control plane asked for is its to explain (UserInitiated, ServiceSchedulerInitiated, ...).
 */
export function stopTask(state: TaskState, stopCode: StopCode, reason: string): TaskState {
  if (state.task.desiredStatus === 'STOPPED') return state;
  return {
    ...state,
    task: { ...state.task, desiredStatus: 'STOPPED' },
    stopCode,
    stoppedReason: reason,
  };
}

/**
 * A container has stopped on its own or failed to start: stop the task if it was essential. A failure
 * before the task ever ran is TaskFailedToStart, an exit afterwards EssentialContainerExited.
 */
export function afterContainerStopped(
  state: TaskState,
  def: AcsContainer,
  failure: string | undefined,
): TaskState {
  if (!def.essential || state.task.desiredStatus === 'STOPPED') return state;
  if (failure !== undefined && !knownIsAfter(state.knownStatus, 'CREATED')) {
    return stopTask(state, 'TaskFailedToStart', failure);
  }
  return stopTask(state, 'EssentialContainerExited', ESSENTIAL_EXITED_REASON);
}

export interface RestartFacts {
  readonly exitCode: number | undefined;
  /** When the container last started (first start or last restart), epoch ms. */
  readonly lastStartedAt: number | undefined;
  readonly taskDesired: 'RUNNING' | 'STOPPED';
  readonly now: number;
}

/** ECS's RestartTracker.ShouldRestart: whether an exited container is restarted in place, and why not. */
export function shouldRestart(
  policy: AcsRestartPolicy | undefined,
  facts: RestartFacts,
): { readonly restart: boolean; readonly why: string } {
  if (policy === undefined || !policy.enabled) return { restart: false, why: 'no restart policy' };
  if (facts.taskDesired === 'STOPPED') return { restart: false, why: 'the task is stopping' };
  if (facts.exitCode === undefined) return { restart: false, why: 'no exit code' };
  if (policy.ignoredExitCodes?.includes(facts.exitCode) === true) {
    return { restart: false, why: `exit code ${facts.exitCode} is ignored by the restart policy` };
  }
  const period = (policy.restartAttemptPeriod ?? DEFAULT_RESTART_ATTEMPT_PERIOD_S) * 1000;
  if (facts.lastStartedAt === undefined || facts.now - facts.lastStartedAt < period) {
    return { restart: false, why: `it ran less than the restart attempt period of ${period / 1000}s` };
  }
  return { restart: true, why: `exit code ${facts.exitCode}` };
}

/** The change the control plane hears for the task's current state. */
export function stateChange(state: TaskState, at: number): TaskStateChange {
  const status = backendStatus(state.knownStatus);
  return {
    taskArn: state.task.arn,
    clusterArn: state.task.taskClusterArn,
    status,
    ...(status === 'STOPPED' && state.stoppedReason !== undefined && { reason: state.stoppedReason }),
    ...(status === 'STOPPED' && state.stopCode !== undefined && { stopCode: state.stopCode }),
    containers: state.containers,
    ...(state.pullStartedAt !== undefined && { pullStartedAt: state.pullStartedAt }),
    ...(state.pullStoppedAt !== undefined && { pullStoppedAt: state.pullStoppedAt }),
    ...(state.startedAt !== undefined && { startedAt: state.startedAt }),
    ...(state.executionStoppedAt !== undefined && { executionStoppedAt: state.executionStoppedAt }),
    // The stop happened when the task stopped, not when this report was made.
    at: status === 'STOPPED' ? (state.executionStoppedAt ?? at) : at,
  };
}

/**
 * What the control plane can see of a state: a new report is due only when this changes. Containers'
 * statuses are mapped to what the backend knows (PULLED and CREATED are both PENDING there).
 */
export function reportKey(state: TaskState): string {
  const change = stateChange(state, 0);
  return JSON.stringify({
    ...change,
    containers: change.containers.map((c) => ({ ...c, knownStatus: backendStatus(c.knownStatus) })),
  });
}

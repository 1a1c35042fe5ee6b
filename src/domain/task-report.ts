/**
 * What a state report from an agent (SubmitTaskStateChange / SubmitContainerStateChange) does to a task
 * record: the current record and the report in, the next record out. Pure: the caller supplies the clock.
 *
 * Rules (ECS's, as DescribeTasks shows them):
 * - `lastStatus` only moves forward (PENDING < RUNNING < STOPPED, see `domain/status.ts`): a late or repeated
 *   report never moves a task back, so reports may arrive twice or out of order without harm.
 * - Timestamps are filled once, never moved: pullStartedAt/pullStoppedAt as reported; startedAt on reaching
 *   RUNNING; stoppingAt, executionStoppedAt and stoppedAt on reaching STOPPED. A report says when things
 *   happened on the host (`at`), so a report delivered late (after a disconnection) keeps its real times;
 *   they are kept between the task's creation and now, so a host's skewed clock cannot put them elsewhere.
 * - On STOPPED the desired status becomes STOPPED too, and a stop code and reason are set unless the control
 *   plane set its own first (StopTask: UserInitiated with the user's reason): TaskFailedToStart when the task
 *   never ran, otherwise EssentialContainerExited ("Essential container in task exited").
 * - Containers take runtimeId, exitCode, reason (at most 1024 characters), networkBindings, healthStatus,
 *   imageDigest and a forward-only lastStatus from the report; on STOPPED every container is STOPPED.
 * - A container's restart count (restarts under its restart policy, `domain/task-record.ts`) only grows: the
 *   agent's count never goes down, so a smaller one is from a report that arrived late.
 * - The task's healthStatus follows its essential containers: UNHEALTHY if any is UNHEALTHY, HEALTHY if all
 *   those with a health check are HEALTHY, otherwise UNKNOWN.
 * - A report proves the agent is connected: connectivity CONNECTED.
 * - `version` grows by one when, and only when, anything changed.
 */
import { isDeepStrictEqual } from 'node:util';
import type { NetworkBinding, TaskDefinition } from '@aws-sdk/client-ecs';
import { CONTAINER_STATUSES, lastIsAfter, type ContainerStatus, type HealthStatus } from './status.js';
import type { ContainerRecord, TaskRecord } from './task-record.js';

export { HEALTH_STATUSES, type HealthStatus } from './status.js';

/** What agents report of a task or container: the container statuses. */
export const REPORTED_STATUSES = CONTAINER_STATUSES;
export type ReportedStatus = ContainerStatus;

/** ECS's limits on what it keeps of a report (the agent trims to the same). */
export const MAX_REASON_LENGTH = 1024;
export const MAX_RUNTIME_ID_LENGTH = 255;

export const ESSENTIAL_CONTAINER_EXITED_REASON = 'Essential container in task exited';
export const TASK_FAILED_TO_START_REASON = 'Task failed to start';

export interface ContainerReport {
  readonly containerName: string;
  readonly status?: ReportedStatus;
  readonly runtimeId?: string;
  readonly exitCode?: number;
  readonly reason?: string;
  readonly networkBindings?: readonly NetworkBinding[];
  readonly imageDigest?: string;
  readonly healthStatus?: HealthStatus;
  /** Times the agent restarted the container under its restart policy (Berth's agent only). */
  readonly restartCount?: number;
}

export interface TaskReport {
  /** Absent for a container-only report (SubmitContainerStateChange). */
  readonly status?: ReportedStatus;
  readonly reason?: string;
  readonly containers: readonly ContainerReport[];
  readonly pullStartedAt?: Date;
  readonly pullStoppedAt?: Date;
  readonly executionStoppedAt?: Date;
  /** When the task started on the host, if the agent says. */
  readonly startedAt?: Date;
  /** When the change happened on the host; defaults to `now`. */
  readonly at?: Date;
}

export interface ApplyContext {
  readonly now: Date;
  /** The task's definition: which containers are essential and which have health checks. */
  readonly definition?: Pick<TaskDefinition, 'containerDefinitions'>;
}

export interface Applied {
  readonly task: TaskRecord;
  readonly changed: boolean;
}

export function applyTaskReport(current: TaskRecord, report: TaskReport, ctx: ApplyContext): Applied {
  const floor = current.createdAt;
  const clamp = (d: Date | undefined): Date | undefined => {
    if (d === undefined) return undefined;
    return new Date(Math.max(Math.min(d.getTime(), ctx.now.getTime()), floor.getTime()));
  };
  const at = clamp(report.at) ?? ctx.now;
  const previous = current.lastStatus;
  const lastStatus =
    report.status !== undefined && lastIsAfter(report.status, previous) ? report.status : previous;
  const next: TaskRecord = { ...current, lastStatus };

  const pullStartedAt = current.pullStartedAt ?? clamp(report.pullStartedAt);
  if (pullStartedAt !== undefined) next.pullStartedAt = pullStartedAt;
  const pullStoppedAt = current.pullStoppedAt ?? clamp(report.pullStoppedAt);
  if (pullStoppedAt !== undefined) next.pullStoppedAt = pullStoppedAt;
  const reachedRunning =
    lastStatus === 'RUNNING' || (lastStatus === 'STOPPED' && report.startedAt !== undefined);
  if (next.startedAt === undefined && reachedRunning) next.startedAt = clamp(report.startedAt) ?? at;

  next.containers = current.containers.map((c) =>
    applyContainer(
      c,
      report.containers.find((r) => r.containerName === c.name),
      lastStatus === 'STOPPED',
    ),
  );

  if (lastStatus === 'STOPPED') {
    const executionStoppedAt = current.executionStoppedAt ?? clamp(report.executionStoppedAt) ?? at;
    next.executionStoppedAt = executionStoppedAt;
    next.stoppingAt = current.stoppingAt ?? executionStoppedAt;
    next.stoppedAt = current.stoppedAt ?? new Date(Math.max(at.getTime(), executionStoppedAt.getTime()));
    next.desiredStatus = 'STOPPED';
    const neverRan = next.startedAt === undefined;
    next.stopCode = current.stopCode ?? (neverRan ? 'TaskFailedToStart' : 'EssentialContainerExited');
    next.stoppedReason =
      current.stoppedReason ??
      trim(report.reason, MAX_REASON_LENGTH) ??
      (neverRan
        ? (next.containers.find((c) => c.reason !== undefined)?.reason ?? TASK_FAILED_TO_START_REASON)
        : ESSENTIAL_CONTAINER_EXITED_REASON);
  }

  next.healthStatus = taskHealth(next.containers, ctx.definition);
  if (next.connectivity !== 'CONNECTED') {
    next.connectivity = 'CONNECTED';
    next.connectivityAt = ctx.now;
  }
  const changed = !isDeepStrictEqual(next, current);
  return { task: changed ? { ...next, version: current.version + 1 } : current, changed };
}

function applyContainer(
  c: ContainerRecord,
  r: ContainerReport | undefined,
  taskStopped: boolean,
): ContainerRecord {
  const next: ContainerRecord = { ...c };
  if (r !== undefined) {
    const runtimeId = trim(r.runtimeId, MAX_RUNTIME_ID_LENGTH);
    if (runtimeId !== undefined) next.runtimeId = runtimeId;
    const imageDigest = trim(r.imageDigest, MAX_RUNTIME_ID_LENGTH);
    if (imageDigest !== undefined) next.imageDigest = imageDigest;
    if (r.exitCode !== undefined) next.exitCode = r.exitCode;
    const reason = trim(r.reason, MAX_REASON_LENGTH);
    if (reason !== undefined) next.reason = reason;
    if (r.networkBindings !== undefined) next.networkBindings = r.networkBindings.map((b) => ({ ...b }));
    if (r.healthStatus !== undefined) next.healthStatus = r.healthStatus;
    if (r.status !== undefined && rank(r.status) > rank(c.lastStatus)) next.lastStatus = r.status;
    if (r.restartCount !== undefined && r.restartCount > (c.restartCount ?? 0))
      next.restartCount = r.restartCount;
  }
  if (taskStopped) next.lastStatus = 'STOPPED';
  return next;
}

function rank(status: ContainerStatus): number {
  return CONTAINER_STATUSES.indexOf(status);
}

/**
 * UNHEALTHY if an essential container is; HEALTHY if every essential container with a health check is;
 * otherwise UNKNOWN. Without the definition every container counts as essential, and as having a health
 * check once it reported a health status.
 */
export function taskHealth(
  containers: readonly Pick<ContainerRecord, 'name' | 'healthStatus'>[],
  definition: Pick<TaskDefinition, 'containerDefinitions'> | undefined,
): HealthStatus {
  const facts = containers.map((c) => {
    const d = definition?.containerDefinitions?.find((x) => x.name === c.name);
    return {
      essential: d === undefined ? true : (d.essential ?? true),
      checked: d === undefined ? c.healthStatus !== undefined : d.healthCheck !== undefined,
      health: c.healthStatus ?? 'UNKNOWN',
    };
  });
  const essential = facts.filter((f) => f.essential);
  if (essential.some((f) => f.health === 'UNHEALTHY')) return 'UNHEALTHY';
  const checked = essential.filter((f) => f.checked);
  if (checked.length > 0 && checked.every((f) => f.health === 'HEALTHY')) return 'HEALTHY';
  return 'UNKNOWN';
}

function trim(value: string | undefined, max: number): string | undefined {
  return value === undefined ? undefined : value.slice(0, max);
}

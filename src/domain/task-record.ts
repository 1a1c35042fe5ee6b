/**
 * Fields Berth keeps inside a stored task record that are not part of ECS's Task object. They live in the
 * record so they are written in the same transaction as the task they describe (and vanish with it), and
 * are removed by `publicTask` before any API answer.
 *
 * - `berthAckedDesiredStatus`: the desired status the task's agent has acknowledged (AckRequest for a
 *   payload carrying it). A task whose desired status is ahead of it is (re)delivered, also after a restart
 *   of the control plane. Only the gateway's delivery writes it.
 * - `berthRestartCount`, on each container: how many times the agent restarted it under its restart policy,
 *   as last reported. ECS's Container has no member for it (and the AWS CLI prints only modelled members),
 *   so the API shows it in the container's `reason` (`restartReason`).
 */
import type { Container, Task } from '@aws-sdk/client-ecs';
import type { DesiredTaskStatus } from '../acs/payload.js';

export const ACKED_DESIRED_STATUS_FIELD = 'berthAckedDesiredStatus';
export const RESTART_COUNT_FIELD = 'berthRestartCount';

export type TaskRecord = Task & { readonly [ACKED_DESIRED_STATUS_FIELD]?: DesiredTaskStatus };
export type ContainerRecord = Container & { readonly [RESTART_COUNT_FIELD]?: number };

/** The task as the API shows it: without Berth's internal fields. */
export function publicTask(task: Task): Task {
  const { [ACKED_DESIRED_STATUS_FIELD]: _acked, ...rest } = task as TaskRecord;
  if (rest.containers === undefined) return rest;
  return { ...rest, containers: rest.containers.map(publicContainer) };
}

/**
 * The container as the API shows it: a restart count above zero becomes its `reason`, unless the container
 * has a reason of its own (why it stopped says more than how often it restarted before).
 */
export function publicContainer(container: Container): Container {
  const { [RESTART_COUNT_FIELD]: restarts, ...rest } = container as ContainerRecord;
  if (restarts === undefined || restarts <= 0 || rest.reason !== undefined) return rest;
  return { ...rest, reason: restartReason(restarts) };
}

export function restartReason(restarts: number): string {
  return `Restarted ${restarts} ${restarts === 1 ? 'time' : 'times'} by its restart policy`;
}

export function restartCountOf(container: Container): number | undefined {
  return (container as ContainerRecord)[RESTART_COUNT_FIELD];
}

export function withRestartCount(container: Container, restarts: number): ContainerRecord {
  return { ...container, [RESTART_COUNT_FIELD]: restarts };
}

export function ackedDesiredStatus(task: Task): DesiredTaskStatus | undefined {
  return (task as TaskRecord)[ACKED_DESIRED_STATUS_FIELD];
}

export function withAckedDesiredStatus(task: Task, status: DesiredTaskStatus): TaskRecord {
  return { ...task, [ACKED_DESIRED_STATUS_FIELD]: status };
}

/**
 * Fields Berth keeps inside a stored task record that are not part of ECS's Task object. They live in the
 * record so they are written in the same transaction as the task they describe (and vanish with it), and
 * are removed by `publicTask` before any API answer.
 *
 * - `berthAckedDesiredStatus`: the desired status the task's agent has acknowledged (AckRequest for a
 *   payload carrying it). A task whose desired status is ahead of it is (re)delivered, also after a restart
 *   of the control plane. Only the gateway's delivery writes it.
 */
import type { Task } from '@aws-sdk/client-ecs';
import type { DesiredTaskStatus } from '../protocol/acs/payload.js';

export const ACKED_DESIRED_STATUS_FIELD = 'berthAckedDesiredStatus';

export type TaskRecord = Task & { readonly [ACKED_DESIRED_STATUS_FIELD]?: DesiredTaskStatus };

/** The task as the API shows it: without Berth's internal fields. */
export function publicTask(task: Task): Task {
  const { [ACKED_DESIRED_STATUS_FIELD]: _acked, ...rest } = task as TaskRecord;
  return rest;
}

export function ackedDesiredStatus(task: Task): DesiredTaskStatus | undefined {
  return (task as TaskRecord)[ACKED_DESIRED_STATUS_FIELD];
}

export function withAckedDesiredStatus(task: Task, status: DesiredTaskStatus): TaskRecord {
  return { ...task, [ACKED_DESIRED_STATUS_FIELD]: status };
}

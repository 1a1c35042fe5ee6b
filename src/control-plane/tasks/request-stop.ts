/**
 * Asking a task to stop, the one way StopTask and the service controller both do it: desired status
 * STOPPED, `stoppingAt` now, a stop code and reason, `version` + 1, and (as ECS documents for stopped tasks)
 * its tags deleted. The caller announces the change on the change bus (`tasksChanged`) after committing, which is what gets
 * the stop delivered to the task's agent. A task already asked to stop keeps its first reason.
 */
import type { StopCode } from '../../domain/status.js';
import type { TaskRecord } from '../../domain/task-record.js';
import type { Store } from '../store/types.js';

/** The task asked to stop, or undefined when it already was (nothing to write). */
export function stopRequested(
  task: TaskRecord,
  now: Date,
  stopCode: StopCode,
  reason: string,
): TaskRecord | undefined {
  if (task.desiredStatus === 'STOPPED') return undefined;
  return {
    ...task,
    desiredStatus: 'STOPPED',
    stoppingAt: now,
    stopCode,
    stoppedReason: reason,
    version: task.version + 1,
  };
}

/** Writes the stop request in `tx`; returns the stored task, or undefined when it was already stopping. */
export async function requestStop(
  tx: Store,
  task: TaskRecord,
  now: Date,
  stopCode: StopCode,
  reason: string,
): Promise<TaskRecord | undefined> {
  const stopping = stopRequested(task, now, stopCode, reason);
  if (stopping === undefined) return undefined;
  await tx.tasks.put(stopping);
  const arn = task.taskArn;
  const tags = await tx.tags.list(arn);
  if (tags.length > 0)
    await tx.tags.remove(
      arn,
      tags.map((t) => t.key),
    );
  return stopping;
}

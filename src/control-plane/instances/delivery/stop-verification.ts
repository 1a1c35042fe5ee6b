/**
 * The answer to an agent's TaskStopVerificationMessage: of the tasks it runs that the task manifest did not
 * list (its stop candidates), which it must stop. ACS's rule, made exact: a candidate is stopped unless the
 * control plane wants it running on that very instance. So it stops when there is no record of it (never
 * known, or purged), when it has stopped or is to stop, or when it belongs to another instance (it was
 * replaced while its host was cut off, or the host's state is from elsewhere). A candidate the control plane
 * wants RUNNING there (one whose payload is still on its way, say) keeps running.
 */
import type { TaskRecord } from '../../../domain/task-record.js';
import type { TaskIdentifier, TaskStopVerificationMessage } from '../../../acs/payload.js';
import type { Store } from '../../store/types.js';
import type { Session } from '../session.js';

/** Whether the agent of `containerInstanceArn` must stop a candidate whose record is `task`. Pure. */
export function mustStop(task: TaskRecord | undefined, containerInstanceArn: string): boolean {
  if (task === undefined) return true;
  if (task.lastStatus === 'STOPPED' || task.desiredStatus === 'STOPPED') return true;
  return task.containerInstanceArn !== containerInstanceArn;
}

/**
 * The candidates the agent of `containerInstanceArn` must stop, with desired status STOPPED. Malformed
 * candidates (no task ARN) are left out: the agent cannot be told to stop what it did not name.
 */
export async function tasksToStop(
  store: Store,
  containerInstanceArn: string,
  message: TaskStopVerificationMessage,
): Promise<TaskIdentifier[]> {
  const candidates: unknown = message.stopCandidates;
  if (!Array.isArray(candidates)) return [];
  const stop: TaskIdentifier[] = [];
  for (const candidate of candidates as unknown[]) {
    const named = (candidate ?? {}) as { taskArn?: unknown; taskClusterArn?: unknown };
    if (typeof named.taskArn !== 'string' || named.taskArn === '') continue;
    const task = await store.tasks.get(named.taskArn);
    if (!mustStop(task, containerInstanceArn)) continue;
    const taskClusterArn =
      typeof named.taskClusterArn === 'string' ? named.taskClusterArn : (task?.clusterArn ?? '');
    stop.push({ taskArn: named.taskArn, taskClusterArn, desiredStatus: 'STOPPED' });
  }
  return stop;
}

/**
 * Works out the answer to the agent's TaskStopVerificationMessage and sends it (TaskStopVerificationAck, same
 * messageId) if the session is still open; resolves with the tasks the agent was told to stop, or
 * `undefined` when the session closed first. Answered whatever manifest the message names: after a restart
 * of the control plane the agent may quote one this process never sent, and the answer depends only on the
 * records.
 */
export async function answerStopVerification(
  store: Store,
  session: Session,
  message: TaskStopVerificationMessage,
): Promise<readonly TaskIdentifier[] | undefined> {
  const stopTasks = await tasksToStop(store, session.containerInstanceArn, message);
  if (!session.isOpen) return undefined;
  session.send({
    type: 'TaskStopVerificationAck',
    message: { messageId: message.messageId, generatedAt: Date.now(), stopTasks },
  });
  return stopTasks;
}

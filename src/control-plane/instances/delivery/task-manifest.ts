/**
 * The task manifest (ACS's TaskManifestMessage): the tasks the control plane holds an instance's agent
 * responsible for, sent when its session opens (after the payloads it is owed) and every
 * MANIFEST_INTERVAL_MS while connected, so differences that arose while it was cut off, or without any
 * disconnection (a lost payload, a task the host no longer has), are settled.
 *
 * Listed: every task on the instance that has not stopped and whose payload the agent acknowledged, with the
 * record's desired status. Only acknowledged ones, so that the agent may take a listed task it does not know
 * as lost (it had stored it durably, then lost it); a task still on its way is not listed, and if the agent
 * already runs it, the stop verification that follows keeps it running.
 */
import { randomUUID } from 'node:crypto';
import type { TaskRecord } from '../../../domain/task-record.js';
import type { TaskIdentifier, TaskManifestMessage } from '../../../acs/payload.js';
import type { Session } from '../session.js';

/** The manifest entry of one of the instance's tasks, or `undefined` when the manifest leaves it out. */
export function manifestEntry(task: TaskRecord): TaskIdentifier | undefined {
  if (task.lastStatus === 'STOPPED' || task.ackedDesiredStatus === undefined) return undefined;
  return { taskArn: task.taskArn, taskClusterArn: task.clusterArn, desiredStatus: task.desiredStatus };
}

/**
 * Sends the instance's task manifest on its session and returns it. `timeline` comes from
 * the instance's sequence counter, which payloads' `seqNum` share, so it is above every one sent before.
 */
export function sendTaskManifest(
  session: Session,
  tasks: readonly TaskIdentifier[],
  timeline: number,
): TaskManifestMessage {
  const message: TaskManifestMessage = {
    messageId: randomUUID(),
    clusterArn: session.clusterArn,
    containerInstanceArn: session.containerInstanceArn,
    tasks,
    generatedAt: Date.now(),
    timeline,
  };
  session.send({ type: 'TaskManifestMessage', message });
  return message;
}

/**
 * The manifests sent and not yet answered, by messageId, so that an agent's AckRequest for one is told apart
 * from a payload's; those never answered are forgotten after a while.
 */
export class SentManifests {
  readonly #sent = new Map<string, { readonly containerInstanceArn: string; readonly at: number }>();

  add(messageId: string, containerInstanceArn: string, at: number): void {
    this.#sent.set(messageId, { containerInstanceArn, at });
  }

  /**
   * Takes the manifest `messageId` off the list when `containerInstanceArn`'s agent answers it. `mine`: it
   * was that instance's; `other`: another instance's (left alone); `none`: no manifest of this process (an
   * answer to something else, such as a payload).
   */
  answer(messageId: string, containerInstanceArn: string): 'mine' | 'other' | 'none' {
    const sent = this.#sent.get(messageId);
    if (sent === undefined) return 'none';
    if (sent.containerInstanceArn !== containerInstanceArn) return 'other';
    this.#sent.delete(messageId);
    return 'mine';
  }

  forgetOlderThan(at: number): void {
    for (const [messageId, sent] of this.#sent) if (sent.at < at) this.#sent.delete(messageId);
  }
}

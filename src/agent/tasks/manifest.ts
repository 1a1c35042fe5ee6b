/**
 * What a task manifest means for this host, as a pure comparison (the I/O is `manifest-responder.ts`).
 * The manifest lists every task the control plane assigns to this instance that it has not recorded
 * STOPPED and whose payload this agent acknowledged, with the desired status the control plane holds:
 *
 * - listed STOPPED, and the host still wants it running → stop it (a StopTask the host missed);
 * - listed RUNNING, and the host has no record of it → the control plane waits for a task that will never
 *   run here: report it STOPPED (unless a report of it is still queued: that one will tell);
 * - running on the host (desired RUNNING here, not stopped) but not listed → a stop candidate: the control
 *   plane confirms which to stop (TaskStopVerificationMessage), since the manifest may only be behind.
 *
 * A manifest never starts anything: starting is for payloads alone.
 */
import type { TaskIdentifier } from '../../acs/payload.js';
import type { TaskState } from './contracts.js';

/** Why the host reports a listed task STOPPED itself. */
export type MissingKind =
  /** No record at all: its state was lost (a restored or replaced data directory). */
  | 'no-record'
  /** It ran to the end here and was cleaned up, but the control plane never heard of its end. */
  | 'finished';

export interface ManifestPlan {
  /** Listed STOPPED, still wanted running here. */
  readonly stop: readonly string[];
  /** Listed RUNNING, not on this host. */
  readonly missing: readonly { readonly task: TaskIdentifier; readonly kind: MissingKind }[];
  /** Running here, not listed. */
  readonly stopCandidates: readonly TaskIdentifier[];
}

export interface HostView {
  /** Every task the host has a record of. */
  readonly tasks: ReadonlyMap<string, TaskState>;
  /** The task ran to the end here and was cleaned up. */
  readonly finished: (taskArn: string) => boolean;
  /** A state report of the task is still queued. */
  readonly reportQueued: (taskArn: string) => boolean;
}

export function planManifest(listed: readonly TaskIdentifier[], host: HostView): ManifestPlan {
  const stop: string[] = [];
  const missing: { task: TaskIdentifier; kind: MissingKind }[] = [];
  const listedArns = new Set<string>();
  for (const id of listed) {
    listedArns.add(id.taskArn);
    const local = host.tasks.get(id.taskArn);
    if (id.desiredStatus === 'STOPPED') {
      if (local !== undefined && wantedRunning(local)) stop.push(id.taskArn);
      continue;
    }
    if (local !== undefined || host.reportQueued(id.taskArn)) continue;
    missing.push({ task: id, kind: host.finished(id.taskArn) ? 'finished' : 'no-record' });
  }
  const stopCandidates: TaskIdentifier[] = [];
  for (const [arn, state] of host.tasks) {
    if (listedArns.has(arn) || !wantedRunning(state)) continue;
    stopCandidates.push({
      taskArn: arn,
      taskClusterArn: state.task.taskClusterArn,
      desiredStatus: 'RUNNING',
    });
  }
  return { stop, missing, stopCandidates };
}

/** The host means to keep the task running: desired RUNNING here and not stopped yet. */
function wantedRunning(state: TaskState): boolean {
  return state.task.desiredStatus === 'RUNNING' && state.knownStatus !== 'STOPPED';
}

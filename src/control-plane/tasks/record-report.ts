/**
 * The state change record's part of SubmitTaskStateChange: a report that carries its number in the agent's
 * durable queue (`seq`) is recorded as it arrived, once per (container instance, seq), in the transaction
 * that applies it (`state-change.ts`).
 */
import type { TaskRecord } from '../../domain/task-record.js';
import { MAX_REASON_LENGTH, type ContainerReport, type TaskReport } from '../../domain/task-report.js';
import type { RecordedContainerChange, StateChangeRecord, Store } from '../store/types.js';
import type { RequestContext } from '../context.js';

/** What the state change record keeps of a report besides its task status, reason and time. */
export interface Recording {
  /** The report's number in the agent's durable queue. */
  readonly seq: number;
  /** The containers the report names, as it names them. */
  readonly containers: readonly RecordedContainerChange[];
}

/** The report as the state change record keeps it: the host's time as sent, unclamped. */
export function stateChangeRecord(
  task: TaskRecord,
  containerInstanceArn: string,
  recording: Recording,
  report: TaskReport,
  now: Date,
): StateChangeRecord {
  return {
    containerInstanceArn,
    seq: recording.seq,
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    ...(report.status !== undefined && { status: report.status }),
    ...(report.reason !== undefined && { reason: report.reason.slice(0, MAX_REASON_LENGTH) }),
    containers: recording.containers,
    at: report.at ?? now,
    receivedAt: now,
  };
}

/** A container the report names, as the record keeps it. */
export function recordedContainer(c: ContainerReport): RecordedContainerChange {
  return {
    containerName: c.containerName,
    ...(c.status !== undefined && { status: c.status }),
    ...(c.exitCode !== undefined && { exitCode: c.exitCode }),
    ...(c.reason !== undefined && { reason: c.reason.slice(0, MAX_REASON_LENGTH) }),
    ...(c.restartCount !== undefined && { restartCount: c.restartCount }),
  };
}

/**
 * Records `change` unless its (instance, seq) is recorded already; false then: the report was applied when it
 * was first recorded, and must not be applied again.
 */
export async function recordOnce(
  ctx: RequestContext,
  tx: Store,
  change: StateChangeRecord,
): Promise<boolean> {
  if (await tx.stateChanges.record(change)) return true;
  const earlier = await tx.stateChanges.get(change.containerInstanceArn, change.seq);
  const log = { taskArn: change.taskArn, seq: change.seq };
  if (earlier !== undefined && earlier.taskArn !== change.taskArn) {
    // Numbers are unique per instance: an agent that reuses one has lost its queue's numbering.
    ctx.log.warn(
      { ...log, recordedFor: earlier.taskArn },
      'agent reused a state change number for another task; report not applied',
    );
  } else {
    ctx.log.debug(log, 'state change already recorded; not applied again');
  }
  return false;
}

/**
 * What SubmitTaskStateChange and SubmitContainerStateChange share: finding the task a report is about,
 * checking the caller may report for it (instance credentials only for tasks on their own host), and applying
 * the report in one transaction, so that two reports of one task never overwrite each other.
 *
 * A report that carries its number in the agent's queue (`seq`, Berth's agent) is recorded in the state
 * change record in that same transaction, once: a report whose (instance, seq) is recorded already was
 * applied then, so it is acknowledged and changes nothing. Reports without one (the stock ECS agent) are
 * applied as they come and not recorded.
 */
import type { NetworkBinding } from '@aws-sdk/client-ecs';
import type { TaskRecord } from '../../domain/task-record.js';
import { applyTaskReport, REPORTED_STATUSES } from '../../domain/task-report.js';
import type { ContainerReport, HealthStatus, ReportedStatus, TaskReport } from '../../domain/task-report.js';
import { ApiError, invalidParameter } from '../../ecs/errors.js';
import type { RequestContext } from '../context.js';
import { clusterRef } from '../lookup/cluster.js';
import { assertOwnInstance } from '../auth/assert-own-instance.js';
import { taskDefinitionByArn } from '../lookup/task-definition-by-arn.js';
import { recordOnce, stateChangeRecord, type Recording } from './record-report.js';
import { logTaskProgress } from './task-log.js';

/** ECS answers a state change with this acknowledgment. */
export const ACKNOWLEDGMENT = 'ACK';

/**
 * Applies `report` to the task `taskRef` (id or ARN) of `cluster`, as `operation` on behalf of the caller,
 * recording it first when there is a `recording`. Returns the record as stored afterwards.
 */
export async function submitReport(
  ctx: RequestContext,
  operation: string,
  cluster: string | undefined,
  taskRef: string | undefined,
  report: TaskReport,
  recording?: Recording,
): Promise<TaskRecord> {
  const { name, arn: clusterArn } = clusterRef(ctx, cluster);
  if (!(await ctx.store.clusters.get(clusterArn)))
    throw new ApiError('ClusterNotFoundException', 'Cluster not found.');
  const taskArn = taskArnIn(ctx, name, taskRef ?? '');
  const found = taskArn === undefined ? undefined : await ctx.store.tasks.get(taskArn);
  if (taskArn === undefined || found === undefined) {
    throw invalidParameter(`Task '${taskRef ?? ''}' was not found in cluster ${name}.`);
  }
  await assertMayReport(ctx, found, operation);
  const definition = await taskDefinitionByArn(ctx.store.taskDefinitions, found.taskDefinitionArn);
  const { task, changed, before } = await ctx.store.transaction(async (tx) => {
    const current = await tx.tasks.get(taskArn);
    if (current === undefined)
      throw invalidParameter(`Task '${taskRef ?? ''}' was not found in cluster ${name}.`);
    const instanceArn = current.containerInstanceArn;
    if (recording !== undefined) {
      const change = stateChangeRecord(current, instanceArn, recording, report, ctx.now());
      if (!(await recordOnce(ctx, tx, change))) return { task: current, changed: false, before: current };
    }
    const applied = applyTaskReport(current, report, {
      now: ctx.now(),
      ...(definition !== undefined && { definition }),
    });
    if (applied.changed) await tx.tasks.put(applied.task);
    return { ...applied, before: current };
  });
  logTaskProgress(ctx.log, before, task);
  // A service's task that started, stopped or changed health may call for its service to act.
  if (changed && task.group?.startsWith('service:') === true) ctx.runtime.changes.clusterChanged(clusterArn);
  return task;
}

async function assertMayReport(ctx: RequestContext, task: TaskRecord, operation: string): Promise<void> {
  if (ctx.caller.kind === 'admin') return;
  const instance = await ctx.store.containerInstances.get(task.containerInstanceArn);
  if (instance === undefined) {
    throw new ApiError(
      'AccessDeniedException',
      `User: ${ctx.caller.principalArn} is not authorized to perform: ecs:${operation} on resource: ` +
        `${task.taskArn}, which runs on no container instance of this host.`,
    );
  }
  assertOwnInstance(ctx, instance, operation);
}

function taskArnIn(ctx: RequestContext, clusterName: string, value: string): string | undefined {
  if (!value.startsWith('arn:')) {
    return value === '' || value.includes('/') ? undefined : ctx.arns.task(clusterName, value);
  }
  const arn = ctx.arns.parseOwn(value);
  if (arn?.resourceType !== 'task' || arn.path.length !== 2) return undefined;
  const [inCluster = '', id = ''] = arn.path;
  return inCluster === clusterName && id !== '' ? ctx.arns.task(inCluster, id) : undefined;
}

export function reportedStatus(what: string, value: string | undefined): ReportedStatus | undefined {
  if (value === undefined) return undefined;
  if (!(REPORTED_STATUSES as readonly string[]).includes(value)) {
    throw invalidParameter(`${what} '${value}' is not one of ${REPORTED_STATUSES.join(', ')}.`);
  }
  return value as ReportedStatus;
}

/**
 * awsJson timestamps: epoch seconds, or (hand-written requests) ISO 8601. Rounded to the millisecond: the
 * seconds' fraction (Go's SDK writes milliseconds) is seldom exact in binary, and a Date truncates.
 */
export function timestampOf(value: unknown): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(Math.round(value * 1000));
  if (typeof value === 'string') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  if (value instanceof Date) return value;
  return undefined;
}

export interface ContainerInput {
  readonly containerName?: string | undefined;
  readonly runtimeId?: string | undefined;
  readonly status?: string | undefined;
  readonly exitCode?: number | undefined;
  readonly reason?: string | undefined;
  readonly networkBindings?: readonly NetworkBinding[] | undefined;
  readonly imageDigest?: string | undefined;
}

export function containerReport(
  c: ContainerInput,
  healthStatus: HealthStatus | undefined,
  restartCount?: number,
): ContainerReport | undefined {
  if (c.containerName === undefined || c.containerName === '') return undefined;
  const status = reportedStatus(`Status of container ${c.containerName}`, c.status);
  return {
    containerName: c.containerName,
    ...(status !== undefined && { status }),
    ...(c.runtimeId !== undefined && { runtimeId: c.runtimeId }),
    ...(c.exitCode !== undefined && { exitCode: c.exitCode }),
    ...(c.reason !== undefined && { reason: c.reason }),
    ...(c.networkBindings !== undefined && { networkBindings: c.networkBindings }),
    ...(c.imageDigest !== undefined && { imageDigest: c.imageDigest }),
    ...(healthStatus !== undefined && { healthStatus }),
    ...(restartCount !== undefined && { restartCount }),
  };
}

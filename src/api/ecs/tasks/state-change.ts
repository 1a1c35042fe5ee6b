/**
 * What SubmitTaskStateChange and SubmitContainerStateChange share: finding the task a report is about,
 * checking the caller may report for it (instance credentials only for tasks on their own host), and applying
 * the report in one transaction, so that two reports of one task never overwrite each other.
 */
import type { NetworkBinding, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { applyTaskReport, HEALTH_STATUSES, REPORTED_STATUSES } from '../../../domain/task-report.js';
import type {
  ContainerReport,
  HealthStatus,
  ReportedStatus,
  TaskReport,
} from '../../../domain/task-report.js';
import { ApiError, invalidParameter } from '../../../protocol/errors.js';
import type { RequestContext } from '../../operation.js';
import { clusterRef } from '../common.js';
import { assertOwnInstance } from '../container-instances/assert-own-instance.js';

/** ECS answers a state change with this acknowledgment. */
export const ACKNOWLEDGMENT = 'ACK';

/**
 * Applies `report` to the task `taskRef` (id or ARN) of `cluster`, as `operation` on behalf of the caller.
 * Returns the record as stored afterwards.
 */
export async function submitReport(
  ctx: RequestContext,
  operation: string,
  cluster: string | undefined,
  taskRef: string | undefined,
  report: TaskReport,
): Promise<Task> {
  const { name, arn: clusterArn } = clusterRef(ctx, cluster);
  if (!(await ctx.store.clusters.get(clusterArn)))
    throw new ApiError('ClusterNotFoundException', 'Cluster not found.');
  const taskArn = taskArnIn(ctx, name, taskRef ?? '');
  const found = taskArn === undefined ? undefined : await ctx.store.tasks.get(taskArn);
  if (taskArn === undefined || found === undefined) {
    throw invalidParameter(`Task '${taskRef ?? ''}' was not found in cluster ${name}.`);
  }
  await assertMayReport(ctx, found, operation);
  const definition = await definitionOf(ctx, found.taskDefinitionArn);
  const { task, changed } = await ctx.store.transaction(async (tx) => {
    const current = await tx.tasks.get(taskArn);
    if (current === undefined)
      throw invalidParameter(`Task '${taskRef ?? ''}' was not found in cluster ${name}.`);
    const applied = applyTaskReport(current, report, {
      now: ctx.now(),
      ...(definition !== undefined && { definition }),
    });
    if (applied.changed) await tx.tasks.put(applied.task);
    return applied;
  });
  // A service's task that started, stopped or changed health may call for its service to act.
  if (changed && task.group?.startsWith('service:') === true) ctx.runtime.serviceEvents.changed(clusterArn);
  return task;
}

async function assertMayReport(ctx: RequestContext, task: Task, operation: string): Promise<void> {
  if (ctx.caller.kind === 'admin') return;
  const instance =
    task.containerInstanceArn === undefined
      ? undefined
      : await ctx.store.containerInstances.get(task.containerInstanceArn);
  if (instance === undefined) {
    throw new ApiError(
      'AccessDeniedException',
      `User: ${ctx.caller.principalArn} is not authorized to perform: ecs:${operation} on resource: ` +
        `${task.taskArn ?? 'task'}, which runs on no container instance of this host.`,
    );
  }
  assertOwnInstance(ctx, instance, operation);
}

async function definitionOf(
  ctx: RequestContext,
  arn: string | undefined,
): Promise<TaskDefinition | undefined> {
  const match = /:task-definition\/([^:/]+):(\d+)$/.exec(arn ?? '');
  return match === null ? undefined : ctx.store.taskDefinitions.get(match[1] ?? '', Number(match[2]));
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

/** awsJson timestamps: epoch seconds, or (hand-written requests) ISO 8601. */
export function timestampOf(value: unknown): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
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
  };
}

/** Berth's agent's `berth` member (`agent/tasks/submit-state-change.ts`); anything malformed in it is ignored. */
export interface Extension {
  readonly at?: Date;
  readonly startedAt?: Date;
  readonly health: ReadonlyMap<string, HealthStatus>;
}

export function extensionOf(input: unknown): Extension {
  const raw = (input as { berth?: unknown }).berth;
  const health = new Map<string, HealthStatus>();
  if (raw === null || typeof raw !== 'object') return { health };
  const { at, startedAt, containers } = raw as { at?: unknown; startedAt?: unknown; containers?: unknown };
  if (Array.isArray(containers)) {
    for (const c of containers as unknown[]) {
      const { containerName, healthStatus } = (c ?? {}) as {
        containerName?: unknown;
        healthStatus?: unknown;
      };
      if (
        typeof containerName === 'string' &&
        (HEALTH_STATUSES as readonly unknown[]).includes(healthStatus)
      ) {
        health.set(containerName, healthStatus as HealthStatus);
      }
    }
  }
  const atDate = typeof at === 'number' ? timestampOf(at) : undefined;
  const startedDate = typeof startedAt === 'number' ? timestampOf(startedAt) : undefined;
  return {
    ...(atDate !== undefined && { at: atDate }),
    ...(startedDate !== undefined && { startedAt: startedDate }),
    health,
  };
}

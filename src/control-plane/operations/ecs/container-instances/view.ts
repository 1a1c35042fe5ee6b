/**
 * What DescribeContainerInstances and friends return: the stored record plus what is derived from the tasks
 * on the instance at read time (task counts, remaining resources), so those can never drift from the tasks
 * themselves; tags and health only when `include` asks for them. While the agent of a registered instance
 * is disconnected, `statusReason` says since when (ECS has no member for the time, and the AWS CLI prints
 * only modelled members). The record is rendered member by member (`../render.ts`), so Berth's own state in
 * it (`domain/instance-record.ts`) is never shown.
 */
import type { ContainerInstance, ContainerInstanceHealthStatus } from '@aws-sdk/client-ecs';
import { disconnectedReason, type InstanceRecord } from '../../../../domain/instance-record.js';
import type { TaskRecord } from '../../../../domain/task-record.js';
import type { QueryInstance } from '../../../../query/index.js';
import type { Store, TaskFilter } from '../../../store/types.js';
import type { RequestContext } from '../../../context.js';
import { remainingResources, taskReservation } from '../../../instances/resources.js';
import { copyMembers, type Members } from '../render.js';

const INSTANCE_MEMBERS: Members<ContainerInstance> = {
  containerInstanceArn: true,
  ec2InstanceId: true,
  capacityProviderName: true,
  version: true,
  versionInfo: true,
  remainingResources: true,
  registeredResources: true,
  status: true,
  statusReason: true,
  agentConnected: true,
  runningTasksCount: true,
  pendingTasksCount: true,
  agentUpdateStatus: true,
  attributes: true,
  registeredAt: true,
  attachments: true,
  tags: true,
  healthStatus: true,
  gpuDevices: true,
};

export const INSTANCE_INCLUDES = ['TAGS', 'CONTAINER_INSTANCE_HEALTH'] as const;

export interface InstanceViewOptions {
  readonly include?: readonly string[];
}

/** ECS's ContainerInstance for a record, as stored: nothing derived (see `instanceView`). */
export function renderInstance(instance: InstanceRecord): ContainerInstance {
  return copyMembers<ContainerInstance>(instance, INSTANCE_MEMBERS);
}

/** Every task matching `filter`, across pages. */
export async function allTasks(store: Store, filter: TaskFilter): Promise<TaskRecord[]> {
  const tasks: TaskRecord[] = [];
  let after: string | undefined;
  do {
    const page = await store.tasks.list(filter, { limit: 100, ...(after !== undefined && { after }) });
    tasks.push(...page.items);
    after = page.nextKey;
  } while (after !== undefined);
  return tasks;
}

/** Tasks whose desired status is RUNNING: ECS's `runningTasksCount` counts these. */
export function runningTasksOn(store: Store, clusterArn: string, instanceArn: string): Promise<TaskRecord[]> {
  return allTasks(store, { clusterArn, containerInstanceArn: instanceArn, desiredStatus: 'RUNNING' });
}

export async function instanceView(
  ctx: RequestContext,
  clusterArn: string,
  instance: InstanceRecord,
  o: InstanceViewOptions = {},
): Promise<ContainerInstance> {
  const arn = instance.containerInstanceArn;
  const include = new Set(o.include ?? []);
  const onInstance = { clusterArn, containerInstanceArn: arn };
  // Resources are held from the moment a task is placed (PENDING) until it has stopped.
  const [running, pending, started, tags] = await Promise.all([
    ctx.store.tasks.count({ ...onInstance, desiredStatus: 'RUNNING' }),
    allTasks(ctx.store, { ...onInstance, lastStatus: 'PENDING' }),
    allTasks(ctx.store, { ...onInstance, lastStatus: 'RUNNING' }),
    include.has('TAGS') ? ctx.store.tags.list(arn) : undefined,
  ]);
  const { healthStatus, tags: _stored, ...rest } = renderInstance(instance);
  const statusReason = disconnectedReason(instance) ?? rest.statusReason;
  return {
    ...rest,
    ...(statusReason !== undefined && { statusReason }),
    remainingResources: remainingResources(
      instance.registeredResources,
      [...pending, ...started].map(taskReservation),
    ),
    runningTasksCount: running,
    pendingTasksCount: pending.length,
    ...(tags !== undefined && { tags }),
    ...(include.has('CONTAINER_INSTANCE_HEALTH') && { healthStatus: health(instance, healthStatus) }),
  };
}

/**
 * ECS derives instance health from the agent's CONTAINER_RUNTIME checks. Until an agent reports them (a
 * stored `healthStatus`), the one signal Berth has is the agent's connection: connected reads as OK, and
 * anything else — never connected, disconnected, deregistered — as INSUFFICIENT_DATA, which is what ECS
 * shows when it has heard nothing.
 */
function health(
  instance: InstanceRecord,
  stored: ContainerInstanceHealthStatus | undefined,
): ContainerInstanceHealthStatus {
  if (stored !== undefined) return stored;
  const connected = instance.agentConnected && instance.status !== 'INACTIVE';
  return { overallStatus: connected ? 'OK' : 'INSUFFICIENT_DATA', details: [] };
}

/** What the cluster query language sees of an instance, given the tasks whose desired status is RUNNING. */
export function queryInstance(instance: InstanceRecord, running: readonly TaskRecord[]): QueryInstance {
  return {
    agentConnected: instance.agentConnected,
    ...(instance.versionInfo?.agentVersion !== undefined && {
      agentVersion: instance.versionInfo.agentVersion,
    }),
    attributes: new Map(instance.attributes.map((a) => [a.name ?? '', a.value])),
    ...(instance.ec2InstanceId !== undefined && { ec2InstanceId: instance.ec2InstanceId }),
    registeredAt: instance.registeredAt.getTime(),
    runningTasksCount: running.length,
    taskGroups: [...new Set(running.flatMap((t) => (t.group === undefined ? [] : [t.group])))],
  };
}

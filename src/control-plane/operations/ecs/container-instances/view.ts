/**
 * What DescribeContainerInstances and friends return: the stored record plus what is derived from the tasks
 * on the instance at read time (task counts, remaining resources), so those can never drift from the tasks
 * themselves; tags and health only when `include` asks for them. While the agent of a registered instance
 * is disconnected, `statusReason` says since when (ECS has no member for the time, and the AWS CLI prints
 * only modelled members). Berth's internal fields (`domain/instance-record.ts`) are never shown.
 */
import type { ContainerInstance, ContainerInstanceHealthStatus, Task } from '@aws-sdk/client-ecs';
import { disconnectedReason, publicInstance } from '../../../../domain/instance-record.js';
import type { QueryInstance } from '../../../../query/index.js';
import type { Store, TaskFilter } from '../../../store/types.js';
import type { RequestContext } from '../../../context.js';
import { remainingResources, taskReservation } from '../../../instances/resources.js';

export const INSTANCE_INCLUDES = ['TAGS', 'CONTAINER_INSTANCE_HEALTH'] as const;

export interface InstanceViewOptions {
  readonly include?: readonly string[];
}

/** Every task matching `filter`, across pages. */
export async function allTasks(store: Store, filter: TaskFilter): Promise<Task[]> {
  const tasks: Task[] = [];
  let after: string | undefined;
  do {
    const page = await store.tasks.list(filter, { limit: 100, ...(after !== undefined && { after }) });
    tasks.push(...page.items);
    after = page.nextKey;
  } while (after !== undefined);
  return tasks;
}

/** Tasks whose desired status is RUNNING: ECS's `runningTasksCount` counts these. */
export function runningTasksOn(store: Store, clusterArn: string, instanceArn: string): Promise<Task[]> {
  return allTasks(store, { clusterArn, containerInstanceArn: instanceArn, desiredStatus: 'RUNNING' });
}

export async function instanceView(
  ctx: RequestContext,
  clusterArn: string,
  instance: ContainerInstance,
  o: InstanceViewOptions = {},
): Promise<ContainerInstance> {
  const arn = instance.containerInstanceArn ?? '';
  const include = new Set(o.include ?? []);
  const onInstance = { clusterArn, containerInstanceArn: arn };
  // Resources are held from the moment a task is placed (PENDING) until it has stopped.
  const [running, pending, started, tags] = await Promise.all([
    ctx.store.tasks.count({ ...onInstance, desiredStatus: 'RUNNING' }),
    allTasks(ctx.store, { ...onInstance, lastStatus: 'PENDING' }),
    allTasks(ctx.store, { ...onInstance, lastStatus: 'RUNNING' }),
    include.has('TAGS') ? ctx.store.tags.list(arn) : undefined,
  ]);
  const { healthStatus, tags: _stored, ...rest } = publicInstance(instance);
  const statusReason = disconnectedReason(instance) ?? rest.statusReason;
  return {
    ...rest,
    ...(statusReason !== undefined && { statusReason }),
    remainingResources: remainingResources(
      instance.registeredResources ?? [],
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
  instance: ContainerInstance,
  stored: ContainerInstanceHealthStatus | undefined,
): ContainerInstanceHealthStatus {
  if (stored !== undefined) return stored;
  const connected = instance.agentConnected === true && instance.status !== 'INACTIVE';
  return { overallStatus: connected ? 'OK' : 'INSUFFICIENT_DATA', details: [] };
}

/** What the cluster query language sees of an instance, given the tasks whose desired status is RUNNING. */
export function queryInstance(instance: ContainerInstance, running: readonly Task[]): QueryInstance {
  return {
    agentConnected: instance.agentConnected === true,
    ...(instance.versionInfo?.agentVersion !== undefined && {
      agentVersion: instance.versionInfo.agentVersion,
    }),
    attributes: new Map((instance.attributes ?? []).map((a) => [a.name ?? '', a.value])),
    ...(instance.ec2InstanceId !== undefined && { ec2InstanceId: instance.ec2InstanceId }),
    registeredAt: instance.registeredAt?.getTime() ?? 0,
    runningTasksCount: running.length,
    taskGroups: [...new Set(running.flatMap((t) => (t.group === undefined ? [] : [t.group])))],
  };
}

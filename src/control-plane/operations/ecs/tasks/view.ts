/**
 * What DescribeTasks, RunTask, StartTask and StopTask return for a stored task. Tags live in the tag store,
 * which TagResource and UntagResource keep current, so the stored record's own `tags` are never shown: only
 * the tag store's, and only when the caller asks for them. The record is rendered member by member
 * (`../render.ts`), so Berth's own state in it (`domain/task-record.ts`) is never shown; a container's
 * restart count shows in its `reason`.
 *
 * `connectivity` and `connectivityAt` are those of the agent of the task's instance, read now
 * (`domain/task-connectivity.ts`), so a task on a host that lost its uplink says so, and since when.
 */
import type { Container, Task } from '@aws-sdk/client-ecs';
import type { InstanceRecord } from '../../../../domain/instance-record.js';
import { taskConnectivity } from '../../../../domain/task-connectivity.js';
import { shownReason, type ContainerRecord, type TaskRecord } from '../../../../domain/task-record.js';
import type { RequestContext } from '../../../context.js';
import { copyMembers, type Members } from '../render.js';

const TASK_MEMBERS: Members<Task> = {
  attachments: true,
  attributes: true,
  availabilityZone: true,
  capacityProviderName: true,
  clusterArn: true,
  connectivity: true,
  connectivityAt: true,
  containerInstanceArn: true,
  containers: true,
  cpu: true,
  createdAt: true,
  desiredStatus: true,
  enableExecuteCommand: true,
  executionStoppedAt: true,
  group: true,
  healthStatus: true,
  inferenceAccelerators: true,
  lastStatus: true,
  launchType: true,
  memory: true,
  overrides: true,
  platformVersion: true,
  platformFamily: true,
  pullStartedAt: true,
  pullStoppedAt: true,
  startedAt: true,
  startedBy: true,
  stopCode: true,
  stoppedAt: true,
  stoppedReason: true,
  stoppingAt: true,
  tags: true,
  taskArn: true,
  taskDefinitionArn: true,
  version: true,
  ephemeralStorage: true,
  fargateEphemeralStorage: true,
};

const CONTAINER_MEMBERS: Members<Container> = {
  containerArn: true,
  taskArn: true,
  name: true,
  image: true,
  imageDigest: true,
  runtimeId: true,
  lastStatus: true,
  exitCode: true,
  reason: true,
  networkBindings: true,
  networkInterfaces: true,
  healthStatus: true,
  managedAgents: true,
  cpu: true,
  memory: true,
  memoryReservation: true,
  gpuIds: true,
  neuronDeviceIds: true,
  gpuSharingStrategy: true,
};

/** ECS's Task for a record, as stored: no tags, no derived connectivity (see `taskView`). */
export function renderTask(task: TaskRecord): Task {
  const shown = copyMembers<Task>(task, TASK_MEMBERS);
  return { ...shown, containers: task.containers.map(renderContainer) };
}

export function renderContainer(container: ContainerRecord): Container {
  const shown = copyMembers<Container>(container, CONTAINER_MEMBERS);
  const reason = shownReason(container);
  return reason === undefined ? shown : { ...shown, reason };
}

/** Reads a container instance record; one lookup serves a whole answer, so shared instances are read once. */
export type InstanceLookup = (containerInstanceArn: string) => Promise<InstanceRecord | undefined>;

export function instanceLookup(ctx: RequestContext): InstanceLookup {
  const seen = new Map<string, Promise<InstanceRecord | undefined>>();
  return (arn) => {
    let found = seen.get(arn);
    if (found === undefined) {
      found = ctx.store.containerInstances.get(arn);
      seen.set(arn, found);
    }
    return found;
  };
}

export async function taskView(
  ctx: RequestContext,
  task: TaskRecord,
  withTags: boolean,
  instances: InstanceLookup = instanceLookup(ctx),
): Promise<Task> {
  const { tags: _stored, ...rest } = renderTask(task);
  const [instance, tags] = await Promise.all([
    instances(task.containerInstanceArn),
    withTags ? ctx.store.tags.list(task.taskArn) : [],
  ]);
  return { ...rest, ...taskConnectivity(task, instance), tags };
}

/** Several tasks as one answer shows them, with their tags; instances shared by tasks are read once. */
export function taskViews(ctx: RequestContext, tasks: readonly TaskRecord[]): Promise<Task[]> {
  const instances = instanceLookup(ctx);
  return Promise.all(tasks.map((t) => taskView(ctx, t, true, instances)));
}

/**
 * The record of a task just placed: PENDING, desired RUNNING, on its instance, shaped as ECS returns a task
 * (fields of the Task and Container types of @aws-sdk/client-ecs). The agent's reports fill in the rest
 * (runtime ids, bindings, timestamps) as the task runs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ContainerOverride } from '@aws-sdk/client-ecs';
import type { ContainerRecord, TaskRecord } from '../../domain/task-record.js';
import { containerGpuCounts, type InstanceState, type Placement } from '../../scheduler/index.js';
import type { RequestContext } from '../context.js';
import type { TaskTemplate } from './task-template.js';

/** A new task id: 32 hex digits, as ECS's. */
export function newTaskId(): string {
  return randomBytes(16).toString('hex');
}

export function newTaskRecord(
  ctx: Pick<RequestContext, 'arns'>,
  template: TaskTemplate,
  placement: Placement,
  instance: InstanceState | undefined,
  now: Date,
  taskId: string = newTaskId(),
): TaskRecord {
  const clusterName = template.cluster.clusterName;
  const taskArn = ctx.arns.task(clusterName, taskId);
  const zone = instance?.attributes.get('ecs.availability-zone');
  return {
    taskArn,
    clusterArn: template.cluster.clusterArn,
    taskDefinitionArn: template.definition.taskDefinitionArn ?? '',
    containerInstanceArn: placement.instanceArn,
    ...(zone !== undefined && { availabilityZone: zone }),
    launchType: 'EXTERNAL',
    lastStatus: 'PENDING',
    desiredStatus: 'RUNNING',
    // The task's reservation, as placement counted it (task level if set, else the containers' sum).
    cpu: String(template.requirements.cpu),
    memory: String(template.requirements.memory),
    group: template.group,
    ...(template.startedBy !== undefined && { startedBy: template.startedBy }),
    overrides: template.overrides,
    containers: containers(ctx, template, placement, clusterName, taskId, taskArn),
    createdAt: now,
    version: 1,
    attachments: [],
    // Placement requires a connected agent, so the task starts out connected.
    connectivity: 'CONNECTED',
    connectivityAt: now,
    enableExecuteCommand: false,
    healthStatus: 'UNKNOWN',
    tags: [],
  };
}

function containers(
  ctx: Pick<RequestContext, 'arns'>,
  template: TaskTemplate,
  placement: Placement,
  clusterName: string,
  taskId: string,
  taskArn: string,
): ContainerRecord[] {
  const overrides = new Map<string, ContainerOverride>(
    (template.overrides.containerOverrides ?? []).map((o) => [o.name ?? '', o]),
  );
  // The placement's GPUs, handed to the containers in order, each its own count.
  const gpus = [...placement.gpuIds];
  const counts = new Map(
    containerGpuCounts(template.definition, template.overrides).map((c) => [c.name, c.count]),
  );
  return (template.definition.containerDefinitions ?? []).map((c): ContainerRecord => {
    const name = c.name ?? '';
    const o = overrides.get(name);
    const memory = o?.memory ?? c.memory;
    const reservation = o?.memoryReservation ?? c.memoryReservation;
    const gpuIds = gpus.splice(0, counts.get(name) ?? 0);
    return {
      containerArn: ctx.arns.container(clusterName, taskId, randomUUID()),
      taskArn,
      name,
      image: c.image ?? '',
      lastStatus: 'PENDING',
      networkBindings: [],
      networkInterfaces: [],
      healthStatus: 'UNKNOWN',
      cpu: String(o?.cpu ?? c.cpu ?? 0),
      ...(memory !== undefined && { memory: String(memory) }),
      ...(reservation !== undefined && { memoryReservation: String(reservation) }),
      ...(gpuIds.length > 0 && { gpuIds }),
    };
  });
}

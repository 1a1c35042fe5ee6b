/**
 * A task's `connectivity` and `connectivityAt` as the API shows them: those of the agent of the container
 * instance the task is on, worked out when the task is read rather than written into every task record when
 * an agent comes and goes (a host with many tasks would otherwise rewrite them all on every flap, and the
 * records could lag the instance).
 *
 * - A task that has not stopped is CONNECTED while its instance's agent is, DISCONNECTED otherwise;
 *   `connectivityAt` is when that began, or when the task was created if that is later.
 * - A STOPPED task keeps what its record says: it is over, and what it showed when it stopped stays true.
 * - A task without an instance record keeps its record's values.
 *
 * Pure.
 */
import type { Task } from '@aws-sdk/client-ecs';
import { agentConnectivity, type InstanceRecord } from './instance-record.js';
import type { TaskRecord } from './task-record.js';

export interface TaskConnectivity {
  readonly connectivity?: Task['connectivity'];
  readonly connectivityAt?: Date;
}

export function taskConnectivity(task: TaskRecord, instance: InstanceRecord | undefined): TaskConnectivity {
  const stored: TaskConnectivity = {
    ...(task.connectivity !== undefined && { connectivity: task.connectivity }),
    ...(task.connectivityAt !== undefined && { connectivityAt: task.connectivityAt }),
  };
  if (instance === undefined || task.lastStatus === 'STOPPED') return stored;
  const { connected, since } = agentConnectivity(instance);
  // Without a recorded time (a record from before Berth kept one), a connected task's own time stands.
  const start = since ?? (connected ? task.connectivityAt : undefined) ?? task.createdAt;
  return {
    connectivity: connected ? 'CONNECTED' : 'DISCONNECTED',
    connectivityAt: start.getTime() >= task.createdAt.getTime() ? start : task.createdAt,
  };
}

/** Records for tests: every member a record requires, with what a test names on top. */
import type { InstanceRecord } from '../instance-record.js';
import type { ContainerRecord, TaskRecord } from '../task-record.js';

const A = 'arn:aws:ecs:us-east-1:123456789012';

export function taskRecord(patch: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskArn: `${A}:task/edge/0123456789abcdef0123456789abcdef`,
    clusterArn: `${A}:cluster/edge`,
    taskDefinitionArn: `${A}:task-definition/web:1`,
    containerInstanceArn: `${A}:container-instance/edge/i1`,
    lastStatus: 'PENDING',
    desiredStatus: 'RUNNING',
    createdAt: new Date('2026-11-21T10:00:00.000Z'),
    version: 1,
    containers: [],
    ...patch,
  };
}

export function containerRecord(name: string, patch: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    containerArn: `${A}:container/edge/0123456789abcdef0123456789abcdef/${name}`,
    taskArn: `${A}:task/edge/0123456789abcdef0123456789abcdef`,
    name,
    lastStatus: 'PENDING',
    ...patch,
  };
}

export function instanceRecord(patch: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    containerInstanceArn: `${A}:container-instance/edge/i1`,
    status: 'ACTIVE',
    agentConnected: false,
    version: 1,
    registeredAt: new Date('2026-11-21T08:00:00.000Z'),
    registeredResources: [],
    attributes: [],
    ...patch,
  };
}

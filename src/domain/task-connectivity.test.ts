import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withAgentConnected, type InstanceRecord } from './instance-record.js';
import type { TaskRecord } from './task-record.js';
import { taskConnectivity } from './task-connectivity.js';

const CREATED = new Date('2026-11-21T10:00:00.000Z');
const CONNECTED = new Date('2026-11-21T09:00:00.000Z');
const DROPPED = new Date('2026-11-21T12:00:00.000Z');
const BACK = new Date('2026-11-21T13:00:00.000Z');

const base: InstanceRecord = {
  containerInstanceArn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/edge/1',
  status: 'ACTIVE',
  agentConnected: false,
  registeredAt: new Date('2026-11-21T08:00:00.000Z'),
  version: 1,
  registeredResources: [],
  attributes: [],
};

function flip(i: InstanceRecord, connected: boolean, at: Date): InstanceRecord {
  const next = withAgentConnected(i, connected, at);
  assert.ok(next);
  return next;
}

const task: TaskRecord = {
  taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/edge/t1',
  clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
  containerInstanceArn: base.containerInstanceArn,
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  version: 1,
  containers: [],
  createdAt: CREATED,
  connectivity: 'CONNECTED',
  connectivityAt: CREATED,
};

describe('taskConnectivity', () => {
  it('is CONNECTED since the task was created when its agent connected before that', () => {
    assert.deepEqual(taskConnectivity(task, flip(base, true, CONNECTED)), {
      connectivity: 'CONNECTED',
      connectivityAt: CREATED,
    });
  });

  it('is DISCONNECTED since the agent dropped, then CONNECTED since it came back', () => {
    const dropped = flip(flip(base, true, CONNECTED), false, DROPPED);
    assert.deepEqual(taskConnectivity(task, dropped), {
      connectivity: 'DISCONNECTED',
      connectivityAt: DROPPED,
    });
    assert.deepEqual(taskConnectivity(task, flip(dropped, true, BACK)), {
      connectivity: 'CONNECTED',
      connectivityAt: BACK,
    });
  });

  it("keeps a STOPPED task's own values, and those of a task without an instance record", () => {
    const dropped = flip(flip(base, true, CONNECTED), false, DROPPED);
    const stopped: TaskRecord = { ...task, lastStatus: 'STOPPED' };
    assert.deepEqual(taskConnectivity(stopped, dropped), {
      connectivity: 'CONNECTED',
      connectivityAt: CREATED,
    });
    assert.deepEqual(taskConnectivity(task, undefined), {
      connectivity: 'CONNECTED',
      connectivityAt: CREATED,
    });
  });

  it("uses the task's own time when a connected instance has no recorded time", () => {
    const later = new Date(CREATED.getTime() + 5_000);
    assert.deepEqual(
      taskConnectivity({ ...task, connectivityAt: later }, { ...base, agentConnected: true }),
      {
        connectivity: 'CONNECTED',
        connectivityAt: later,
      },
    );
  });
});

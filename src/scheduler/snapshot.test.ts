/** Building a snapshot from the store's records, and what a task holds. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstanceRecord } from '../domain/instance-record.js';
import type { TaskRecord } from '../domain/task-record.js';
import { containerRecord, taskRecord as baseTask } from '../domain/testing/records.js';
import { queryView, remainingCpu, remainingMemory, snapshotFromRecords } from './snapshot.js';

const I = 'arn:aws:ecs:us-east-1:123456789012:container-instance/c1/';
const T = 'arn:aws:ecs:us-east-1:123456789012:task/c1/';

const instanceRecord = (id: string): InstanceRecord => ({
  containerInstanceArn: `${I}${id}`,
  status: 'ACTIVE',
  agentConnected: true,
  ec2InstanceId: 'mi-00000000000000001',
  registeredAt: new Date('2024-01-01T00:00:00Z'),
  version: 1,
  versionInfo: { agentVersion: '1.105.1' },
  attributes: [{ name: 'ecs.os-type', value: 'linux' }, { name: 'ecs.capability.external' }],
  registeredResources: [
    { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
    { name: 'MEMORY', type: 'INTEGER', integerValue: 4096 },
    { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '51678'] },
    { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
  ],
});

const taskRecord = (id: string, patch: Partial<TaskRecord>): TaskRecord =>
  baseTask({
    taskArn: `${T}${id}`,
    containerInstanceArn: `${I}a`,
    desiredStatus: 'RUNNING',
    lastStatus: 'PENDING',
    group: 'family:web',
    ...patch,
  });

describe('snapshotFromRecords', () => {
  it('counts what unstopped tasks hold, static ports included before any binding', () => {
    const snapshot = snapshotFromRecords(
      [instanceRecord('b'), instanceRecord('a')],
      [
        { task: taskRecord('1', { cpu: '512', memory: '1024' }), staticPorts: { tcp: [8080], udp: [] } },
        {
          task: taskRecord('2', {
            lastStatus: 'RUNNING',
            desiredStatus: 'STOPPED',
            containers: [
              containerRecord('web', {
                cpu: '128',
                memory: '512',
                memoryReservation: '256',
                networkBindings: [{ hostPort: 32768, containerPort: 80, protocol: 'tcp' }],
              }),
            ],
          }),
          staticPorts: { tcp: [], udp: [] },
        },
        { task: taskRecord('3', { lastStatus: 'STOPPED', cpu: '1024' }), staticPorts: { tcp: [9], udp: [] } },
      ],
    );
    assert.deepEqual(
      snapshot.instances.map((i) => i.id),
      ['a', 'b'],
    );
    const a = snapshot.byArn.get(`${I}a`);
    assert.ok(a);
    assert.equal(remainingCpu(a), 2048 - 512 - 128);
    assert.equal(remainingMemory(a), 4096 - 1024 - 256);
    assert.deepEqual([...a.used.tcpPorts].sort(), [32768, 8080]);
    assert.deepEqual([...a.capacity.reservedTcpPorts], [22, 51678]);
    // Only the desired-RUNNING task counts as running.
    assert.equal(a.runningTasksCount, 1);
    const view = queryView(a);
    assert.equal(view.agentVersion, '1.105.1');
    assert.deepEqual(view.taskGroups, ['family:web']);
    assert.equal(view.attributes.get('ecs.os-type'), 'linux');
    assert.ok(view.attributes.has('ecs.capability.external'));
  });
});

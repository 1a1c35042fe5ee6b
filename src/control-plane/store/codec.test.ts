import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_SERVICE_STATE } from '../../domain/service-record.js';
import { decodeInstance, decodeService, decodeTask, encodeDoc } from './codec.js';

const T1 = new Date('2026-11-21T10:00:00.000Z');
const T2 = new Date('2026-11-21T11:00:00.000Z');

/** Documents as the release before records wrote them: Berth's state under `berth*` names. */
describe('decoding documents of the previous release', () => {
  it("reads a task's acknowledged status and its containers' restart counts under today's names, in place", () => {
    const old = encodeDoc({
      taskArn: 't',
      berthAckedDesiredStatus: 'RUNNING',
      lastStatus: 'RUNNING',
      containers: [{ name: 'web', berthRestartCount: 2, lastStatus: 'RUNNING' }, { name: 'side' }],
      createdAt: T1,
    });
    const task = decodeTask(old);
    assert.equal(task.ackedDesiredStatus, 'RUNNING');
    assert.equal(task.containers[0]?.restartCount, 2);
    assert.deepEqual(Object.keys(task), [
      'taskArn',
      'ackedDesiredStatus',
      'lastStatus',
      'containers',
      'createdAt',
    ]);
    assert.deepEqual(Object.keys(task.containers[0] ?? {}), ['name', 'restartCount', 'lastStatus']);
    assert.ok(!JSON.stringify(task).includes('berth'));
    assert.deepEqual(task.createdAt, T1);
  });

  it("reads an instance's agent session times under today's names", () => {
    const instance = decodeInstance(
      encodeDoc({
        containerInstanceArn: 'i',
        berthAgentConnectedAt: T1,
        berthAgentDisconnectedAt: T2,
        version: 3,
      }),
    );
    assert.deepEqual(instance, {
      containerInstanceArn: 'i',
      agentConnectedAt: T1,
      agentDisconnectedAt: T2,
      version: 3,
    });
  });

  it("reads a service's controller state, and gives one that has none an empty state", () => {
    const state = { ...EMPTY_SERVICE_STATE, handledStopped: ['t1'], createHash: 'abc' };
    const kept = decodeService(encodeDoc({ serviceArn: 's', status: 'ACTIVE', berth: state }));
    assert.deepEqual(kept, { serviceArn: 's', status: 'ACTIVE', controller: state });
    const bare = decodeService(encodeDoc({ serviceArn: 's', status: 'ACTIVE' }));
    assert.deepEqual(bare.controller, EMPTY_SERVICE_STATE);
  });

  it("reads today's documents unchanged", () => {
    const doc = {
      taskArn: 't',
      ackedDesiredStatus: 'STOPPED',
      containers: [{ name: 'web', restartCount: 1 }],
    };
    assert.deepEqual(decodeTask(encodeDoc(doc)), doc);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskRecord } from '../../../domain/task-record.js';
import { mustStop } from './stop-verification.js';
import { manifestEntry } from './task-manifest.js';

const HERE = 'arn:aws:ecs:us-east-1:123456789012:container-instance/edge/here';
const THERE = 'arn:aws:ecs:us-east-1:123456789012:container-instance/edge/there';

function task(extra: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/edge/t1',
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge',
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
    containerInstanceArn: HERE,
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
    createdAt: new Date('2026-11-21T10:00:00.000Z'),
    version: 1,
    containers: [],
    ...extra,
  };
}

describe('stop verification', () => {
  it('keeps only a candidate the control plane wants RUNNING on that very instance', () => {
    assert.equal(mustStop(task(), HERE), false);
    assert.equal(mustStop(task({ lastStatus: 'PENDING' }), HERE), false);
  });

  it('stops one without a record, one stopped or to stop, and one of another instance', () => {
    assert.equal(mustStop(undefined, HERE), true);
    assert.equal(mustStop(task({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }), HERE), true);
    assert.equal(mustStop(task({ desiredStatus: 'STOPPED' }), HERE), true);
    assert.equal(mustStop(task({ lastStatus: 'STOPPED' }), HERE), true);
    assert.equal(mustStop(task({ containerInstanceArn: THERE }), HERE), true);
  });
});

describe('task manifest entries', () => {
  it('lists a task whose payload the agent acknowledged, with the desired status of the record', () => {
    const acked = task({ desiredStatus: 'STOPPED', ackedDesiredStatus: 'RUNNING' });
    assert.deepEqual(manifestEntry(acked), {
      taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/edge/t1',
      taskClusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge',
      desiredStatus: 'STOPPED',
    });
  });

  it('leaves out a task not yet acknowledged, and one that has stopped', () => {
    assert.equal(manifestEntry(task()), undefined);
    assert.equal(manifestEntry(task({ lastStatus: 'STOPPED', ackedDesiredStatus: 'STOPPED' })), undefined);
  });
});

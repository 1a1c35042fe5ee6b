import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KnownStatus } from '../../domain/status.js';
import type { TaskIdentifier } from '../../acs/payload.js';
import type { TaskState } from './contracts.js';
import { planManifest, type HostView } from './manifest.js';
import { acsTask } from '../testing/fake-task-engine.js';

const CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/edge';

function id(name: string, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): TaskIdentifier {
  return { taskArn: acsTask(name).arn, taskClusterArn: CLUSTER, desiredStatus };
}

function local(
  name: string,
  knownStatus: KnownStatus,
  desired: 'RUNNING' | 'STOPPED' = 'RUNNING',
): TaskState {
  return { task: acsTask(name, desired), knownStatus, containers: [] };
}

function host(states: TaskState[], extra: Partial<HostView> = {}): HostView {
  return {
    tasks: new Map(states.map((s) => [s.task.arn, s])),
    finished: () => false,
    reportQueued: () => false,
    ...extra,
  };
}

const names = (arns: readonly string[]) => arns.map((a) => a.split('/').pop());

describe('planManifest', () => {
  it('changes nothing when the host and the manifest agree', () => {
    const plan = planManifest(
      [id('a'), id('b', 'STOPPED')],
      host([local('a', 'RUNNING'), local('b', 'STOPPED', 'STOPPED')]),
    );
    assert.deepEqual(plan, { stop: [], missing: [], stopCandidates: [] });
  });

  it('stops what is listed STOPPED but still wanted running here, and nothing already stopping', () => {
    const plan = planManifest(
      [id('a', 'STOPPED'), id('b', 'STOPPED'), id('c', 'STOPPED'), id('gone', 'STOPPED')],
      host([local('a', 'RUNNING'), local('b', 'RUNNING', 'STOPPED'), local('c', 'NONE')]),
    );
    assert.deepEqual(names(plan.stop), ['a', 'c']);
    assert.deepEqual(plan.missing, []);
  });

  it('finds listed RUNNING tasks the host does not have, and says why', () => {
    const plan = planManifest(
      [id('lost'), id('cleaned'), id('queued'), id('here')],
      host([local('here', 'RUNNING')], {
        finished: (arn) => arn.endsWith('/cleaned'),
        reportQueued: (arn) => arn.endsWith('/queued'),
      }),
    );
    assert.deepEqual(
      plan.missing.map((m) => [m.task.taskArn.split('/').pop(), m.kind]),
      [
        ['lost', 'no-record'],
        ['cleaned', 'finished'],
      ],
    );
  });

  it('asks about tasks running here that are not listed, never about stopped or stopping ones', () => {
    const plan = planManifest(
      [id('listed')],
      host([
        local('listed', 'RUNNING'),
        local('orphan', 'RUNNING'),
        local('starting', 'PULLED'),
        local('done', 'STOPPED'),
        local('stopping', 'RUNNING', 'STOPPED'),
      ]),
    );
    assert.deepEqual(
      plan.stopCandidates.map((c) => [c.taskArn.split('/').pop(), c.taskClusterArn, c.desiredStatus]),
      [
        ['orphan', CLUSTER, 'RUNNING'],
        ['starting', CLUSTER, 'RUNNING'],
      ],
    );
    assert.deepEqual(plan.stop, []);
  });

  it('never plans a start: an empty manifest only produces questions', () => {
    const plan = planManifest([], host([local('a', 'RUNNING')]));
    assert.deepEqual(plan.stop, []);
    assert.deepEqual(plan.missing, []);
    assert.deepEqual(names(plan.stopCandidates.map((c) => c.taskArn)), ['a']);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AcsContainer, AcsTask } from '../../acs/payload.js';
import type { TaskState } from '../tasks/contracts.js';
import { applyFacts, applyResult } from './action-results.js';
import type { ContainerFacts } from './docker/docker-client.js';

const def: AcsContainer = {
  name: 'app',
  image: 'img',
  essential: true,
  portMappings: [{ containerPort: 8080 }],
  restartPolicy: { enabled: true, restartAttemptPeriod: 10 },
};
const task: AcsTask = {
  arn: 'arn:aws:ecs:us-east-1:123456789012:task/edge/t',
  taskClusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge',
  family: 'f',
  version: '1',
  desiredStatus: 'RUNNING',
  containers: [def],
};
const at = (knownStatus: TaskState['knownStatus'], extra = {}): TaskState => ({
  task,
  knownStatus,
  containers: [{ name: 'app', knownStatus, runtimeId: 'c1', ...extra }],
});
const facts = (over: Partial<ContainerFacts>): ContainerFacts => ({
  id: 'c1',
  name: 'ecs-f-1-app-x',
  image: 'img',
  imageId: 'sha256:1',
  status: 'running',
  running: true,
  exitCode: 0,
  startedAt: 1_000,
  finishedAt: undefined,
  health: undefined,
  oomKilled: false,
  error: undefined,
  labels: {},
  portBindings: [{ bindIP: '0.0.0.0', containerPort: 8080, hostPort: 32768, protocol: 'tcp' }],
  networkMode: 'bridge',
  ...over,
});

void describe('what Docker says, applied', () => {
  void it('a running container: RUNNING with its bindings and health, name and start time learnt', () => {
    const out = applyFacts(at('CREATED'), def, facts({ health: 'starting' }), 2_000);
    assert.deepEqual(out.state.containers[0], {
      name: 'app',
      knownStatus: 'RUNNING',
      runtimeId: 'c1',
      networkBindings: [{ bindIP: '0.0.0.0', containerPort: 8080, hostPort: 32768, protocol: 'tcp' }],
      healthStatus: 'UNKNOWN',
    });
    assert.equal(out.dockerName, 'ecs-f-1-app-x');
    assert.equal(out.startedAt, 1_000);
  });

  void it('host mode: the container ports are the host ports', () => {
    const out = applyFacts(at('CREATED'), def, facts({ networkMode: 'host', portBindings: [] }), 2_000);
    assert.deepEqual(out.state.containers[0]?.networkBindings, [
      { bindIP: '0.0.0.0', containerPort: 8080, hostPort: 8080, protocol: 'tcp' },
    ]);
  });

  void it('an exit within the restart attempt period stops the task; after it, the container is restarted', () => {
    const early = applyFacts(
      at('RUNNING'),
      def,
      facts({ status: 'exited', running: false, exitCode: 3 }),
      5_000,
    );
    assert.equal(early.restart, undefined);
    assert.equal(early.state.containers[0]?.exitCode, 3);
    assert.equal(early.state.stopCode, 'EssentialContainerExited');
    assert.equal(early.note?.msg, 'container not restarted');
    const late = applyFacts(
      at('RUNNING'),
      def,
      facts({ status: 'exited', running: false, exitCode: 3 }),
      11_000,
    );
    assert.equal(late.restart, 'c1');
    assert.equal(late.state.containers[0]?.knownStatus, 'RUNNING');
  });

  void it('an OOM kill says so', () => {
    const out = applyFacts(
      at('RUNNING'),
      { ...def, restartPolicy: undefined },
      facts({ status: 'exited', running: false, exitCode: 137, oomKilled: true }),
      0,
    );
    assert.equal(out.state.containers[0]?.reason, 'OutOfMemoryError: Container killed due to memory usage');
  });

  void it('a container that is gone is STOPPED with a reason', () => {
    const out = applyFacts(at('RUNNING'), def, undefined, 0);
    assert.match(out.state.containers[0]?.reason ?? '', /container c1 no longer exists on the host/);
    assert.equal(out.state.task.desiredStatus, 'STOPPED');
  });

  void it('a restart that succeeded counts it', () => {
    const out = applyResult(
      at('RUNNING', { restartCount: 1 }),
      def,
      { kind: 'started', facts: facts({}) },
      { restart: true, now: 0 },
    );
    assert.equal(out.state.containers[0]?.restartCount, 2);
  });

  void it('a failed pull stops the container with the reason and keeps the pull window', () => {
    const out = applyResult(
      at('NONE', { runtimeId: undefined }),
      def,
      {
        kind: 'failed',
        step: 'pull',
        reason: 'CannotPullContainerError: denied',
        pullStartedAt: 5,
        pullStoppedAt: 9,
      },
      { restart: false, now: 10 },
    );
    assert.equal(out.state.containers[0]?.reason, 'CannotPullContainerError: denied');
    assert.equal(out.state.pullStartedAt, 5);
    assert.equal(out.state.pullStoppedAt, 9);
    assert.equal(out.state.stopCode, 'TaskFailedToStart');
  });
});

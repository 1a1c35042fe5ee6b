/**
 * The engine's timers on a FakeClock over a FakeDockerClient: what the Docker tier checks against a real
 * dockerd in seconds of real time (test/docker/engine.test.ts), checked here for the engine's own part by
 * moving the clock: a stopped task is cleaned up after the cleanup wait and not before, and a HEALTHY
 * dependency that does not become healthy within its startTimeout fails the task.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { AcsContainer, AcsTask } from '../../acs/payload.js';
import type { TaskState, TaskStateChange } from '../tasks/contracts.js';
import { FakeDockerClient } from '../testing/fake-docker-client.js';
import { MemoryTaskStateStore } from '../testing/memory-task-state-store.js';
import { FakeClock } from '../../util/testing/fake-clock.js';
import { waitFor } from '../../util/testing/wait-for.js';
import type { EngineConfig } from './engine-config.js';
import { createTaskEngine } from './engine.js';

const CLEANUP_WAIT_MS = 3 * 60 * 60_000;

function task(containers: AcsContainer[]): AcsTask {
  return {
    arn: 'arn:aws:ecs:us-east-1:123456789012:task/edge/t1',
    taskClusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge',
    family: 'f',
    version: '1',
    desiredStatus: 'RUNNING',
    desiredStatusSeq: 1,
    containers,
  };
}

async function rig(config: Partial<EngineConfig> = {}) {
  const clock = new FakeClock();
  const docker = new FakeDockerClient({ now: () => clock.now(), images: ['img'] });
  const store = new MemoryTaskStateStore();
  const reports: TaskStateChange[] = [];
  const engine = createTaskEngine({
    docker,
    store,
    reporter: { report: (c) => reports.push(c) },
    config: {
      containerStopTimeoutMs: 1000,
      taskCleanupWaitMs: CLEANUP_WAIT_MS,
      imagePullBehavior: 'prefer-cached',
      imageCleanup: undefined,
      registryAuth: new Map(),
      ownerId: 'o',
      retryDelayMs: 1,
      ...config,
    },
    log: pino({ level: 'silent' }),
    clock,
  });
  await engine.start();
  const state = (arn: string): TaskState | undefined => engine.tasks().get(arn);
  const until = (arn: string, status: TaskState['knownStatus']) =>
    waitFor(`${arn} ${status}`, () => (state(arn)?.knownStatus === status ? state(arn) : undefined));
  return { clock, docker, store, reports, engine, state, until };
}

void describe('task engine timers on a fake clock', () => {
  void it("removes a stopped task's container after the cleanup wait, not before, then forgets it", async () => {
    const r = await rig();
    const t = task([{ name: 'app', image: 'img', essential: true }]);
    r.engine.accept(t);
    const running = await r.until(t.arn, 'RUNNING');
    const id = running.containers[0]?.runtimeId;
    assert.ok(id);
    r.engine.accept({ ...t, desiredStatus: 'STOPPED', desiredStatusSeq: 2 });
    await r.until(t.arn, 'STOPPED');

    await r.clock.advance(CLEANUP_WAIT_MS - 1_000);
    assert.ok(r.docker.container(id), 'the container is kept during the cleanup wait');
    assert.ok(r.engine.tasks().has(t.arn));
    assert.ok(r.clock.delays().includes(1_000), 'the cleanup is due in a second');
    await r.clock.advance(1_000);
    await waitFor('cleanup', () => r.store.removed.includes(t.arn) && !r.engine.tasks().has(t.arn));
    assert.equal(r.docker.container(id), undefined, 'the container is removed');
    assert.equal(r.store.get(t.arn), undefined);
    await r.engine.stop();
  });

  void it('a HEALTHY dependency that is not healthy within its startTimeout fails the task with a reason', async () => {
    const r = await rig();
    const healthcheck = JSON.stringify({
      Healthcheck: { Test: ['CMD-SHELL', 'exit 1'], Interval: 500_000_000 },
    });
    const t = task([
      {
        name: 'app',
        image: 'img',
        essential: true,
        dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }],
      },
      {
        name: 'db',
        image: 'img',
        essential: true,
        healthCheckType: 'docker',
        dockerConfig: { config: healthcheck },
        startTimeout: 120,
      },
    ]);
    r.engine.accept(t);
    await waitFor('db running, unhealthy so far', () => {
      const db = r.state(t.arn)?.containers.find((c) => c.name === 'db');
      return db?.knownStatus === 'RUNNING';
    });
    await r.clock.advance(119_000);
    assert.notEqual(r.state(t.arn)?.knownStatus, 'STOPPED', 'still waiting within the startTimeout');
    assert.ok(r.clock.delays().includes(1_000), 'the startTimeout is due in a second');
    assert.equal(r.docker.changes.filter((c) => c === 'start').length, 1, 'app waits for db');
    await r.clock.advance(1_000);
    const done = await r.until(t.arn, 'STOPPED');
    assert.equal(done.stopCode, 'TaskFailedToStart');
    assert.match(done.stoppedReason ?? '', /db did not reach HEALTHY within its startTimeout of 120s/);
    assert.equal(r.reports.at(-1)?.status, 'STOPPED');
    await r.engine.stop();
  });
});

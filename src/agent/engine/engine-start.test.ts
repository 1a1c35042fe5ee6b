import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { AcsTask } from '../../acs/payload.js';
import type { TaskState } from '../tasks/contracts.js';
import { FakeDockerClient } from '../testing/fake-docker-client.js';
import { MemoryTaskStateStore } from '../testing/memory-task-state-store.js';
import { FakeClock } from '../../util/testing/fake-clock.js';
import { waitFor } from '../../util/testing/wait-for.js';
import { createTaskEngine, RECONCILE_RETRY_MIN_MS } from './engine.js';

const task: AcsTask = {
  arn: 'arn:aws:ecs:us-east-1:123456789012:task/edge/t1',
  taskClusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge',
  family: 'f',
  version: '1',
  desiredStatus: 'RUNNING',
  containers: [{ name: 'app', image: 'img', essential: true }],
};
const running: TaskState = {
  task,
  knownStatus: 'RUNNING',
  containers: [{ name: 'app', knownStatus: 'RUNNING', runtimeId: 'c1' }],
};
const facts = {
  id: 'c1',
  name: 'ecs-f-1-app-x',
  image: 'img',
  imageId: 'sha256:1',
  status: 'running',
  running: true,
  exitCode: 0,
  startedAt: 1,
  finishedAt: undefined,
  health: undefined,
  oomKilled: false,
  error: undefined,
  labels: {},
  portBindings: [],
  networkMode: 'bridge',
};

void describe('task engine start-up', () => {
  void it('lists saved tasks at once, and resumes them only once Docker answers, without touching a running container', async () => {
    const clock = new FakeClock();
    const docker = new FakeDockerClient({ now: () => clock.now() });
    docker.addContainer(facts);
    docker.reachable = false;
    const calls = docker.calls;
    const store = new MemoryTaskStateStore({ initial: [running] });
    const reports: string[] = [];
    const engine = createTaskEngine({
      docker,
      store,
      reporter: { report: (c) => reports.push(c.status) },
      config: {
        containerStopTimeoutMs: 1000,
        taskCleanupWaitMs: 10_000,
        imagePullBehavior: 'default',
        imageCleanup: undefined,
        registryAuth: new Map(),
        ownerId: 'o',
      },
      log: pino({ level: 'silent' }),
      clock,
    });
    await engine.start();
    assert.equal(engine.tasks().get(task.arn)?.knownStatus, 'RUNNING', 'listed before Docker answers');
    assert.deepEqual(calls, ['list']);
    assert.equal(reports.length, 0);
    engine.accept({ ...task, desiredStatus: 'STOPPED', desiredStatusSeq: 2 });
    assert.ok(clock.delays().includes(RECONCILE_RETRY_MIN_MS), 'a retry is scheduled');
    docker.reachable = true;
    await clock.advance(RECONCILE_RETRY_MIN_MS);
    // Fails unless the resumed task looks at its container.
    await waitFor('the resumed task to look at its container', () => calls.includes('inspect'), 500);
    await engine.stop();
  });
});

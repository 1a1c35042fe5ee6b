import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { AcsTask } from '../../acs/payload.js';
import type { TaskState, TaskStateStore } from '../tasks/contracts.js';
import type { EngineClock } from './clock.js';
import type { ContainerFacts, ContainerSummary, DockerClient } from './docker/docker-client.js';
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
const facts: ContainerFacts = {
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
    let dockerUp = false;
    const calls: string[] = [];
    const docker = {
      listContainers: () => {
        calls.push('list');
        return dockerUp
          ? Promise.resolve([] as ContainerSummary[])
          : Promise.reject(new Error('connect ENOENT'));
      },
      inspectContainer: () => {
        calls.push('inspect');
        return Promise.resolve(facts);
      },
      subscribeEvents: () => ({ close: () => undefined }),
    } as Partial<DockerClient> as DockerClient;
    const store: TaskStateStore = {
      loadAll: () => Promise.resolve([running]),
      save: () => Promise.resolve(),
      remove: () => Promise.resolve(),
    };
    const timers: { ms: number; fn: () => void }[] = [];
    const clock: EngineClock = {
      now: () => 1000,
      after: (ms, fn) => {
        timers.push({ ms, fn });
        return () => undefined;
      },
    };
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
    const retry = timers.find((t) => t.ms === RECONCILE_RETRY_MIN_MS);
    assert.ok(retry, 'a retry is scheduled');
    dockerUp = true;
    retry.fn();
    for (let i = 0; i < 50 && !calls.includes('inspect'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(calls.includes('inspect'), 'the resumed task looks at its container');
    await engine.stop();
  });
});

/**
 * The managed task's loop against a scripted Docker: the orders of events that a real dockerd produces
 * only by chance (a stop while a pull is in flight, an exit reported before the start call returns).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { AcsTask } from '../../acs/payload.js';
import type { StateChangeReporter, TaskStateChange } from '../tasks/contracts.js';
import { FakeDockerClient } from '../testing/fake-docker-client.js';
import { MemoryTaskStateStore } from '../testing/memory-task-state-store.js';
import { FakeClock } from '../../util/testing/fake-clock.js';
import { waitFor } from '../../util/testing/wait-for.js';
import { systemClock, type EngineClock } from './clock.js';
import { initialState } from './container-updates.js';
import { ImageTracker } from './image-tracker.js';
import { ManagedTask } from './managed-task.js';

const task: AcsTask = {
  arn: 'arn:aws:ecs:us-east-1:123456789012:task/edge/t1',
  taskClusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge',
  family: 'f',
  version: '1',
  desiredStatus: 'RUNNING',
  desiredStatusSeq: 1,
  containers: [{ name: 'app', image: 'img', essential: true }],
};

const HOST_FACTS = { logDrivers: ['json-file'], volumeDrivers: ['local'], networkDrivers: [], warnings: [] };

function run(docker: FakeDockerClient, t: AcsTask = task, clock: EngineClock = systemClock) {
  const store = new MemoryTaskStateStore();
  const saved = store.saves;
  const reported: TaskStateChange[] = [];
  /** The status last saved when each report was made. */
  const savedAtReport: (string | undefined)[] = [];
  const reporter: StateChangeReporter = {
    report: (c) => {
      reported.push(c);
      savedAtReport.push(saved.at(-1)?.knownStatus);
    },
  };
  const managed = new ManagedTask(
    initialState(t),
    {
      docker,
      store,
      reporter,
      config: {
        containerStopTimeoutMs: 1000,
        taskCleanupWaitMs: 3_600_000,
        imagePullBehavior: 'always',
        imageCleanup: undefined,
        registryAuth: new Map(),
        ownerId: 'o',
        retryDelayMs: 1,
      },
      clock,
      log: pino({ level: 'silent' }),
      images: new ImageTracker(),
      hostFacts: () => Promise.resolve(HOST_FACTS),
      onState: () => undefined,
      onEnd: () => undefined,
    },
    [],
    false,
  );
  return { managed, saved, reported, savedAtReport };
}

/** Long enough for the loop to act on what it was just given, if it were going to: for "nothing happens". */
const tick = () => new Promise((r) => setTimeout(r, 20));
const until = (what: string, probe: () => boolean) => waitFor(what, probe, 4_000);

void describe('managed task loop', () => {
  void it('a stop while the image is still pulling stops the task at once; the pull result is then ignored', async () => {
    const docker = new FakeDockerClient();
    const pulled = docker.hold('pull');
    const { managed, reported } = run(docker);
    await until('pull started', () => docker.calls.includes('pull'));
    managed.post({ kind: 'desired', task: { ...task, desiredStatus: 'STOPPED', desiredStatusSeq: 2 } });
    await until('stopped', () => managed.state.knownStatus === 'STOPPED');
    pulled();
    await tick();
    assert.deepEqual(docker.changes, ['pull'], 'nothing is created for a stopped task');
    assert.equal(reported.at(-1)?.status, 'STOPPED');
    await managed.shutdown();
  });

  void it('a stop while the container is being created waits for the create, records the id, never starts it', async () => {
    const docker = new FakeDockerClient();
    const created = docker.hold('create');
    const { managed } = run(docker);
    await until('create started', () => docker.calls.includes('create'));
    managed.post({ kind: 'desired', task: { ...task, desiredStatus: 'STOPPED', desiredStatusSeq: 2 } });
    await until('stopped', () => managed.state.knownStatus === 'STOPPED');
    created();
    await until('id recorded', () => managed.state.containers[0]?.runtimeId === 'c1');
    assert.ok(!docker.calls.includes('start'));
    await managed.shutdown();
  });

  void it('an exit reported while the start call is still out is not lost', async () => {
    const docker = new FakeDockerClient();
    const startAnswered = docker.hold('start');
    const { managed, reported } = run(docker);
    await until('start called', () => docker.calls.includes('start'));
    // The container ran and died before dockerd answered the start call.
    docker.exit('c1', 9);
    managed.post({ kind: 'docker', runtimeId: 'c1', action: 'die' });
    await tick();
    startAnswered();
    await until('stopped', () => managed.state.knownStatus === 'STOPPED');
    assert.equal(managed.state.containers[0]?.exitCode, 9);
    assert.equal(managed.state.stopCode, 'EssentialContainerExited');
    assert.equal(reported.at(-1)?.status, 'STOPPED');
    await managed.shutdown();
  });

  void it('saves every state before reporting it, and drops a stale desired status', async () => {
    const docker = new FakeDockerClient();
    const { managed, saved, reported, savedAtReport } = run(docker);
    await until('running', () => managed.state.knownStatus === 'RUNNING');
    managed.post({ kind: 'desired', task: { ...task, desiredStatus: 'STOPPED', desiredStatusSeq: 0 } });
    await tick();
    assert.equal(managed.state.task.desiredStatus, 'RUNNING');
    const backend = (s: string | undefined) => (s === 'RUNNING' || s === 'STOPPED' ? s : 'PENDING');
    assert.deepEqual(
      reported.map((r) => r.status),
      savedAtReport.map(backend),
    );
    assert.equal(saved.at(-1), managed.state);
    await managed.shutdown();
  });

  void it('a restart policy restarts an exit in place once the container ran its attempt period, and not before', async () => {
    const clock = new FakeClock();
    const docker = new FakeDockerClient({ now: () => clock.now() });
    const restarting: AcsTask = {
      ...task,
      containers: [
        {
          name: 'app',
          image: 'img',
          essential: true,
          restartPolicy: { enabled: true, restartAttemptPeriod: 60 },
        },
      ],
    };
    const { managed, reported } = run(docker, restarting, clock);
    await until('running', () => managed.state.knownStatus === 'RUNNING');
    await clock.advance(60_000);
    docker.exit('c1', 3);
    managed.post({ kind: 'docker', runtimeId: 'c1', action: 'die' });
    await until('restarted', () => reported.at(-1)?.containers[0]?.restartCount === 1);
    assert.equal(managed.state.knownStatus, 'RUNNING');
    assert.equal(managed.state.containers[0]?.runtimeId, 'c1', 'restarted in place, not recreated');
    assert.deepEqual(docker.changes, ['pull', 'create', 'start', 'start']);

    // A second exit a second short of the period is not restarted: the essential container stops the task.
    await clock.advance(59_000);
    docker.exit('c1', 3);
    managed.post({ kind: 'docker', runtimeId: 'c1', action: 'die' });
    await until('stopped', () => managed.state.knownStatus === 'STOPPED');
    assert.equal(managed.state.stopCode, 'EssentialContainerExited');
    assert.equal(managed.state.containers[0]?.exitCode, 3);
    assert.equal(managed.state.containers[0]?.restartCount, 1);
    assert.deepEqual(docker.changes, ['pull', 'create', 'start', 'start']);
    await managed.shutdown();
  });
});

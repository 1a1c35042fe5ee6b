/**
 * The managed task's loop against a scripted Docker: the orders of events that a real dockerd produces
 * only by chance (a stop while a pull is in flight, an exit reported before the start call returns).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { AcsTask } from '../../acs/payload.js';
import type { StateChangeReporter, TaskState, TaskStateChange, TaskStateStore } from '../tasks/contracts.js';
import { systemClock } from './clock.js';
import { initialState } from './container-updates.js';
import type { ContainerFacts, DockerClient } from './docker/docker-client.js';
import { ImageTracker } from './image-tracker.js';
import { ManagedTask } from './managed-task.js';

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A dockerd whose slow calls finish when the test says so. */
class ScriptedDocker {
  readonly calls: string[] = [];
  pull = deferred();
  create = deferred();
  start = deferred();
  facts: ContainerFacts | undefined;

  client(): DockerClient {
    const fail = () => Promise.reject(new Error('not scripted'));
    return {
      version: fail,
      hostFacts: () =>
        Promise.resolve({
          logDrivers: ['json-file'],
          volumeDrivers: ['local'],
          networkDrivers: [],
          warnings: [],
        }),
      pullImage: async () => {
        this.calls.push('pull');
        await this.pull.promise;
      },
      inspectImage: () => Promise.resolve(undefined),
      listImages: fail,
      removeImage: fail,
      createContainer: async () => {
        this.calls.push('create');
        await this.create.promise;
        this.facts ??= facts('created', false);
        return 'c1';
      },
      startContainer: async () => {
        this.calls.push('start');
        await this.start.promise;
      },
      stopContainer: () => {
        this.calls.push('stop');
        this.facts = facts('exited', false, 143);
        return Promise.resolve();
      },
      killContainer: fail,
      inspectContainer: () => Promise.resolve(this.facts),
      removeContainer: () => Promise.resolve(),
      listContainers: () => Promise.resolve([]),
      containerStats: fail,
      subscribeEvents: () => ({ close: () => undefined }),
      createVolume: fail,
      inspectVolume: fail,
      removeVolume: fail,
      inspectNetwork: fail,
    };
  }
}

function facts(status: string, running: boolean, exitCode = 0): ContainerFacts {
  return {
    id: 'c1',
    name: 'ecs-f-1-app-x',
    image: 'img',
    imageId: 'sha256:1',
    status,
    running,
    exitCode,
    startedAt: status === 'created' ? undefined : 1,
    finishedAt: running ? undefined : 2,
    health: undefined,
    oomKilled: false,
    error: undefined,
    labels: {},
    portBindings: [],
    networkMode: 'bridge',
  };
}

const task: AcsTask = {
  arn: 'arn:aws:ecs:us-east-1:123456789012:task/edge/t1',
  taskClusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge',
  family: 'f',
  version: '1',
  desiredStatus: 'RUNNING',
  desiredStatusSeq: 1,
  containers: [{ name: 'app', image: 'img', essential: true }],
};

function run(docker: ScriptedDocker) {
  const saved: TaskState[] = [];
  const reported: TaskStateChange[] = [];
  /** The status last saved when each report was made. */
  const savedAtReport: (string | undefined)[] = [];
  const store: TaskStateStore = {
    loadAll: () => Promise.resolve([]),
    save: (s) => {
      saved.push(s);
      return Promise.resolve();
    },
    remove: () => Promise.resolve(),
  };
  const reporter: StateChangeReporter = {
    report: (c) => {
      reported.push(c);
      savedAtReport.push(saved.at(-1)?.knownStatus);
    },
  };
  const managed = new ManagedTask(
    initialState(task),
    {
      docker: docker.client(),
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
      clock: systemClock,
      log: pino({ level: 'silent' }),
      images: new ImageTracker(),
      hostFacts: () => docker.client().hostFacts(),
      onState: () => undefined,
      onEnd: () => undefined,
    },
    [],
    false,
  );
  return { managed, saved, reported, savedAtReport };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

async function until(what: string, probe: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (probe()) return;
    await tick();
  }
  throw new Error(`timed out waiting for ${what}`);
}

void describe('managed task loop', () => {
  void it('a stop while the image is still pulling stops the task at once; the pull result is then ignored', async () => {
    const docker = new ScriptedDocker();
    const { managed, reported } = run(docker);
    await until('pull started', () => docker.calls.includes('pull'));
    managed.post({ kind: 'desired', task: { ...task, desiredStatus: 'STOPPED', desiredStatusSeq: 2 } });
    await until('stopped', () => managed.state.knownStatus === 'STOPPED');
    docker.pull.resolve();
    await tick();
    assert.deepEqual(docker.calls, ['pull'], 'nothing is created for a stopped task');
    assert.equal(reported.at(-1)?.status, 'STOPPED');
    await managed.shutdown();
  });

  void it('a stop while the container is being created waits for the create, records the id, never starts it', async () => {
    const docker = new ScriptedDocker();
    docker.pull.resolve();
    const { managed } = run(docker);
    await until('create started', () => docker.calls.includes('create'));
    managed.post({ kind: 'desired', task: { ...task, desiredStatus: 'STOPPED', desiredStatusSeq: 2 } });
    await until('stopped', () => managed.state.knownStatus === 'STOPPED');
    docker.create.resolve();
    await until('id recorded', () => managed.state.containers[0]?.runtimeId === 'c1');
    assert.ok(!docker.calls.includes('start'));
    await managed.shutdown();
  });

  void it('an exit reported while the start call is still out is not lost', async () => {
    const docker = new ScriptedDocker();
    docker.pull.resolve();
    docker.create.resolve();
    const { managed, reported } = run(docker);
    await until('start called', () => docker.calls.includes('start'));
    // The container ran and died before dockerd answered the start call.
    docker.facts = facts('exited', false, 9);
    managed.post({ kind: 'docker', runtimeId: 'c1', action: 'die' });
    await tick();
    docker.start.resolve();
    await until('stopped', () => managed.state.knownStatus === 'STOPPED');
    assert.equal(managed.state.containers[0]?.exitCode, 9);
    assert.equal(managed.state.stopCode, 'EssentialContainerExited');
    assert.equal(reported.at(-1)?.status, 'STOPPED');
    await managed.shutdown();
  });

  void it('saves every state before reporting it, and drops a stale desired status', async () => {
    const docker = new ScriptedDocker();
    docker.pull.resolve();
    docker.create.resolve();
    docker.start.resolve();
    docker.facts = facts('running', true);
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
});

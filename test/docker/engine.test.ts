/**
 * The agent's task engine against the real Docker engine and the local registry: tasks are handed to the
 * engine as the delivery side would (`accept`), state goes to an in-memory TaskStateStore that keeps
 * copies (as a disk would), and a recording reporter captures what the control plane would hear. What is
 * asserted is what a user could check: docker inspect, HTTP answers on published ports, exit codes, the
 * reported statuses and reasons.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Dockerode from 'dockerode';
import { pino } from 'pino';
import { linuxHostConfig } from '../../src/acs/linux-host-config.js';
import type { AcsContainer, AcsTask } from '../../src/acs/payload.js';
import type {
  ContainerState,
  StateChangeReporter,
  TaskState,
  TaskStateChange,
} from '../../src/agent/tasks/contracts.js';
import { createDockerodeClient } from '../../src/agent/engine/docker/dockerode-client.js';
import { createTaskEngine, type RunningTaskEngine } from '../../src/agent/engine/engine.js';
import type { EngineConfig } from '../../src/agent/engine/engine-config.js';
import { OWNER_LABEL, TASK_ARN_LABEL } from '../../src/agent/engine/labels.js';
import { dockerTaskEngine, stopTaskEngine } from '../../src/agent/engine/agent-engine.js';
import { startTaskRuntime } from '../../src/agent/tasks/task-runtime.js';
import { busyboxImage } from '../rigs/images.js';
import { freePort } from '../rigs/harness.js';
import { MemoryTaskStateStore } from '../../src/agent/testing/memory-task-state-store.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const RUN = randomBytes(4).toString('hex');
const BUSYBOX = busyboxImage({ repository: 'berth-engine-test/busybox' });
const IMAGE = BUSYBOX.ref;
/** Only on this host, never pushed: for the pull behaviours. */
const LOCAL_ONLY_IMAGE = `berth-engine-test/local-only:${RUN}`;
const OWNER = `engine-test-${RUN}`;
const CLUSTER_ARN = 'arn:aws:ecs:us-east-1:123456789012:cluster/engine-test';
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
/** How long a task on Docker may take to get where a test waits for it. */
const WAIT_MS = 30_000;
const log = pino({ level: process.env.BERTH_TEST_LOG ?? 'silent' });

// ---- fixtures -------------------------------------------------------------------------------------------

interface Recorded {
  readonly change: TaskStateChange;
  /** The saved status when the report was made: it must already be on "disk". */
  readonly savedStatus: string | undefined;
}

class RecordingReporter implements StateChangeReporter {
  readonly changes: Recorded[] = [];
  constructor(private readonly store: MemoryTaskStateStore) {}
  report(change: TaskStateChange): void {
    this.changes.push({ change, savedStatus: this.store.get(change.taskArn)?.knownStatus });
  }
  of(arn: string): TaskStateChange[] {
    return this.changes.filter((r) => r.change.taskArn === arn).map((r) => r.change);
  }
  last(arn: string): TaskStateChange | undefined {
    return this.of(arn).at(-1);
  }
}

let taskCounter = 0;
function task(containers: AcsContainer[], extra: Partial<AcsTask> = {}): AcsTask {
  taskCounter++;
  return {
    arn: `arn:aws:ecs:us-east-1:123456789012:task/engine-test/${RUN}${String(taskCounter).padStart(4, '0')}`,
    taskClusterArn: CLUSTER_ARN,
    family: `engine-test-${RUN}`,
    version: String(taskCounter),
    desiredStatus: 'RUNNING',
    desiredStatusSeq: 1,
    containers,
    ...extra,
  };
}

function container(name: string, command: string, extra: Partial<AcsContainer> = {}): AcsContainer {
  return { name, image: IMAGE, essential: true, memory: 32, command: ['sh', '-c', command], ...extra };
}

function stopped(t: AcsTask, reason = 'stopped by test'): AcsTask {
  return { ...t, desiredStatus: 'STOPPED', desiredStatusSeq: 2, stoppedReason: reason };
}

const baseConfig: EngineConfig = {
  containerStopTimeoutMs: 2_000,
  taskCleanupWaitMs: 3_600_000,
  imagePullBehavior: 'default',
  imageCleanup: undefined,
  registryAuth: new Map(),
  ownerId: OWNER,
  retryDelayMs: 100,
};

interface Rig {
  readonly engine: RunningTaskEngine;
  readonly store: MemoryTaskStateStore;
  readonly reporter: RecordingReporter;
}

async function rig(config: Partial<EngineConfig> = {}, store = new MemoryTaskStateStore()): Promise<Rig> {
  const reporter = new RecordingReporter(store);
  const engine = createTaskEngine({
    docker: createDockerodeClient(),
    store,
    reporter,
    config: { ...baseConfig, ...config },
    log,
  });
  await engine.start();
  return { engine, store, reporter };
}

function stateOf(r: Rig, arn: string): TaskState | undefined {
  return r.engine.tasks().get(arn);
}

async function until(r: Rig, arn: string, status: TaskState['knownStatus'], ms = 30_000): Promise<TaskState> {
  try {
    return await waitFor(
      `${arn} ${status}`,
      () => {
        const s = stateOf(r, arn);
        return s?.knownStatus === status && r.reporter.last(arn)?.status === backend(status) ? s : undefined;
      },
      ms,
    );
  } catch (e) {
    const { task: _task, ...rest } = stateOf(r, arn) ?? ({} as Partial<TaskState>);
    throw new Error(`${(e as Error).message}; state: ${JSON.stringify(rest)}`);
  }
}

function backend(status: TaskState['knownStatus']): string {
  return status === 'RUNNING' || status === 'STOPPED' ? status : 'PENDING';
}

function containerState(s: TaskState, name: string): ContainerState {
  const c = s.containers.find((x) => x.name === name);
  assert.ok(c, `no container ${name}`);
  return c;
}

async function inspect(id: string | undefined): Promise<Dockerode.ContainerInspectInfo> {
  assert.ok(id, 'container has no runtime id');
  return docker.getContainer(id).inspect();
}

/**
 * Docker reports a container running before its process listens (docker-proxy accepts and closes the
 * connection meanwhile), so the first second of refusals is not a failure.
 */
async function httpGet(port: number): Promise<string> {
  return waitFor(
    `an answer on port ${port}`,
    async () => (await (await fetch(`http://127.0.0.1:${port}/`)).text()).trim(),
    5_000,
    { intervalMs: 100 },
  );
}

/** The shared busybox test image, pushed to the local registry; plus a tag of it that only this host has. */
function buildImages(): void {
  BUSYBOX.build();
  execFileSync('docker', ['tag', IMAGE, LOCAL_ONLY_IMAGE]);
}

const rigs: Rig[] = [];
async function newRig(config: Partial<EngineConfig> = {}, store?: MemoryTaskStateStore): Promise<Rig> {
  const r = await rig(config, store);
  rigs.push(r);
  return r;
}

before(() => buildImages());

after(async () => {
  for (const r of rigs) await r.engine.stop();
  const mine = await docker.listContainers({ all: true, filters: { label: [`${OWNER_LABEL}=${OWNER}`] } });
  for (const c of mine) await docker.getContainer(c.Id).remove({ force: true, v: true });
  const volumes = await docker.listVolumes({ filters: { label: [`${OWNER_LABEL}=${OWNER}`] } });
  for (const v of volumes.Volumes ?? [])
    await docker
      .getVolume(v.Name)
      .remove()
      .catch(() => undefined);
  await docker
    .getVolume(`berth-shared-${RUN}`)
    .remove()
    .catch(() => undefined);
  await docker
    .getImage(LOCAL_ONLY_IMAGE)
    .remove()
    .catch(() => undefined);
});

describe('task engine on Docker', { concurrency: true }, () => {
  let r: Rig;
  before(async () => {
    r = await newRig();
  });

  it('runs a bridge-mode httpd task: static host port answers, dynamic port is reported, stop reports STOPPED', async () => {
    const port = await freePort();
    const t = task([
      container(
        'web',
        'echo hello-berth > /www/index.html && httpd -p 8081 -h /www && exec httpd -f -p 80 -h /www',
        { portMappings: [{ containerPort: 80, hostPort: port }, { containerPort: 8081 }] },
      ),
    ]);
    r.engine.accept(t);
    const running = await until(r, t.arn, 'RUNNING');
    const web = containerState(running, 'web');
    assert.equal(await httpGet(port), 'hello-berth');
    const dynamic = web.networkBindings?.find((b) => b.containerPort === 8081 && b.bindIP === '0.0.0.0');
    assert.ok(dynamic !== undefined && dynamic.hostPort > 0, JSON.stringify(web.networkBindings));
    assert.equal(await httpGet(dynamic.hostPort), 'hello-berth');
    assert.ok(
      web.networkBindings?.some((b) => b.containerPort === 80 && b.hostPort === port && b.protocol === 'tcp'),
    );
    assert.ok(
      running.pullStartedAt !== undefined &&
        running.pullStoppedAt !== undefined &&
        running.startedAt !== undefined,
    );
    assert.ok(running.pullStartedAt <= running.pullStoppedAt && running.pullStoppedAt <= running.startedAt);
    assert.match(web.imageDigest ?? '', /^sha256:[0-9a-f]{64}$/);

    r.engine.accept(stopped(t, 'Task stopped by the test'));
    const done = await until(r, t.arn, 'STOPPED');
    assert.equal(containerState(done, 'web').exitCode !== undefined, true);
    assert.equal(done.stoppedReason, 'Task stopped by the test');
    assert.ok(done.executionStoppedAt !== undefined);
    const statuses = r.reporter.of(t.arn).map((c) => c.status);
    assert.deepEqual([...new Set(statuses)], ['PENDING', 'RUNNING', 'STOPPED']);
    // Persist before report: every report's status was already saved when it was made.
    for (const rec of r.reporter.changes.filter((c) => c.change.taskArn === t.arn)) {
      assert.equal(backend(rec.savedStatus as TaskState['knownStatus']), rec.change.status);
    }
    const final = r.reporter.last(t.arn);
    assert.equal(final?.reason, 'Task stopped by the test');
    assert.equal(final?.stopCode, undefined);
  });

  it('starts containers in dependency order (START, COMPLETE, SUCCESS, HEALTHY) and stops them in reverse', async () => {
    const healthcheck = JSON.stringify({
      Healthcheck: {
        Test: ['CMD-SHELL', 'test -f /tmp/ready'],
        Interval: 300_000_000,
        Timeout: 1_000_000_000,
        Retries: 3,
      },
    });
    const t = task([
      container('app', 'exec sleep 600', {
        dependsOn: [
          { containerName: 'init', condition: 'SUCCESS' },
          { containerName: 'setup', condition: 'COMPLETE' },
          { containerName: 'db', condition: 'HEALTHY' },
          { containerName: 'sidecar', condition: 'START' },
        ],
      }),
      container('init', 'sleep 1; exit 0', { essential: false }),
      container('setup', 'sleep 1; exit 3', { essential: false }),
      container('db', 'sleep 1.5; touch /tmp/ready; exec sleep 600', {
        healthCheckType: 'docker',
        dockerConfig: { config: healthcheck },
      }),
      container('sidecar', 'exec sleep 600'),
    ]);
    r.engine.accept(t);
    const running = await until(r, t.arn, 'RUNNING');
    const [app, init, setup, db, sidecar] = await Promise.all(
      ['app', 'init', 'setup', 'db', 'sidecar'].map((n) => inspect(containerState(running, n).runtimeId)),
    );
    const started = (i: Dockerode.ContainerInspectInfo) => Date.parse(i.State.StartedAt);
    const finished = (i: Dockerode.ContainerInspectInfo) => Date.parse(i.State.FinishedAt);
    assert.ok(started(app!) >= finished(init!), 'app started before init succeeded');
    assert.ok(started(app!) >= finished(setup!), 'app started before setup completed');
    assert.ok(started(app!) >= started(db!) + 1500, 'app started before db could be healthy');
    assert.ok(started(app!) >= started(sidecar!), 'app started before sidecar');
    assert.equal(db!.State.Health?.Status, 'healthy');
    assert.equal(containerState(running, 'db').healthStatus, 'HEALTHY');
    assert.equal(containerState(running, 'setup').exitCode, 3);
    assert.equal(containerState(running, 'init').exitCode, 0);

    r.engine.accept(stopped(t));
    const done = await until(r, t.arn, 'STOPPED');
    const [app2, db2, sidecar2] = await Promise.all(
      ['app', 'db', 'sidecar'].map((n) => inspect(containerState(done, n).runtimeId)),
    );
    assert.ok(finished(app2!) <= finished(db2!), 'db stopped before app, which depends on it');
    assert.ok(finished(app2!) <= finished(sidecar2!), 'sidecar stopped before app, which depends on it');
  });

  it('a failed SUCCESS dependency stops the task before its dependent ever starts', async () => {
    const t = task([
      container('app', 'exec sleep 600', { dependsOn: [{ containerName: 'migrate', condition: 'SUCCESS' }] }),
      container('migrate', 'exit 4', { essential: false }),
    ]);
    r.engine.accept(t);
    const done = await until(r, t.arn, 'STOPPED');
    assert.equal(done.stopCode, 'TaskFailedToStart');
    assert.match(done.stoppedReason ?? '', /migrate exited with code 4/);
    assert.equal(containerState(done, 'app').exitCode, undefined);
    assert.equal(containerState(done, 'migrate').exitCode, 4);
  });

  it('a HEALTHY dependency that is not healthy within its startTimeout fails the task with a reason', async () => {
    const healthcheck = JSON.stringify({
      Healthcheck: {
        Test: ['CMD-SHELL', 'exit 1'],
        Interval: 500_000_000,
        Timeout: 1_000_000_000,
        Retries: 10,
      },
    });
    const t = task([
      container('app', 'exec sleep 600', { dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] }),
      container('db', 'exec sleep 600', {
        healthCheckType: 'docker',
        dockerConfig: { config: healthcheck },
        startTimeout: 2,
      }),
    ]);
    r.engine.accept(t);
    const done = await until(r, t.arn, 'STOPPED');
    assert.equal(done.stopCode, 'TaskFailedToStart');
    assert.match(done.stoppedReason ?? '', /db did not reach HEALTHY within its startTimeout of 2s/);
  });

  it('a non-essential exit leaves the task running; an essential exit stops it with EssentialContainerExited', async () => {
    const t = task([
      container('main', 'sleep 3; exit 7'),
      container('helper', 'exit 2', { essential: false }),
      container('other', 'exec sleep 600'),
    ]);
    r.engine.accept(t);
    const running = await until(r, t.arn, 'RUNNING');
    await waitFor('helper exit', () => containerState(stateOf(r, t.arn)!, 'helper').exitCode === 2, WAIT_MS);
    assert.equal(stateOf(r, t.arn)?.knownStatus, 'RUNNING');
    assert.ok(running.startedAt !== undefined);
    const done = await until(r, t.arn, 'STOPPED');
    assert.equal(done.stopCode, 'EssentialContainerExited');
    assert.equal(done.stoppedReason, 'Essential container in task exited');
    assert.equal(containerState(done, 'main').exitCode, 7);
    assert.equal(containerState(done, 'helper').exitCode, 2);
    assert.ok([137, 143].includes(containerState(done, 'other').exitCode ?? -1));
    const report = r.reporter.last(t.arn);
    assert.equal(report?.stopCode, 'EssentialContainerExited');
    assert.equal(report?.containers.find((c) => c.name === 'main')?.exitCode, 7);
  });

  it('stop honours stopTimeout: a container that ignores SIGTERM is killed after it', async () => {
    const t = task([
      container('stubborn', 'trap "" TERM; while true; do sleep 0.2; done', { stopTimeout: 2 }),
      container('polite', 'trap "exit 0" TERM; while true; do sleep 0.2; done'),
    ]);
    r.engine.accept(t);
    await until(r, t.arn, 'RUNNING');
    const began = Date.now();
    r.engine.accept(stopped(t));
    const done = await until(r, t.arn, 'STOPPED');
    const took = Date.now() - began;
    assert.ok(took >= 2000 && took < 12_000, `stop took ${took} ms`);
    assert.equal(containerState(done, 'stubborn').exitCode, 137);
    assert.equal(containerState(done, 'polite').exitCode, 0);
  });

  it('an image that cannot be pulled stops the task with CannotPullContainerError and TaskFailedToStart', async () => {
    const t = task([
      container('app', 'true', { image: `127.0.0.1:5000/berth-engine-test/missing-${RUN}:1` }),
    ]);
    r.engine.accept(t);
    const done = await until(r, t.arn, 'STOPPED');
    assert.equal(done.stopCode, 'TaskFailedToStart');
    const app = containerState(done, 'app');
    assert.match(app.reason ?? '', /^CannotPullContainerError: .*missing-/);
    assert.equal(done.stoppedReason, app.reason);
    assert.ok(done.pullStartedAt !== undefined && done.pullStoppedAt !== undefined);
    assert.equal(app.runtimeId, undefined);
  });

  it('a log driver dockerd does not have fails the task with a reason naming it', async () => {
    const hostConfig = JSON.stringify({ LogConfig: { Type: 'awsfirelens', Config: {} } });
    const t = task([container('app', 'true', { dockerConfig: { hostConfig } })]);
    r.engine.accept(t);
    const done = await until(r, t.arn, 'STOPPED');
    assert.equal(done.stopCode, 'TaskFailedToStart');
    assert.match(
      containerState(done, 'app').reason ?? '',
      /^CannotCreateContainerError: log driver "awsfirelens" is not available/,
    );
  });

  it('gives Docker every field of the definition: docker inspect shows them', async () => {
    const hostDir = mkdtempSync(join(tmpdir(), 'berth-engine-host-'));
    chmodSync(hostDir, 0o755); // the container runs as nobody
    writeFileSync(join(hostDir, 'file'), 'from-the-host');
    const shared = `berth-shared-${RUN}`;
    const config = JSON.stringify({
      Hostname: 'berth-host',
      User: 'nobody',
      WorkingDir: '/tmp',
      Labels: { team: 'edge', [TASK_ARN_LABEL]: 'spoofed' },
    });
    const hostConfig = JSON.stringify({
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
      ReadonlyRootfs: true,
      ExtraHosts: ['db.local:10.0.0.5'],
      Dns: ['10.0.0.53'],
      DnsSearch: ['example.internal'],
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
      SecurityOpt: ['no-new-privileges'],
      // linuxParameters, as the control plane translates them (the ECS agent reads them only from here).
      ...linuxHostConfig(
        {
          capabilities: { add: ['NET_ADMIN'], drop: ['MKNOD'] },
          initProcessEnabled: true,
          sharedMemorySize: 16,
          tmpfs: [{ containerPath: '/run/tmp', size: 8, mountOptions: ['noexec'] }],
        },
        64,
      ),
    });
    const t = task(
      [
        container('app', '', {
          entryPoint: ['/bin/sh', '-c'],
          command: ['exec sleep 600'],
          environment: { GREETING: 'hi', EMPTY: '' },
          cpu: 256,
          memory: 64,
          memoryReservation: 32,
          links: ['db:database'],
          mountPoints: [
            { sourceVolume: 'hostdir', containerPath: '/host', readOnly: true },
            { sourceVolume: 'scratch', containerPath: '/scratch' },
            { sourceVolume: shared, containerPath: '/shared' },
          ],
          volumesFrom: [{ sourceContainer: 'db', readOnly: true }],
          dockerConfig: { config, hostConfig },
        }),
        container('db', 'exec sleep 600', {
          mountPoints: [{ sourceVolume: 'scratch', containerPath: '/data' }],
        }),
      ],
      {
        volumes: [
          { name: 'hostdir', type: 'host', host: { sourcePath: hostDir } },
          { name: 'scratch', type: 'docker', dockerVolumeConfiguration: { scope: 'task', driver: 'local' } },
          {
            name: shared,
            type: 'docker',
            dockerVolumeConfiguration: { scope: 'shared', autoprovision: true },
          },
        ],
      },
    );
    try {
      r.engine.accept(t);
      const running = await until(r, t.arn, 'RUNNING');
      const app = await inspect(containerState(running, 'app').runtimeId);
      const db = await inspect(containerState(running, 'db').runtimeId);
      const appName = app.Name.slice(1);
      const dbName = db.Name.slice(1);
      assert.match(appName, new RegExp(`^ecs-engine-test-${RUN}-${t.version}-app-[0-9a-f]{20}$`));
      assert.deepEqual(app.Config.Entrypoint, ['/bin/sh', '-c']);
      assert.deepEqual(app.Config.Cmd, ['exec sleep 600']);
      assert.ok(app.Config.Env.includes('GREETING=hi') && app.Config.Env.includes('EMPTY='));
      assert.equal(app.Config.User, 'nobody');
      assert.equal(app.Config.WorkingDir, '/tmp');
      assert.equal(app.Config.Hostname, 'berth-host');
      assert.equal(app.Config.Labels.team, 'edge');
      assert.equal(app.Config.Labels[TASK_ARN_LABEL], t.arn);
      assert.equal(app.Config.Labels['com.amazonaws.ecs.container-name'], 'app');
      assert.equal(app.Config.Labels['com.amazonaws.ecs.cluster'], CLUSTER_ARN);
      assert.equal(app.Config.Labels['com.amazonaws.ecs.task-definition-family'], t.family);
      assert.equal(app.Config.Labels['com.amazonaws.ecs.task-definition-version'], t.version);
      assert.equal(app.Config.Labels[OWNER_LABEL], OWNER);
      const h = app.HostConfig;
      assert.equal(h.CpuShares, 256);
      assert.equal(h.Memory, 64 * 1024 * 1024);
      assert.equal(h.MemoryReservation, 32 * 1024 * 1024);
      assert.equal(h.NetworkMode, 'bridge');
      assert.deepEqual(h.Links, [`/${dbName}:/${appName}/database`]);
      const scratch = `ecs-${t.family}-${t.version}-scratch-${t.arn.split('/').at(-1)}`;
      assert.deepEqual(h.Binds, [`${hostDir}:/host:ro`, `${scratch}:/scratch`, `${shared}:/shared`]);
      assert.deepEqual(h.VolumesFrom, [`${dbName}:ro`]);
      assert.deepEqual(h.CapAdd, ['NET_ADMIN']);
      assert.deepEqual(h.CapDrop, ['MKNOD']);
      assert.equal(h.Init, true);
      assert.equal(h.ShmSize, 16 * 1024 * 1024);
      assert.deepEqual(h.Tmpfs, { '/run/tmp': 'size=8m,noexec' });
      assert.deepEqual(h.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }]);
      assert.equal(h.ReadonlyRootfs, true);
      assert.deepEqual(h.ExtraHosts, ['db.local:10.0.0.5']);
      assert.deepEqual(h.Dns, ['10.0.0.53']);
      assert.deepEqual(h.DnsSearch, ['example.internal']);
      assert.deepEqual(h.LogConfig, { Type: 'json-file', Config: { 'max-size': '1m' } });
      assert.deepEqual(h.SecurityOpt, ['no-new-privileges']);
      assert.equal(h.Privileged, false);
      assert.equal(db.HostConfig.CpuShares, 2, 'absent cpu maps to 2 shares');
      // And from inside: the user, the host file, the read-only root, the links.
      const sh = (cmd: string) => execFileSync('docker', ['exec', app.Id, 'sh', '-c', cmd]).toString().trim();
      assert.equal(sh('id -u'), '65534');
      assert.equal(sh('cat /host/file'), 'from-the-host');
      assert.equal(sh('touch /root-is-readonly 2>/dev/null && echo writable || echo readonly'), 'readonly');
      assert.match(sh('cat /etc/hosts'), /database/);
      const volume = await docker.getVolume(scratch).inspect();
      assert.equal(volume.Labels?.[TASK_ARN_LABEL], t.arn);
      await docker.getVolume(shared).inspect();
    } finally {
      r.engine.accept(stopped(t));
      await until(r, t.arn, 'STOPPED');
      rmSync(hostDir, { recursive: true, force: true });
    }
  });

  it('asks Docker for a privileged container (a host that refuses one fails the task with its reason)', async () => {
    const t = task([container('priv', 'exec sleep 600', { privileged: true })]);
    r.engine.accept(t);
    const s = await waitFor(
      'privileged settled',
      () => {
        const x = stateOf(r, t.arn);
        return x?.knownStatus === 'RUNNING' || x?.knownStatus === 'STOPPED' ? x : undefined;
      },
      WAIT_MS,
    );
    const priv = containerState(s, 'priv');
    assert.equal((await inspect(priv.runtimeId)).HostConfig.Privileged, true);
    // Sandboxed hosts (like some CI machines) cannot apply all capabilities: that must be a clear failure.
    if (s.knownStatus === 'STOPPED') assert.match(priv.reason ?? '', /^CannotStartContainerError: /);
    r.engine.accept(stopped(t));
    await until(r, t.arn, 'STOPPED');
  });

  it('host network mode reports the container ports as host ports; none mode has no network', async () => {
    const port = await freePort();
    const t = task(
      [
        container('web', `echo host-mode > /www/index.html && exec httpd -f -p ${port} -h /www`, {
          portMappings: [{ containerPort: port }],
        }),
      ],
      { networkMode: 'host' },
    );
    const n = task([container('quiet', 'exec sleep 600')], { networkMode: 'none' });
    r.engine.accept(t);
    r.engine.accept(n);
    const running = await until(r, t.arn, 'RUNNING');
    assert.equal(await httpGet(port), 'host-mode');
    assert.deepEqual(containerState(running, 'web').networkBindings, [
      { bindIP: '0.0.0.0', containerPort: port, hostPort: port, protocol: 'tcp' },
    ]);
    assert.equal((await inspect(containerState(running, 'web').runtimeId)).HostConfig.NetworkMode, 'host');
    const quiet = await until(r, n.arn, 'RUNNING');
    assert.equal((await inspect(containerState(quiet, 'quiet').runtimeId)).HostConfig.NetworkMode, 'none');
    r.engine.accept(stopped(t));
    r.engine.accept(stopped(n));
    await until(r, t.arn, 'STOPPED');
    await until(r, n.arn, 'STOPPED');
  });

  it('a restart policy restarts a crashing container in place and counts it; ignored exit codes stop the task', async () => {
    const t = task([
      container('flaky', 'sleep 1.2; exit 3', { restartPolicy: { enabled: true, restartAttemptPeriod: 1 } }),
    ]);
    const ignored = task([
      container('done', 'sleep 1.2; exit 5', {
        restartPolicy: { enabled: true, ignoredExitCodes: [5], restartAttemptPeriod: 1 },
      }),
    ]);
    r.engine.accept(t);
    r.engine.accept(ignored);
    const first = await until(r, t.arn, 'RUNNING');
    const id = containerState(first, 'flaky').runtimeId;
    const restarted = await waitFor(
      'two restarts',
      () => {
        const s = stateOf(r, t.arn);
        return s !== undefined && (containerState(s, 'flaky').restartCount ?? 0) >= 2 ? s : undefined;
      },
      WAIT_MS,
    );
    assert.equal(restarted.knownStatus, 'RUNNING');
    assert.equal(containerState(restarted, 'flaky').runtimeId, id, 'restarted in place, not recreated');
    assert.ok((r.reporter.last(t.arn)?.containers[0]?.restartCount ?? 0) >= 1);
    const done = await until(r, ignored.arn, 'STOPPED');
    assert.equal(containerState(done, 'done').exitCode, 5);
    assert.equal(containerState(done, 'done').restartCount, undefined);
    assert.equal(done.stopCode, 'EssentialContainerExited');
    r.engine.accept(stopped(t));
    await until(r, t.arn, 'STOPPED');
  });
});

describe('task engine: cleanup, orphans, pull behaviours', { concurrency: true }, () => {
  it("removes a stopped task's containers and task-scoped volumes after the cleanup wait, then forgets it", async () => {
    const r = await newRig({ taskCleanupWaitMs: 1_000 });
    const t = task(
      [container('app', 'exec sleep 600', { mountPoints: [{ sourceVolume: 'v', containerPath: '/v' }] })],
      {
        volumes: [{ name: 'v', type: 'host' }],
      },
    );
    r.engine.accept(t);
    const running = await until(r, t.arn, 'RUNNING');
    const id = containerState(running, 'app').runtimeId!;
    const volume = `ecs-${t.family}-${t.version}-v-${t.arn.split('/').at(-1)}`;
    await docker.getVolume(volume).inspect();
    r.engine.accept(stopped(t));
    await until(r, t.arn, 'STOPPED');
    await waitFor('cleanup', () => r.store.removed.includes(t.arn) && !r.engine.tasks().has(t.arn), WAIT_MS);
    await assert.rejects(docker.getContainer(id).inspect(), /no such container/i);
    await assert.rejects(docker.getVolume(volume).inspect(), /no such volume/i);
    assert.equal(r.store.get(t.arn), undefined);
  });

  it('removes long-stopped containers of tasks it does not know, and leaves running ones alone', async () => {
    const labels = (n: string) => ({
      [TASK_ARN_LABEL]: `arn:aws:ecs:us-east-1:123456789012:task/engine-test/orphan-${RUN}-${n}`,
      [OWNER_LABEL]: OWNER,
    });
    const dead = await docker.createContainer({ Image: IMAGE, Cmd: ['true'], Labels: labels('dead') });
    await dead.start();
    await dead.wait();
    const alive = await docker.createContainer({
      Image: IMAGE,
      Cmd: ['sleep', '600'],
      Labels: labels('alive'),
    });
    await alive.start();
    const deadAt = Date.parse((await dead.inspect()).State.FinishedAt);
    await waitFor(
      'the dead container stopped longer than the cleanup wait',
      () => Date.now() - deadAt > 1_100,
    );
    await newRig({ taskCleanupWaitMs: 1_000 });
    await waitFor(
      'orphan removed',
      async () =>
        (await docker
          .getContainer(dead.id)
          .inspect()
          .then(
            () => false,
            () => true,
          )) || undefined,
      WAIT_MS,
    );
    assert.equal((await alive.inspect()).State.Running, true);
  });

  it('pull behaviours: prefer-cached uses the local copy, always fails without the registry, default falls back, once pulls once', async () => {
    const preferCached = await newRig({ imagePullBehavior: 'prefer-cached' });
    const always = await newRig({ imagePullBehavior: 'always' });
    const dflt = await newRig({ imagePullBehavior: 'default' });
    const once = await newRig({ imagePullBehavior: 'once' });
    const local = (rg: Rig) => {
      const t = task([container('app', 'exec sleep 600', { image: LOCAL_ONLY_IMAGE })]);
      rg.engine.accept(t);
      return t;
    };
    const a = local(preferCached);
    const b = local(always);
    const c = local(dflt);
    const pc = await until(preferCached, a.arn, 'RUNNING');
    assert.equal(pc.pullStartedAt, undefined, 'prefer-cached must not pull an image the host has');
    const al = await until(always, b.arn, 'STOPPED');
    assert.match(containerState(al, 'app').reason ?? '', /^CannotPullContainerError/);
    const df = await until(dflt, c.arn, 'RUNNING');
    assert.ok(df.pullStartedAt !== undefined, 'default tries the pull first');
    const first = task([container('app', 'exec sleep 600')]);
    once.engine.accept(first);
    const o1 = await until(once, first.arn, 'RUNNING');
    assert.ok(o1.pullStartedAt !== undefined);
    const second = task([container('app', 'exec sleep 600')]);
    once.engine.accept(second);
    const o2 = await until(once, second.arn, 'RUNNING');
    assert.equal(o2.pullStartedAt, undefined, 'once pulls an image only the first time');
    for (const [rg, t] of [
      [preferCached, a],
      [dflt, c],
      [once, first],
      [once, second],
    ] as const) {
      rg.engine.accept(stopped(t));
      await until(rg, t.arn, 'STOPPED');
    }
  });
});

describe('task engine: restart reconciliation', () => {
  it('after the agent dies, a new engine on the same state keeps running containers, reports what happened, adopts half-created ones', async () => {
    const store = new MemoryTaskStateStore();
    const first = await rig({}, store);
    const tasks = Array.from({ length: 5 }, (_, i) =>
      task([container('app', i === 4 ? 'exec sleep 600' : 'exec sleep 600')]),
    );
    for (const t of tasks) first.engine.accept(t);
    const before = new Map<string, { id: string; startedAt: string }>();
    for (const t of tasks) {
      const s = await until(first, t.arn, 'RUNNING');
      const id = containerState(s, 'app').runtimeId!;
      before.set(t.arn, { id, startedAt: (await inspect(id)).State.StartedAt });
    }
    // kill -9 of the agent: loops end, containers are not touched.
    await first.engine.stop();
    const [t0, t1, t2, t3, t4] = tasks as [AcsTask, AcsTask, AcsTask, AcsTask, AcsTask];
    // While it is down: one container is killed, one removed.
    await docker.getContainer(before.get(t1.arn)!.id).kill({ signal: 'SIGKILL' });
    await docker.getContainer(before.get(t2.arn)!.id).remove({ force: true });
    // And one task was caught mid-create: its container exists but its id was never saved.
    const half = task([container('app', 'exec sleep 600')]);
    await store.save({
      task: half,
      knownStatus: 'PULLED',
      containers: [{ name: 'app', knownStatus: 'PULLED' }],
    });
    const made = await docker.createContainer({
      name: `ecs-${half.family}-${half.version}-app-${RUN}`,
      Image: IMAGE,
      Cmd: ['sleep', '600'],
      Labels: { [TASK_ARN_LABEL]: half.arn, 'com.amazonaws.ecs.container-name': 'app', [OWNER_LABEL]: OWNER },
    });

    const second = await newRig({}, store);
    for (const t of [t0, t3, t4]) {
      const s = await until(second, t.arn, 'RUNNING');
      const id = containerState(s, 'app').runtimeId!;
      assert.equal(id, before.get(t.arn)!.id, 'same container');
      const info = await inspect(id);
      assert.equal(info.State.Running, true);
      assert.equal(info.State.StartedAt, before.get(t.arn)!.startedAt, 'not restarted');
    }
    const killed = await until(second, t1.arn, 'STOPPED');
    assert.equal(containerState(killed, 'app').exitCode, 137);
    assert.equal(killed.stopCode, 'EssentialContainerExited');
    assert.equal(second.reporter.last(t1.arn)?.containers[0]?.exitCode, 137);
    const removed = await until(second, t2.arn, 'STOPPED');
    assert.match(containerState(removed, 'app').reason ?? '', /no longer exists/);
    const adopted = await until(second, half.arn, 'RUNNING');
    assert.equal(containerState(adopted, 'app').runtimeId, made.id, 'the half-created container is adopted');
    for (const t of [...tasks, half]) {
      const list = await docker.listContainers({
        all: true,
        filters: { label: [`${TASK_ARN_LABEL}=${t.arn}`] },
      });
      assert.ok(list.length <= 1, `${list.length} containers for one task`);
    }
    // A stop delivered after the restart is carried out.
    second.engine.accept(stopped(t0));
    const s0 = await until(second, t0.arn, 'STOPPED');
    assert.ok([137, 143].includes(containerState(s0, 'app').exitCode ?? -1));
    for (const t of [t3, t4, half]) second.engine.accept(stopped(t));
    for (const t of [t3, t4, half]) await until(second, t.arn, 'STOPPED');
  });
});

describe("task engine in the agent's composition", () => {
  it('a delivered payload is stored, acknowledged, run on Docker and reported; the engine stops without stopping containers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-engine-runtime-'));
    const submitted: TaskStateChange[] = [];
    const sent: string[] = [];
    const instanceArn = 'arn:aws:ecs:us-east-1:123456789012:container-instance/engine-test/abc';
    const runtime = await startTaskRuntime({
      dataDir,
      clusterArn: CLUSTER_ARN,
      containerInstanceArn: instanceArn,
      submit: (change) => {
        submitted.push(change);
        return Promise.resolve();
      },
      engine: dockerTaskEngine({
        dataDir,
        docker: { kind: 'unix', socketPath: '/var/run/docker.sock' },
        containerStopTimeoutMs: 2_000,
        taskCleanupWaitMs: 3_600_000,
        imagePullBehavior: 'default',
        imageCleanup: undefined,
        registryAuth: new Map(),
      }),
      log,
      reportBackoff: { minMs: 50, maxMs: 200 },
    });
    const t = task([container('app', 'exec sleep 600')]);
    try {
      runtime.attach((envelope) => {
        sent.push(envelope.type);
        return true;
      });
      runtime.onPayload({
        messageId: `m-${RUN}`,
        clusterArn: CLUSTER_ARN,
        containerInstanceArn: instanceArn,
        tasks: [t],
        generatedAt: Date.now(),
        seqNum: 1,
      });
      await waitFor(
        'RUNNING submitted',
        () => submitted.some((c) => c.taskArn === t.arn && c.status === 'RUNNING'),
        WAIT_MS,
      );
      assert.ok(sent.includes('AckRequest'));
      const id = runtime.engine.tasks().get(t.arn)?.containers[0]?.runtimeId;
      await runtime.stop();
      await stopTaskEngine(runtime.engine);
      assert.equal((await inspect(id)).State.Running, true, 'stopping the agent leaves tasks running');
    } finally {
      await docker
        .getContainer(runtime.engine.tasks().get(t.arn)?.containers[0]?.runtimeId ?? 'none')
        .remove({ force: true })
        .catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

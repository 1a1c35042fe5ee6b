/**
 * The task metadata endpoint v4 from inside real containers. Each task's container reads its metadata with
 * busybox wget at `$ECS_CONTAINER_METADATA_URI_V4` and writes what it got to a host directory, which is
 * what the assertions read: what a program in the container would see. Twice over:
 * - the real task engine on the real Docker engine, with the metadata service wired in as the agent wires it
 *   (its `environmentFor` feeds the engine's agentEnvironment): bridge, host and none network modes, and
 *   what the host gets without a valid id;
 * - the whole product: the real control plane, the real `berth agent` process, `aws ecs run-task`.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { AcsContainer, AcsTask } from '../../src/acs/payload.js';
import type { StateChangeReporter } from '../../src/agent/tasks/contracts.js';
import { createDockerodeClient } from '../../src/agent/engine/docker/dockerode-client.js';
import { createTaskEngine, type RunningTaskEngine } from '../../src/agent/engine/engine.js';
import { OWNER_LABEL } from '../../src/agent/engine/labels.js';
import { findBridgeGateway } from '../../src/agent/metadata/docker-details.js';
import { startMetadataService, type MetadataService } from '../../src/agent/metadata/metadata-service.js';
import { busyboxImage } from '../rigs/images.js';
import { docker, TasksRig } from '../rigs/tasks-e2e-rig.js';
import { waitFor } from '../../src/util/testing/wait-for.js';
import { MemoryTaskStateStore } from '../../src/agent/testing/memory-task-state-store.js';

const RUN = randomBytes(4).toString('hex');
/** The shared busybox test image, under a repository of its own; pushed to the local registry. */
const IMAGE = busyboxImage({ repository: 'berth-metadata-test/busybox' });
const OWNER = `metadata-test-${RUN}`;
const CLUSTER_ARN = 'arn:aws:ecs:us-east-1:123456789012:cluster/metadata-test';
const DOCKER = { kind: 'unix', socketPath: '/var/run/docker.sock' } as const;
const log = pino({ level: process.env.BERTH_TEST_LOG ?? 'silent' });
const root = mkdtempSync(join(tmpdir(), 'berth-metadata-test-'));
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/**
 * Waits until the task is RUNNING as the endpoint shows it ($WANT: the task's revision and statuses as they
 * appear in the JSON), then saves the container's own metadata, the task's, both stats, the answer to an id
 * nobody has, and its environment; then stays up. Only the tools of the shared test image (no grep, no seq).
 */
const READ_METADATA = [
  'uri="$ECS_CONTAINER_METADATA_URI_V4"',
  'i=0',
  'while [ $i -lt 150 ]; do',
  '  i=$((i + 1))',
  '  if wget -qO /out/task.json "$uri/task"; then',
  '    case "$(cat /out/task.json)" in *"$WANT"*) break ;; esac',
  '  fi',
  '  sleep 0.2',
  'done',
  'wget -qO /out/container.json "$uri"',
  'wget -qO /out/stats.json "$uri/stats"',
  'wget -qO /out/task-stats.json "$uri/task/stats"',
  'wget -S -O /dev/null "${uri%/v4/*}/v4/00000000-0000-0000-0000-000000000000/task" 2> /out/unknown.txt',
  'env > /out/env.txt',
  'touch /out/done',
  'exec sleep 600',
].join('\n');

/** What READ_METADATA waits for in the task JSON: the task itself (not only a container) RUNNING. */
function runningMarker(revision: string): string {
  return `"Revision":"${revision}","DesiredStatus":"RUNNING","KnownStatus":"RUNNING"`;
}

function outDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  return dir;
}

function json(dir: string, file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
}

async function readerDone(dir: string): Promise<void> {
  await waitFor(`the reader in ${dir}`, () => existsSync(join(dir, 'done')), 45_000, {
    intervalMs: 100,
  });
}

interface Expected {
  readonly taskArn: string;
  readonly cluster: string;
  readonly family: string;
  readonly revision: string;
  readonly mode: 'bridge' | 'host';
  /** Docker ids by container name, as the engine or describe-tasks has them. */
  readonly ids: ReadonlyMap<string, string | undefined>;
  /** What the URL in the container's environment starts with. */
  readonly base: string;
  readonly pulled: boolean;
}

/** Asserts what a task's reader saw: its task, itself, stats, a 404 for an unknown id, its variables. */
function assertSeen(dir: string, x: Expected): void {
  const seen = json(dir, 'task.json');
  assert.equal(seen.TaskARN, x.taskArn);
  assert.equal(seen.Cluster, x.cluster);
  assert.equal(seen.Family, x.family);
  assert.equal(seen.Revision, x.revision);
  assert.equal(seen.DesiredStatus, 'RUNNING');
  assert.equal(seen.KnownStatus, 'RUNNING');
  assert.equal(seen.LaunchType, 'EXTERNAL');
  assert.deepEqual(seen.Limits, { CPU: 0.25, Memory: 128 });
  // Pull times only when the image was pulled, as ECS.
  if (x.pulled) assert.match(String(seen.PullStartedAt), RFC3339);
  else assert.equal(seen.PullStartedAt, undefined);
  const containers = seen.Containers as Record<string, unknown>[];
  assert.deepEqual(containers.map((c) => c.Name).sort(), [...x.ids.keys()].sort());
  for (const c of containers) {
    const name = String(c.Name);
    assert.equal(c.DockerId, x.ids.get(name), `${name}: Docker id`);
    assert.equal(c.KnownStatus, 'RUNNING');
    assert.deepEqual(c.Limits, { CPU: 10, Memory: 32 });
    assert.equal(c.Image, IMAGE.ref);
    assert.match(String(c.ImageID), /^sha256:[0-9a-f]{64}$/);
    assert.match(String(c.DockerName), new RegExp(`^ecs-${x.family}-${x.revision}-${name}-`));
    assert.match(String(c.CreatedAt), RFC3339);
    assert.match(String(c.StartedAt), RFC3339);
    assert.equal(c.Type, 'NORMAL');
    assert.equal((c.Labels as Record<string, string>)['com.amazonaws.ecs.task-arn'], x.taskArn);
    const [network] = c.Networks as { NetworkMode: string; IPv4Addresses?: string[] }[];
    assert.equal(network?.NetworkMode, x.mode);
    if (x.mode === 'bridge') assert.match(network?.IPv4Addresses?.[0] ?? '', /^\d+\.\d+\.\d+\.\d+$/);
  }

  const own = json(dir, 'container.json');
  assert.equal(own.Name, 'reader');
  assert.equal(own.DockerId, x.ids.get('reader'));

  const stats = json(dir, 'stats.json');
  for (const key of ['read', 'cpu_stats', 'precpu_stats', 'memory_stats'])
    assert.ok(key in stats, `stats.${key}`);
  const taskStats = json(dir, 'task-stats.json');
  assert.deepEqual(Object.keys(taskStats).sort(), [...x.ids.values()].sort());
  for (const sample of Object.values(taskStats)) assert.ok('cpu_stats' in (sample as object));

  assert.match(readFileSync(join(dir, 'unknown.txt'), 'utf8'), /404 Not Found/);
  const env = readFileSync(join(dir, 'env.txt'), 'utf8');
  const base = x.base.replaceAll('.', '\\.');
  assert.match(env, new RegExp(`^ECS_CONTAINER_METADATA_URI_V4=${base}/v4/${UUID}$`, 'm'));
  assert.match(env, new RegExp(`^ECS_CONTAINER_METADATA_URI=${base}/v3/${UUID}$`, 'm'));
  assert.match(env, new RegExp(`^ECS_AGENT_URI=${base}/api/${UUID}$`, 'm'));
}

let gateway: string;

before(async () => {
  IMAGE.build();
  gateway = (await findBridgeGateway(DOCKER)) ?? assert.fail('no Docker bridge gateway on this host');
});

after(() => rmSync(root, { recursive: true, force: true }));

describe('task metadata endpoint v4 with the task engine', { concurrency: true }, () => {
  let engine: RunningTaskEngine;
  let metadata: MetadataService;
  let revisions = 0;

  const store = new MemoryTaskStateStore();
  const reporter: StateChangeReporter = { report: () => undefined };

  /** A task of cpu 256 / memory 128 whose first container is the reader (unless `readerless`). */
  function task(
    mode: 'bridge' | 'host' | 'none',
    out: string | undefined,
    others: AcsContainer[] = [],
  ): AcsTask {
    const revision = String(++revisions);
    const readers: AcsContainer[] =
      out === undefined
        ? []
        : [
            container('reader', READ_METADATA, {
              mountPoints: [{ sourceVolume: 'out', containerPath: '/out' }],
              environment: { WANT: runningMarker(revision) },
            }),
          ];
    return {
      arn: `arn:aws:ecs:us-east-1:123456789012:task/metadata-test/${RUN}${revision.padStart(24, '0')}`,
      taskClusterArn: CLUSTER_ARN,
      family: `metadata-test-${mode}`,
      version: revision,
      desiredStatus: 'RUNNING',
      desiredStatusSeq: 1,
      cpu: 0.25,
      memory: 128,
      networkMode: mode,
      containers: [...readers, ...others],
      ...(out !== undefined && {
        volumes: [{ name: 'out', type: 'host' as const, host: { sourcePath: out } }],
      }),
    };
  }

  function container(name: string, script: string, extra: Partial<AcsContainer> = {}): AcsContainer {
    return {
      name,
      image: IMAGE.ref,
      essential: true,
      cpu: 10,
      memory: 32,
      command: ['sh', '-c', script],
      ...extra,
    };
  }

  function expected(t: AcsTask, mode: 'bridge' | 'host'): Expected {
    const state = engine.tasks().get(t.arn);
    assert.ok(state, 'the engine knows the task');
    return {
      taskArn: t.arn,
      cluster: CLUSTER_ARN,
      family: t.family,
      revision: t.version,
      mode,
      ids: new Map(state.containers.map((c) => [c.name, c.runtimeId])),
      base: `http://${mode === 'bridge' ? gateway : '127.0.0.1'}:${metadata.port}`,
      // The image is on the host already and the engine prefers it: no pull.
      pulled: false,
    };
  }

  before(async () => {
    metadata = await startMetadataService({
      listen: { kind: 'loopback-and-bridge', port: 0 },
      dataDir: join(root, 'agent-data'),
      docker: DOCKER,
      tasks: () => engine.tasks(),
      log,
    });
    engine = createTaskEngine({
      docker: createDockerodeClient(),
      store,
      reporter,
      config: {
        containerStopTimeoutMs: 2_000,
        taskCleanupWaitMs: 3_600_000,
        imagePullBehavior: 'prefer-cached',
        imageCleanup: undefined,
        registryAuth: new Map(),
        ownerId: OWNER,
        retryDelayMs: 100,
      },
      log,
      agentEnvironment: metadata.environmentFor,
    });
    await engine.start();
  });

  after(async () => {
    await engine?.stop();
    await metadata?.close();
    const mine = await docker.listContainers({ all: true, filters: { label: [`${OWNER_LABEL}=${OWNER}`] } });
    for (const c of mine) await docker.getContainer(c.Id).remove({ force: true, v: true });
  });

  it('answers a bridge-mode task at the bridge gateway: task, container, stats, task stats', async () => {
    const dir = outDir('bridge');
    const t = task('bridge', dir, [container('sidecar', 'exec sleep 600', { essential: false })]);
    engine.accept(t);
    await readerDone(dir);
    assertSeen(dir, expected(t, 'bridge'));
  });

  it('answers a host-mode task on loopback', async () => {
    const dir = outDir('host');
    const t = task('host', dir);
    engine.accept(t);
    await readerDone(dir);
    assertSeen(dir, expected(t, 'host'));
  });

  it('gives none-mode containers no endpoint, since they cannot reach one', async () => {
    const t = task('none', undefined, [container('alone', 'exec sleep 600')]);
    engine.accept(t);
    const id = await waitFor(
      'the none-mode container',
      () => {
        const c = engine.tasks().get(t.arn)?.containers[0];
        return c?.knownStatus === 'RUNNING' ? c.runtimeId : undefined;
      },
      30_000,
      { intervalMs: 100 },
    );
    // Docker gives null for a container without variables.
    const env = (await docker.getContainer(id ?? '').inspect()).Config.Env ?? [];
    assert.equal(
      env.some((e) => e.startsWith('ECS_')),
      false,
      env.join(' '),
    );
  });

  it('answers 404 to the host for paths without a valid id, on both addresses', async () => {
    for (const host of ['127.0.0.1', gateway]) {
      for (const path of [
        '/',
        '/v4/',
        `/v4/${randomUUID()}`,
        `/v4/${randomUUID()}/task`,
        `/v4/${randomUUID()}/stats`,
      ]) {
        const res = await fetch(`http://${host}:${metadata.port}${path}`);
        assert.equal(res.status, 404, `${host}${path}`);
        assert.equal(res.headers.get('content-type'), 'application/json');
        assert.equal(typeof (await res.json()), 'string');
      }
    }
  });
});

describe('task metadata endpoint v4 with the berth agent', () => {
  const cluster = `metadata-${RUN}`;
  let rig: TasksRig;

  before(async () => {
    // Port 0: other suites' agents on this host may hold the default port.
    rig = await TasksRig.start({ cluster, agentArgs: ['--metadata-listen', '0'] });
  });
  // Stops the agent and removes its containers: stopping tasks is another suite's subject.
  after(async () => {
    await rig?.cleanup();
  });

  it('answers inside a task started with aws ecs run-task', async () => {
    const dir = outDir('run-task');
    const family = `metadata-e2e-${RUN}`;
    await rig.cli.registerTaskDefinition({
      family,
      requiresCompatibilities: ['EXTERNAL'],
      networkMode: 'bridge',
      cpu: '256',
      memory: '128',
      volumes: [{ name: 'out', host: { sourcePath: dir } }],
      containerDefinitions: [
        {
          name: 'reader',
          image: IMAGE.ref,
          cpu: 10,
          memory: 32,
          essential: true,
          command: ['sh', '-c', READ_METADATA],
          environment: [{ name: 'WANT', value: runningMarker('1') }],
          mountPoints: [{ sourceVolume: 'out', containerPath: '/out' }],
        },
        {
          name: 'sidecar',
          image: IMAGE.ref,
          cpu: 10,
          memory: 32,
          essential: false,
          command: ['sh', '-c', 'exec sleep 600'],
        },
      ],
    });
    const run = await rig.runTask(family);
    assert.deepEqual(run.failures, []);
    const taskArn = run.tasks[0]?.taskArn ?? assert.fail('no task');
    await rig.wait('tasks-running', [taskArn]);
    await readerDone(dir);

    const described = await rig.cli.describeTask(taskArn);
    const listening = rig.agent.logs.filter((l) => l.msg === 'task metadata endpoint listening');
    assert.deepEqual(listening.map((l) => l.host).sort(), ['127.0.0.1', gateway].sort());
    const port = Number(listening[0]?.port);
    assertSeen(dir, {
      taskArn,
      cluster: `arn:aws:ecs:us-east-1:123456789012:cluster/${cluster}`,
      family,
      revision: '1',
      mode: 'bridge',
      ids: new Map(described.containers.map((c) => [c.name, c.runtimeId])),
      base: `http://${gateway}:${port}`,
      pulled: true,
    });
  });
});

/**
 * Upgrading in place: a data directory written by release 0.1 (commit 42dc3d4; made by
 * `test/fixtures/make-release-0.1-datadir.ts`) starts under the current code, answers every describe and list
 * call exactly as release 0.1 answered it, keeps the administrator's credentials, and takes writes: new
 * clusters, a returning host with its old key, a task stopped and a service scaled through that host.
 *
 * The server runs on a clock that starts at the moment the answers were recorded. Everything that depends on
 * the time (an activation's `Expired`, `PingStatus`, the purge of stopped tasks after their retention, a
 * service's health delay) then reads as it did then, so the comparison needs no allowance for the fixture's
 * age; requests are signed with the same clock. Each allowance the comparison does make is named below.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { pino } from 'pino';
import { resolveServerConfig } from '../../src/control-plane/config.js';
import { startServer, type RunningServer } from '../../src/control-plane/server.js';
import { readAdminKeys } from '../../src/control-plane/auth/bootstrap.js';
import { connectHost, type SavedHost } from '../fixtures/fixture-host.js';
import { AwsJsonCaller, ECS, replayCalls, type RecordedCall } from '../fixtures/upgrade-calls.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'release-0.1');

interface Expected {
  readonly release: string;
  readonly recordedAt: string;
  readonly server: {
    readonly region: string;
    readonly accountId: string;
    readonly heartbeatInterval: string;
    readonly sessionTimeout: string;
  };
  readonly calls: readonly RecordedCall[];
}

const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as Expected;
const hosts = JSON.parse(readFileSync(join(FIXTURE, 'hosts.json'), 'utf8')) as SavedHost[];

/** The current server on a copy of the fixture's data directory, with the clock `now`. */
async function startOnCopy(
  now: () => Date,
): Promise<{ dataDir: string; server: RunningServer; admin: AwsJsonCaller }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-upgrade-'));
  cpSync(join(FIXTURE, 'datadir'), dataDir, { recursive: true });
  const { region, accountId, heartbeatInterval, sessionTimeout } = expected.server;
  const config = resolveServerConfig(
    { listen: '127.0.0.1:0', dataDir, region, accountId, heartbeatInterval, sessionTimeout },
    {},
  );
  const server = await startServer(config, { logger: pino({ level: 'silent' }), now });
  const admin = new AwsJsonCaller(server.url, region, readAdminKeys(join(dataDir, 'credentials')), now);
  return { dataDir, server, admin };
}

describe(`a data directory from release 0.1 (${expected.release}), upgraded in place`, () => {
  let dataDir: string;
  let server: RunningServer;
  let admin: AwsJsonCaller;
  const offsetMs = Date.parse(expected.recordedAt) - Date.now();
  const now = () => new Date(Date.now() + offsetMs);
  const file = (name: string) => readFileSync(join(dataDir, name), 'utf8');
  const ecs = (op: string, input: Record<string, unknown>) => admin.ok(`${ECS}.${op}`, input);

  before(async () => {
    ({ dataDir, server, admin } = await startOnCopy(now));
  });
  after(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the administrator key: the files are left as they were and still sign valid requests', async () => {
    assert.equal(server.admin.created, false, 'no new administrator key was made');
    for (const name of ['credentials', 'config', 'admin-key-id']) {
      assert.equal(file(name), readFileSync(join(FIXTURE, 'datadir', name), 'utf8'), `${name} unchanged`);
    }
    const keys = readAdminKeys(join(dataDir, 'credentials'));
    const sdk = new ECSClient({
      endpoint: server.url,
      region: expected.server.region,
      credentials: keys,
      maxAttempts: 1,
      systemClockOffset: offsetMs,
    });
    try {
      const out = await sdk.send(new ListClustersCommand({}));
      assert.equal(out.clusterArns?.length, 2);
    } finally {
      sdk.destroy();
    }
    // The same call with another secret is refused: the check above is the stored key's doing.
    const forged = new AwsJsonCaller(
      server.url,
      expected.server.region,
      { ...keys, secretAccessKey: `${keys.secretAccessKey.slice(0, -1)}x` },
      now,
    );
    const refused = await forged.call(`${ECS}.ListClusters`, {});
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /SignatureDoesNotMatch|InvalidSignature/);
  });

  it('answers every describe and list call as release 0.1 did', async () => {
    const actual = await replayCalls(admin, expected.calls);
    const differing = actual.filter((call, i) => !isDeepStrictEqual(call.answer, expected.calls[i]?.answer));
    const names = differing.map((c) => `${c.target.split('.')[1]} ${JSON.stringify(c.input)}`);
    // The first difference in full, after the list of every call that differs.
    const first = differing[0];
    assert.deepEqual(
      first?.answer,
      first === undefined ? undefined : expected.calls[actual.indexOf(first)]?.answer,
      `${differing.length} of ${actual.length} calls answer otherwise:\n${names.join('\n')}\nfirst:`,
    );
    assert.equal(actual.length, expected.calls.length);
  });

  it('takes writes: a new cluster, a returning host, a stopped task and a scaled service', async () => {
    await ecs('CreateCluster', { clusterName: 'after-upgrade', tags: [{ key: 'made', value: 'after' }] });
    const clusters = await ecs('DescribeClusters', { clusters: ['after-upgrade'], include: ['TAGS'] });
    assert.deepEqual(
      (clusters.clusters as { status: string; tags: unknown }[]).map((c) => [c.status, c.tags]),
      [['ACTIVE', [{ key: 'made', value: 'after' }]]],
    );

    // Host A comes back with the key it registered with under release 0.1: the upgraded server still knows
    // the managed instance (credentials) and the container instance (session), and still has its tasks.
    const hostA = hosts.find((h) => h.name === 'host-a');
    assert.ok(hostA);
    const { agent, reporter } = await connectHost(server.url, hostA, now, 100);
    try {
      const manifest = await agent.next('TaskManifestMessage');
      const running = await ecs('ListTasks', { cluster: 'prod', desiredStatus: 'RUNNING' });
      const runningArns = running.taskArns as string[];
      assert.equal(runningArns.length, 2);
      assert.deepEqual(
        manifest.message.tasks.map((t) => t.taskArn).sort(),
        [...runningArns].sort(),
        'the manifest lists the tasks release 0.1 left running on the host',
      );
      await waitFor(
        'host A to count as connected',
        async () => {
          const out = await ecs('DescribeContainerInstances', {
            cluster: 'prod',
            containerInstances: [hostA.containerInstanceArn],
          });
          return (out.containerInstances as { agentConnected: boolean }[])[0]?.agentConnected === true;
        },
        5_000,
        { intervalMs: 50 },
      );

      const standalone = await ecs('ListTasks', { cluster: 'prod', startedBy: 'fixture' });
      const kept = (standalone.taskArns as string[])[0];
      assert.ok(kept);
      await ecs('StopTask', { cluster: 'prod', task: kept, reason: 'after the upgrade' });
      await agent.next('PayloadMessage', (m) =>
        m.tasks.some((t) => t.arn === kept && t.desiredStatus === 'STOPPED'),
      );
      await reporter.report(kept, 'STOPPED', [
        { containerName: 'web', status: 'STOPPED', exitCode: 0 },
        { containerName: 'log', status: 'STOPPED', exitCode: 0 },
      ]);
      const stopped = await ecs('DescribeTasks', { cluster: 'prod', tasks: [kept] });
      assert.deepEqual(
        (stopped.tasks as { lastStatus: string; stoppedReason: string }[]).map((t) => [
          t.lastStatus,
          t.stoppedReason,
        ]),
        [['STOPPED', 'after the upgrade']],
      );

      await ecs('UpdateService', { cluster: 'prod', service: 'api', desiredCount: 2 });
      const placed = await agent.next(
        'PayloadMessage',
        (m) => m.tasks.some((t) => t.serviceName === 'api' && !runningArns.includes(t.arn)),
        10_000,
      );
      const added = placed.message.tasks.find((t) => t.serviceName === 'api')?.arn ?? '';
      await reporter.report(added, 'RUNNING', [
        { containerName: 'web', status: 'RUNNING', hostPort: 32800 },
        { containerName: 'log', status: 'RUNNING' },
      ]);
      await waitFor(
        'the service to count two running tasks',
        async () => {
          const out = await ecs('DescribeServices', { cluster: 'prod', services: ['api'] });
          return (out.services as { runningCount: number }[])[0]?.runningCount === 2;
        },
        10_000,
        { intervalMs: 100 },
      );
    } finally {
      await agent.close();
    }
  });
});

/**
 * The same data directory started a day after it was written, as a user who upgrades later would: the sweeps
 * that run at start-up read the old rows and act on them. Stopped tasks are past their retention (1 h) and
 * deleted with their tags; the running ones and the service stay; the activation (24 h) has expired.
 */
describe('a data directory from release 0.1, upgraded a day later', () => {
  let dataDir: string;
  let server: RunningServer;
  let admin: AwsJsonCaller;
  const offsetMs = Date.parse(expected.recordedAt) + 25 * 3600_000 - Date.now();
  const now = () => new Date(Date.now() + offsetMs);

  before(async () => {
    ({ dataDir, server, admin } = await startOnCopy(now));
  });
  after(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('deletes the stopped tasks past their retention, keeps the rest, and expires the activation', async () => {
    const recorded = (operation: string, status: string) =>
      expected.calls.find((c) => c.target === `${ECS}.${operation}` && c.input.desiredStatus === status);
    const stoppedBefore = (recorded('ListTasks', 'STOPPED')?.answer.body as { taskArns: string[] }).taskArns;
    const runningBefore = (recorded('ListTasks', 'RUNNING')?.answer.body as { taskArns: string[] }).taskArns;
    assert.equal(stoppedBefore.length, 2, 'the fixture holds two stopped tasks');

    await waitFor(
      'the start-up sweep to delete the stopped tasks',
      async () => {
        const out = await admin.ok(`${ECS}.ListTasks`, { cluster: 'prod', desiredStatus: 'STOPPED' });
        return (out.taskArns as string[]).length === 0;
      },
      5_000,
      { intervalMs: 50 },
    );
    const described = await admin.ok(`${ECS}.DescribeTasks`, { cluster: 'prod', tasks: stoppedBefore });
    assert.deepEqual(
      (described.failures as { reason: string }[]).map((f) => f.reason),
      ['MISSING', 'MISSING'],
    );
    const tags = await admin.call(`${ECS}.ListTagsForResource`, { resourceArn: stoppedBefore[0] });
    assert.equal(tags.status, 400, 'the tags went with the task');

    const running = await admin.ok(`${ECS}.ListTasks`, { cluster: 'prod', desiredStatus: 'RUNNING' });
    assert.deepEqual(running.taskArns, runningBefore);
    const services = await admin.ok(`${ECS}.DescribeServices`, { cluster: 'prod', services: ['api'] });
    assert.deepEqual(
      (services.services as { status: string; runningCount: number }[]).map((s) => [
        s.status,
        s.runningCount,
      ]),
      [['ACTIVE', 1]],
    );
    const activations = await admin.ok('AmazonSSM.DescribeActivations', {});
    assert.deepEqual(
      (activations.ActivationList as { Expired: boolean }[]).map((a) => a.Expired),
      [true],
    );
  });
});

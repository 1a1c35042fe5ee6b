/**
 * Task manifests and stop verification, the control plane's end, driven by a scripted agent on a real
 * session: when manifests go out and what they list, that their acks are not taken for payload acks, and
 * which tasks an agent is told to stop.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  StartTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { pino } from 'pino';
import { resolveServerConfig } from '../../src/control-plane/config.js';
import { startServer } from '../../src/control-plane/server.js';
import { readAdminKeys, startTestServer, type TestServer } from '../rigs/harness.js';
import { RawAgent, registerRawHost, type RawHost, type ServerHandle } from '../rigs/raw-agent.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const CLUSTER = 'edge';
const FAMILY = 'web';

async function setUpCluster(t: ServerHandle): Promise<void> {
  await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  await t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: FAMILY,
      requiresCompatibilities: ['EXTERNAL'],
      containerDefinitions: [{ name: 'web', image: '127.0.0.1:5000/web:1', memory: 64, essential: true }],
    }),
  );
}

async function startTask(t: ServerHandle, host: RawHost): Promise<string> {
  const out = await t.ecs.send(
    new StartTaskCommand({ cluster: CLUSTER, taskDefinition: FAMILY, containerInstances: [host.arn] }),
  );
  assert.deepEqual(out.failures, []);
  const arn = out.tasks?.[0]?.taskArn;
  assert.ok(arn);
  return arn;
}

async function connected(t: ServerHandle, host: RawHost, want: boolean): Promise<void> {
  await waitFor(
    `agentConnected ${want}`,
    async () => (await t.server.store.containerInstances.get(host.arn))?.agentConnected === want,
  );
}

async function acked(t: ServerHandle, arn: string): Promise<void> {
  await waitFor('ack recorded', async () => {
    const record = await t.server.store.tasks.get(arn);
    return record !== undefined && record.ackedDesiredStatus !== undefined;
  });
}

describe('task manifests', () => {
  let t: TestServer;
  const agents: RawAgent[] = [];
  const connect = async (host: RawHost, options: Parameters<typeof RawAgent.connect>[2] = {}) => {
    const agent = await RawAgent.connect(t, host, options);
    agents.push(agent);
    await connected(t, host, true);
    return agent;
  };
  before(async () => {
    t = await startTestServer({
      heartbeatInterval: '200ms',
      sessionTimeout: '2s',
      payloadResendIntervalMs: 300,
    });
    await setUpCluster(t);
  });
  after(async () => {
    for (const a of agents) await a.close();
    await t.stop();
  });

  it('sends one when a session opens, after the payloads owed, above their seqNum, listing acknowledged tasks', async () => {
    const host = await registerRawHost(t, CLUSTER);
    const first = await connect(host, { ackPayloads: false });
    const opening = await first.next('TaskManifestMessage');
    assert.deepEqual(opening.message.tasks, []);
    assert.equal(opening.message.clusterArn, host.clusterArn);
    assert.equal(opening.message.containerInstanceArn, host.arn);
    const taskArn = await startTask(t, host);
    await first.next('PayloadMessage', (m) => m.tasks.some((x) => x.arn === taskArn));
    await first.close();
    await connected(t, host, false);

    // Back again: the unacknowledged task first, then the manifest, which does not list it yet.
    const second = await connect(host, { ackPayloads: false });
    const manifest = await second.next('TaskManifestMessage');
    const payloads = second.all('PayloadMessage');
    const resent = payloads.find((p) => p.message.tasks.some((x) => x.arn === taskArn));
    assert.ok(resent !== undefined && resent.index < manifest.index, 'payload re-sent before the manifest');
    const before = payloads.filter((p) => p.index < manifest.index).map((p) => p.message.seqNum);
    assert.ok(manifest.message.timeline > Math.max(...before), 'timeline above every seqNum sent before');
    assert.deepEqual(manifest.message.tasks, []);
    assert.equal(typeof manifest.message.generatedAt, 'number');
    second.ack(resent.message.messageId);
    await acked(t, taskArn);
    await second.close();
    await connected(t, host, false);

    // Acknowledged now: listed, and nothing is owed before the manifest.
    const third = await connect(host);
    const listed = await third.next('TaskManifestMessage');
    assert.deepEqual(listed.message.tasks, [
      { taskArn, taskClusterArn: host.clusterArn, desiredStatus: 'RUNNING' },
    ]);
    assert.deepEqual(third.all('PayloadMessage'), []);
  });

  it("does not take a manifest's ack for a payload's", async () => {
    const host = await registerRawHost(t, CLUSTER);
    const agent = await connect(host, { ackPayloads: false, ackManifests: false });
    const manifest = await agent.next('TaskManifestMessage');
    const taskArn = await startTask(t, host);
    await agent.next('PayloadMessage', (m) => m.tasks.some((x) => x.arn === taskArn));
    const payloadAcks: string[] = [];
    const onAck = (_arn: string, messageId: string) => payloadAcks.push(messageId);
    t.server.delivery.on('ackReceived', onAck);
    const manifestAcked = new Promise<string>((resolve) =>
      t.server.delivery.on('manifestAcked', (_arn, messageId) => resolve(messageId)),
    );
    agent.ack(manifest.message.messageId);
    assert.equal(await manifestAcked, manifest.message.messageId);
    t.server.delivery.off('ackReceived', onAck);
    assert.deepEqual(payloadAcks, []);
    assert.equal((await t.server.store.tasks.get(taskArn))?.ackedDesiredStatus, undefined);
  });

  it('tells an agent to stop the candidates not wanted running there, and keeps the one that is', async () => {
    const here = await registerRawHost(t, CLUSTER);
    const there = await registerRawHost(t, CLUSTER);
    const agent = await connect(here);
    await connect(there);
    const manifest = await agent.next('TaskManifestMessage');
    const wanted = await startTask(t, here);
    const stopping = await startTask(t, here);
    await acked(t, stopping);
    await t.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: stopping }));
    const elsewhere = await startTask(t, there);
    const unknown = `${here.clusterArn.replace(':cluster/', ':task/')}/0123456789abcdef0123456789abcdef`;
    agent.send({
      type: 'TaskStopVerificationMessage',
      message: {
        messageId: manifest.message.messageId,
        stopCandidates: [wanted, stopping, elsewhere, unknown].map((taskArn) => ({
          taskArn,
          taskClusterArn: here.clusterArn,
          desiredStatus: 'RUNNING' as const,
        })),
      },
    });
    const answer = await agent.next('TaskStopVerificationAck');
    assert.equal(answer.message.messageId, manifest.message.messageId);
    assert.equal(typeof answer.message.generatedAt, 'number');
    assert.deepEqual(
      answer.message.stopTasks.map((s) => s.taskArn).sort(),
      [stopping, elsewhere, unknown].sort(),
    );
    assert.ok(answer.message.stopTasks.every((s) => s.desiredStatus === 'STOPPED'));
    assert.ok(answer.message.stopTasks.every((s) => s.taskClusterArn === here.clusterArn));
  });
});

describe('task manifests while connected', () => {
  let dir: string;
  let h: ServerHandle & { stop(): Promise<void> };
  let agent: RawAgent | undefined;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-manifest-'));
    const config = resolveServerConfig(
      { listen: '127.0.0.1:0', dataDir: dir, accountId: '123456789012', heartbeatInterval: '200ms' },
      {},
    );
    const server = await startServer(config, { logger: pino({ level: 'silent' }), manifestIntervalMs: 300 });
    const ecs = new ECSClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: readAdminKeys(server.admin.credentialsFile),
      maxAttempts: 1,
    });
    h = {
      server,
      url: server.url,
      region: 'us-east-1',
      ecs,
      async stop() {
        ecs.destroy();
        await server.stop();
      },
    };
    await setUpCluster(h);
  });
  after(async () => {
    await agent?.close();
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends one every interval, ordered with payloads by one counter, with the desired status of the record', async () => {
    const host = await registerRawHost(h, CLUSTER);
    agent = await RawAgent.connect(h, host);
    await connected(h, host, true);
    const first = await agent.next('TaskManifestMessage');
    const taskArn = await startTask(h, host);
    const payload = await agent.next('PayloadMessage', (m) => m.tasks.some((x) => x.arn === taskArn));
    await acked(h, taskArn);
    const running = await agent.next('TaskManifestMessage', (m) =>
      m.tasks.some((x) => x.taskArn === taskArn),
    );
    assert.ok(first.message.timeline < payload.message.seqNum);
    assert.ok(payload.message.seqNum < running.message.timeline);
    assert.equal(running.message.tasks[0]?.desiredStatus, 'RUNNING');
    await h.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskArn }));
    const stopping = await agent.next('TaskManifestMessage', (m) =>
      m.tasks.some((x) => x.taskArn === taskArn && x.desiredStatus === 'STOPPED'),
    );
    assert.ok(stopping.message.timeline > running.message.timeline);
    const timelines = agent.all('TaskManifestMessage').map((m) => m.message.timeline);
    assert.deepEqual(
      timelines,
      [...timelines].sort((a, b) => a - b),
    );
  });
});

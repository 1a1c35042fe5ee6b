/**
 * The task delivery's timers on the server's clock (a FakeClock): an unacknowledged payload is resent every
 * resend interval and no sooner, nothing is resent once acknowledged, and a connected agent gets a task
 * manifest every manifest interval. A scripted agent on a real session; time moves only when the test says.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateClusterCommand, RegisterTaskDefinitionCommand, StartTaskCommand } from '@aws-sdk/client-ecs';
import { FakeClock } from '../../src/util/testing/fake-clock.js';
import { waitFor } from '../../src/util/testing/wait-for.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { RawAgent, registerRawHost, type RawHost } from '../rigs/raw-agent.js';

const CLUSTER = 'timers';
const FAMILY = 'web';
const RESEND_MS = 10_000;
const MANIFEST_MS = 60_000;

describe("task delivery on the server's clock", () => {
  const clock = new FakeClock(Date.now());
  let t: TestServer;
  const agents: RawAgent[] = [];
  before(async () => {
    t = await startTestServer({
      clock,
      // Liveness well beyond the time these tests move.
      heartbeatInterval: '50s',
      sessionTimeout: '10m',
      payloadResendIntervalMs: RESEND_MS,
      manifestIntervalMs: MANIFEST_MS,
    });
    await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await t.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: FAMILY,
        requiresCompatibilities: ['EXTERNAL'],
        containerDefinitions: [{ name: 'web', image: '127.0.0.1:5000/web:1', memory: 64, essential: true }],
      }),
    );
  });
  after(async () => {
    for (const a of agents) await a.close();
    await t.stop();
  });

  async function connect(host: RawHost, ackPayloads: boolean): Promise<RawAgent> {
    const agent = await RawAgent.connect(t, host, { ackPayloads });
    agents.push(agent);
    await waitFor(
      'agentConnected',
      async () => (await t.server.store.containerInstances.get(host.arn))?.agentConnected === true,
    );
    return agent;
  }

  async function startTask(host: RawHost): Promise<string> {
    const out = await t.ecs.send(
      new StartTaskCommand({ cluster: CLUSTER, taskDefinition: FAMILY, containerInstances: [host.arn] }),
    );
    const arn = out.tasks?.[0]?.taskArn;
    assert.ok(arn, JSON.stringify(out.failures));
    return arn;
  }

  it('resends an unacknowledged payload every resend interval, no sooner, and stops once it is acknowledged', async () => {
    const host = await registerRawHost(t, CLUSTER);
    const agent = await connect(host, false);
    const sent: string[] = [];
    t.server.delivery.on('sent', (instance, _messageId, taskArns) => {
      if (instance === host.arn) sent.push(...taskArns);
    });
    const sendsOf = (taskArn: string) => sent.filter((a) => a === taskArn).length;
    const arn = await startTask(host);
    await waitFor('the first send', () => sendsOf(arn) === 1);

    // The resend timer runs from the session's start, which the clock has not moved past.
    await clock.advance(RESEND_MS - 1);
    assert.equal(sendsOf(arn), 1, 'not resent before the interval');
    await clock.advance(1);
    await waitFor('the resend', () => sendsOf(arn) === 2);
    const payloads = await waitFor('both payloads at the agent', () => {
      const found = agent.all('PayloadMessage').filter((p) => p.message.tasks.some((x) => x.arn === arn));
      return found.length === 2 ? found : undefined;
    });
    assert.notEqual(payloads[0]?.message.messageId, payloads[1]?.message.messageId);

    agent.ack(payloads[1]?.message.messageId ?? '');
    await waitFor('the ack recorded', async () => {
      const record = await t.server.store.tasks.get(arn);
      return record?.ackedDesiredStatus === 'RUNNING';
    });
    await clock.advance(RESEND_MS);
    // Passes over an instance run one after the other: once a second task's payload is out, the pass the
    // tick started is done too.
    const second = await startTask(host);
    await waitFor("the second task's payload", () => sendsOf(second) === 1);
    assert.equal(sendsOf(arn), 2, 'nothing is resent once acknowledged');
  });

  it('sends a connected agent a task manifest every manifest interval, and not in between', async () => {
    const host = await registerRawHost(t, CLUSTER);
    const agent = await connect(host, true);
    const manifests = () => agent.all('TaskManifestMessage').length;
    let sent = 0;
    t.server.delivery.on('manifestSent', (instance) => {
      if (instance === host.arn) sent++;
    });
    await waitFor('the manifest sent when the session opened', () => manifests() === 1);
    const opening = sent;

    await clock.advance(MANIFEST_MS - 1);
    assert.equal(sent, opening, 'no manifest before the interval');
    await clock.advance(1);
    await waitFor('the second manifest', () => manifests() === 2);
    await clock.advance(MANIFEST_MS);
    await waitFor('the third manifest', () => manifests() === 3);
    const timelines = agent.all('TaskManifestMessage').map((m) => m.message.timeline);
    assert.deepEqual(
      timelines,
      [...timelines].sort((a, b) => a - b),
      'timelines grow',
    );
  });
});

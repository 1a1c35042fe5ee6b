/**
 * The agent session end to end: a real control plane with short liveness settings, the agent's session
 * client (and, where a test must misbehave on purpose, a raw signed websocket), and what a user sees through
 * DescribeContainerInstances (`agentConnected`) and `/metrics`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DeregisterContainerInstanceCommand,
  DescribeContainerInstancesCommand,
  RegisterContainerInstanceCommand,
} from '@aws-sdk/client-ecs';
import type { WebSocket } from 'ws';
import {
  connectSession,
  type AgentSession,
  type AgentSessionOptions,
  type AgentSessionState,
} from '../../src/agent/session/agent-session.js';
import { HandshakeRefusedError, openSessionSocket } from '../../src/agent/session/handshake.js';
import type { SessionError } from '../../src/agent/session/reconnect-policy.js';
import { sessionUrl, signSessionRequest, type AgentCredentials } from '../../src/agent/session/signing.js';
import { issueAccessKey } from '../../src/control-plane/auth/access-keys.js';
import { decodeServerEnvelope, encodeEnvelope } from '../../src/acs/codec.js';
import { SESSION_CLOSE_CODES } from '../../src/acs/messages.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { waitFor } from '../../src/util/testing/wait-for.js';
import { FakeClock } from '../../src/util/testing/fake-clock.js';
import { RawAgent, registerRawHost } from '../rigs/raw-agent.js';

const HEARTBEAT = '200ms';
const SESSION_TIMEOUT_MS = 1_000;
const CLUSTER = 'edge';
/** Fast reconnects, and a read timeout long enough that only the server's timeout can act in these tests. */
const CLIENT_TIMINGS = {
  readTimeoutMs: 5_000,
  readTimeoutJitterMs: 0,
  backoff: { minMs: 50, maxMs: 400 },
} satisfies Partial<AgentSessionOptions>;

interface Host {
  readonly miId: string;
  readonly arn: string;
  readonly clusterArn: string;
  readonly credentials: AgentCredentials;
}

async function instanceCredentials(t: TestServer, miId: string): Promise<AgentCredentials> {
  return issueAccessKey(t.server.store.accessKeys, t.server.secretBox, {
    kind: 'instance',
    principalArn: `arn:aws:sts::123456789012:assumed-role/berth-instance/${miId}`,
    instanceId: miId,
    lifetimeMs: 15 * 60_000,
    now: new Date(),
  });
}

/** A host as an administrator registers it on the agent's behalf, with its own instance credentials. */
async function registerHost(t: TestServer): Promise<Host> {
  const miId = `mi-${randomBytes(9).toString('hex').slice(0, 17)}`;
  const out = await t.ecs.send(
    new RegisterContainerInstanceCommand({
      cluster: CLUSTER,
      instanceIdentityDocument: JSON.stringify({ instanceId: miId }),
      totalResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: 3800 },
      ],
    }),
  );
  const arn = out.containerInstance?.containerInstanceArn;
  assert.ok(arn);
  const clusterArn = `arn:aws:ecs:us-east-1:123456789012:cluster/${CLUSTER}`;
  return { miId, arn, clusterArn, credentials: await instanceCredentials(t, miId) };
}

async function describe1(t: TestServer, arn: string) {
  const out = await t.ecs.send(
    new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: [arn] }),
  );
  const instance = out.containerInstances?.[0];
  assert.ok(instance, `instance ${arn} described`);
  return instance;
}

const connected = (t: TestServer, arn: string) => async () =>
  (await describe1(t, arn)).agentConnected === true;
const disconnected = (t: TestServer, arn: string) => async () =>
  (await describe1(t, arn)).agentConnected === false;

function agent(t: TestServer, host: Host, extra: Partial<AgentSessionOptions> = {}): AgentSession {
  return connectSession({
    endpoint: t.url,
    region: t.region,
    clusterArn: host.clusterArn,
    containerInstanceArn: host.arn,
    agentVersion: '0.1.0',
    dockerVersion: '24.0.7',
    credentials: () => Promise.resolve(host.credentials),
    ...CLIENT_TIMINGS,
    ...extra,
  });
}

/** A signed websocket without the client's manners: it answers heartbeats only until paused. */
async function rawSession(
  t: TestServer,
  host: Host,
  override: { credentials?: AgentCredentials; arn?: string; clusterArn?: string } = {},
): Promise<WebSocket> {
  const url = sessionUrl(t.url, {
    clusterArn: override.clusterArn ?? host.clusterArn,
    containerInstanceArn: override.arn ?? host.arn,
    agentVersion: 'raw',
    seqNum: 1,
    protocolVersion: 2,
    sendCredentials: false,
  });
  const headers = await signSessionRequest({
    url,
    region: t.region,
    credentials: override.credentials ?? host.credentials,
    signingDate: new Date(),
  });
  const ws = await openSessionSocket(url, headers, 5_000);
  ws.on('message', (data: Buffer) => {
    const decoded = decodeServerEnvelope(data.toString('utf8'));
    if (decoded.ok && decoded.envelope.type === 'HeartbeatMessage') {
      const { messageId } = decoded.envelope.message;
      ws.send(encodeEnvelope({ type: 'HeartbeatAckRequest', message: { messageId } }));
    }
  });
  ws.on('error', () => undefined);
  return ws;
}

async function refusal(promise: Promise<unknown>): Promise<HandshakeRefusedError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof HandshakeRefusedError, `refused, not ${String(e)}`);
    return e;
  }
  assert.fail('the handshake was accepted');
}

async function metric(t: TestServer, name: string): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? NaN : Number(line.split(' ')[1]);
}

function states(session: AgentSession): AgentSessionState[] {
  const seen: AgentSessionState[] = [session.state];
  session.on('state', (s) => seen.push(s));
  return seen;
}

describe('agent session', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ heartbeatInterval: HEARTBEAT, sessionTimeout: `${SESSION_TIMEOUT_MS}ms` });
    await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  });
  after(() => t.stop());

  it('connects, heartbeats, and shows agentConnected until it stops', async () => {
    const host = await registerHost(t);
    const before = await describe1(t, host.arn);
    assert.equal(before.agentConnected, false);
    const session = agent(t, host);
    const seen = states(session);
    await waitFor('agentConnected true', connected(t, host.arn));
    assert.equal(session.state, 'CONNECTED');
    assert.ok(((await describe1(t, host.arn)).version ?? 0) > (before.version ?? 0), 'version bumped');
    await waitFor('heartbeat acks', () => t.server.gateway.session(host.arn)?.lastAckAt !== undefined);
    assert.ok((await metric(t, 'berth_heartbeat_rtt_seconds_count')) > 0, 'RTT histogram counts acks');
    assert.ok((await metric(t, 'berth_agent_sessions')) >= 1);
    await session.stop();
    assert.equal(session.state, 'STOPPED');
    await waitFor('agentConnected false after stop', disconnected(t, host.arn), 1_000);
    assert.deepEqual(seen, ['CONNECTING', 'CONNECTED', 'STOPPED']);
  });

  it('turns agentConnected false at once when the agent dies (its socket closes)', async () => {
    const host = await registerHost(t);
    const ws = await rawSession(t, host);
    await waitFor('agentConnected true', connected(t, host.arn));
    const closedBefore = await metric(t, 'berth_session_closed_total{reason="agent_closed"}');
    const started = Date.now();
    ws.terminate();
    await waitFor('agentConnected false', disconnected(t, host.arn), 2_000, { intervalMs: 20 });
    const ms = Date.now() - started;
    assert.ok(ms < SESSION_TIMEOUT_MS, `noticed in ${ms} ms, before any timeout`);
    assert.equal(await metric(t, 'berth_session_closed_total{reason="agent_closed"}'), closedBefore + 1);
  });

  it('drops a silent session (a partition) within the session timeout', async () => {
    const host = await registerHost(t);
    const ws = await rawSession(t, host);
    await waitFor('agentConnected true', connected(t, host.arn));
    ws.pause(); // stops reading: no more acks, while TCP stays up, as behind a dead link
    const started = Date.now();
    await waitFor('agentConnected false', disconnected(t, host.arn), SESSION_TIMEOUT_MS + 2_000, {
      intervalMs: 20,
    });
    const ms = Date.now() - started;
    assert.ok(ms >= SESSION_TIMEOUT_MS - 300, `not before the timeout (${ms} ms)`);
    assert.ok((await metric(t, 'berth_session_closed_total{reason="timeout"}')) >= 1);
    ws.terminate();
  });

  it('refuses a deregistered instance with InactiveInstanceException, and the agent backs off for long', async () => {
    const host = await registerHost(t);
    await t.ecs.send(
      new DeregisterContainerInstanceCommand({ cluster: CLUSTER, containerInstance: host.arn }),
    );
    const refused = await refusal(rawSession(t, host));
    assert.equal(refused.status, 400);
    assert.equal(refused.error?.type, 'InactiveInstanceException');

    const session = agent(t, host);
    const unretriable = new Promise<[SessionError, number]>((r) =>
      session.once('unretriable', (e, ms) => r([e, ms])),
    );
    const [error, retryInMs] = await unretriable;
    assert.equal(error.type, 'InactiveInstanceException');
    assert.equal(retryInMs, 60 * 60_000);
    await waitFor('backing off', () => session.state === 'BACKING_OFF');
    await session.stop();
  });

  it('ends a live session with InactiveInstanceException when the instance is deregistered', async () => {
    const host = await registerHost(t);
    const session = agent(t, host, { unretriableDelayMs: 60_000 });
    await waitFor('agentConnected true', connected(t, host.arn));
    const unretriable = new Promise<SessionError>((r) => session.once('unretriable', (e) => r(e)));
    // DeregisterContainerInstance alone ends the session (the gateway hears it on the change bus).
    await t.ecs.send(
      new DeregisterContainerInstanceCommand({ cluster: CLUSTER, containerInstance: host.arn }),
    );
    assert.equal((await unretriable).type, 'InactiveInstanceException');
    await waitFor('agentConnected false', disconnected(t, host.arn));
    await session.stop();
  });

  it('refuses wrong credentials, another host’s instance, unknown clusters and unsigned requests', async () => {
    const host = await registerHost(t);
    const other = await registerHost(t);
    const wrongSecret = { ...host.credentials, secretAccessKey: 'x'.repeat(40) };
    const denied = await refusal(rawSession(t, host, { credentials: wrongSecret }));
    assert.equal(denied.status, 403);
    assert.equal(denied.error?.type, 'AccessDeniedException');
    assert.match(denied.error?.message ?? '', /InvalidSignatureException/);

    const foreign = await refusal(rawSession(t, host, { arn: other.arn }));
    assert.equal(foreign.status, 403);
    assert.equal(foreign.error?.type, 'InvalidInstanceException');

    const unknown = await refusal(rawSession(t, host, { arn: `${host.arn.slice(0, -4)}beef` }));
    assert.equal(unknown.error?.type, 'InvalidInstanceException');

    const noCluster = await refusal(rawSession(t, host, { clusterArn: 'nowhere' }));
    assert.equal(noCluster.error?.type, 'InvalidClusterException');

    const unsignedUrl = sessionUrl(t.url, {
      clusterArn: CLUSTER,
      containerInstanceArn: host.arn,
      agentVersion: 'raw',
      seqNum: 1,
      protocolVersion: 2,
      sendCredentials: false,
    });
    const unsigned = await refusal(openSessionSocket(unsignedUrl, {}, 5_000));
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.error?.type, 'AccessDeniedException');
    assert.match(unsigned.error?.message ?? '', /MissingAuthenticationToken/);

    // An administrator may open any instance's session (tools, simulators).
    const admin = await rawSession(t, host, { credentials: t.keys });
    await waitFor('admin session connects the instance', connected(t, host.arn));
    admin.terminate();

    // The client treats a credential refusal as retriable: the next attempt brings fresh credentials.
    const session = agent(t, host, { credentials: () => Promise.resolve(wrongSecret) });
    const failed = new Promise<SessionError | undefined>((r) =>
      session.once('connectFailed', (_c, e) => r(e)),
    );
    assert.equal((await failed)?.type, 'AccessDeniedException');
    let unretriable = false;
    session.on('unretriable', () => (unretriable = true));
    await waitFor('short backoff', () => session.state === 'BACKING_OFF' || session.state === 'CONNECTING');
    await session.stop();
    assert.equal(unretriable, false);
  });

  it('lets a second session of the same instance replace the first without flapping agentConnected', async () => {
    const host = await registerHost(t);
    const first = agent(t, host);
    await waitFor('first connects', connected(t, host.arn));
    const replaced = new Promise<number>((r) => first.once('disconnected', (info) => r(info.code)));
    const second = await rawSession(t, host);
    assert.equal(await replaced, SESSION_CLOSE_CODES.replaced);
    await first.stop();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(
      (await describe1(t, host.arn)).agentConnected,
      true,
      'the second session holds the instance',
    );
    assert.ok(t.server.gateway.session(host.arn)?.isOpen);
    second.terminate();
    await waitFor('agentConnected false', disconnected(t, host.arn));
  });

  it('signs every connection with fresh credentials, so rotation between reconnects works', async () => {
    const host = await registerHost(t);
    const issued: AgentCredentials[] = [];
    const session = agent(t, host, {
      credentials: async () => {
        const c = await instanceCredentials(t, host.miId);
        issued.push(c);
        return c;
      },
    });
    await waitFor('connected', connected(t, host.arn));
    const firstKey = issued[0];
    assert.ok(firstKey);
    await t.server.store.accessKeys.delete(firstKey.accessKeyId); // the old key stops working
    const reconnected = new Promise<void>((r) => session.once('connected', () => r()));
    assert.equal(t.server.gateway.closeInstanceSessions(host.arn, 'test: rotate'), 1);
    await reconnected;
    assert.ok(issued.length >= 2 && issued[1]?.accessKeyId !== firstKey.accessKeyId);
    await waitFor('connected again', connected(t, host.arn));
    await session.stop();
  });
});

describe('agent session across a control plane restart', () => {
  it('marks instances disconnected on start and the agent comes back on its own', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-session-'));
    const options = { dataDir, heartbeatInterval: HEARTBEAT, sessionTimeout: `${SESSION_TIMEOUT_MS}ms` };
    let t = await startTestServer(options);
    try {
      await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
      const host = await registerHost(t);
      const idle = await registerHost(t);
      const session = agent(t, host);
      const seen = states(session);
      await waitFor('connected', connected(t, host.arn));
      // A crash leaves flags as they were; simulate one for an instance without an agent.
      const stale = await t.server.store.containerInstances.get(idle.arn);
      assert.ok(stale);
      await t.server.store.containerInstances.put(host.clusterArn, { ...stale, agentConnected: true });

      const port = t.server.port;
      await t.stop();
      await waitFor('agent notices', () => session.state !== 'CONNECTED');
      t = await startTestServer({ ...options, listen: `127.0.0.1:${port}` });
      assert.equal((await describe1(t, idle.arn)).agentConnected, false, 'reset on start');
      await waitFor('agent back', connected(t, host.arn), 10_000);
      assert.ok(seen.includes('BACKING_OFF'), `states: ${seen.join(' ')}`);
      await session.stop();
    } finally {
      await t.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('agent read timeout', () => {
  it('drops a session that brings no message and reconnects', async () => {
    // Heartbeats far apart: after the first one (sent on open) the agent hears nothing for 5 s.
    const t = await startTestServer({ heartbeatInterval: '5s', sessionTimeout: '20s' });
    try {
      await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
      const host = await registerHost(t);
      const session = agent(t, host, { readTimeoutMs: 300, readTimeoutJitterMs: 0 });
      const dropped = new Promise<number>((r) => session.once('disconnected', (info) => r(info.code)));
      await waitFor('connected', connected(t, host.arn));
      assert.equal(await dropped, 1006, 'closed abnormally by the agent itself');
      const back = new Promise<void>((r) => session.once('connected', () => r()));
      await back;
      await session.stop();
    } finally {
      await t.stop();
    }
  });
});

describe("session liveness on the server's clock", () => {
  const clock = new FakeClock(Date.now());
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      clock,
      heartbeatInterval: HEARTBEAT,
      sessionTimeout: `${SESSION_TIMEOUT_MS}ms`,
    });
    await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  });
  after(() => t.stop());

  it('heartbeats every interval, and drops a silent session once the session timeout has passed, not before', async () => {
    const host = await registerRawHost(t, CLUSTER);
    const agent = await RawAgent.connect(t, host);
    await waitFor('agentConnected true', connected(t, host.arn));
    const heartbeats = () => agent.all('HeartbeatMessage').length;
    await waitFor('the heartbeat sent on open', () => heartbeats() === 1);
    await clock.advance(200);
    await waitFor('a heartbeat one interval later', () => heartbeats() === 2);
    // Both acknowledged: the agent's last word came at this moment of the clock.
    await waitFor('both acks', async () => (await metric(t, 'berth_heartbeat_rtt_seconds_count')) === 2);
    const session = t.server.gateway.session(host.arn);
    assert.ok(session?.isOpen);

    agent.pause(); // stops reading: no more acks, while TCP stays up, as behind a dead link
    await clock.advance(SESSION_TIMEOUT_MS - 1);
    assert.ok(session.isOpen, 'still open a moment before the timeout');
    assert.equal((await describe1(t, host.arn)).agentConnected, true);
    await clock.advance(1);
    assert.equal(session.isOpen, false, 'dropped at the timeout');
    await waitFor('agentConnected false', disconnected(t, host.arn));
    assert.equal(await metric(t, 'berth_session_closed_total{reason="timeout"}'), 1);
  });
});

describe("agent read timeout on the agent's clock", () => {
  it('drops a session that brings no message for the read timeout, not before, and reconnects', async () => {
    // The server sends one heartbeat on open, then nothing for an hour.
    const t = await startTestServer({ heartbeatInterval: '50s', sessionTimeout: '1h' });
    const clock = new FakeClock();
    const READ_TIMEOUT_MS = 90_000;
    try {
      await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
      const host = await registerHost(t);
      const connects: number[] = [];
      const session = agent(t, host, {
        readTimeoutMs: READ_TIMEOUT_MS,
        readTimeoutJitterMs: 0,
        timers: clock,
      });
      session.on('connected', () => connects.push(clock.now()));
      const dropped = new Promise<number>((r) => session.once('disconnected', (info) => r(info.code)));
      await waitFor('connected', connected(t, host.arn));
      // The agent acknowledged the heartbeat sent on open: from here on it hears nothing.
      await waitFor('the ack', async () => (await metric(t, 'berth_heartbeat_rtt_seconds_count')) === 1);
      const start = clock.now();
      await clock.advance(READ_TIMEOUT_MS - 1);
      assert.equal(session.state, 'CONNECTED', 'not dropped before the read timeout');
      assert.deepEqual(clock.delays()[0], 1, 'the read timeout is due in a millisecond');
      await clock.advance(1);
      assert.equal(await dropped, 1006, 'closed abnormally by the agent itself');
      assert.equal(clock.now() - start, READ_TIMEOUT_MS);
      // Backing off on the same clock: move it past the longest backoff.
      await waitFor('backing off', () => session.state === 'BACKING_OFF');
      await clock.advance(CLIENT_TIMINGS.backoff.maxMs);
      await waitFor('connected again', () => connects.length === 2);
      await session.stop();
    } finally {
      await t.stop();
    }
  });
});

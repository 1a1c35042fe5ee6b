/**
 * Task delivery and state reporting, both ends, without Docker: a real control plane, RunTask/StopTask
 * through the SDK, and the agent's real session, durable task state, payload responder and report queue
 * around a fake task engine that records what it is given. What a user would check is checked through
 * DescribeTasks; what the agent keeps is checked on its disk.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  StartTaskCommand,
  StopTaskCommand,
  SubmitContainerStateChangeCommand,
  SubmitTaskStateChangeCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import type { TaskRecord } from '../../src/domain/task-record.js';
import { connectSession, type AgentSession } from '../../src/agent/session/agent-session.js';
import type { AgentCredentials } from '../../src/agent/session/signing.js';
import type { TaskStateChange } from '../../src/agent/tasks/contracts.js';
import { REPORTS_DIR } from '../../src/agent/tasks/reporter.js';
import { createEcsSubmitter, type SubmitStateChange } from '../../src/agent/tasks/submit-state-change.js';
import { startTaskRuntime, type TaskRuntime } from '../../src/agent/tasks/task-runtime.js';
import { FakeTaskEngine } from '../../src/agent/testing/fake-task-engine.js';
import { issueAccessKey } from '../../src/control-plane/auth/access-keys.js';
import type { AgentEnvelope } from '../../src/acs/messages.js';
import type { AcsTask } from '../../src/acs/payload.js';
import { ConfigError, resolveServerConfig } from '../../src/control-plane/config.js';
import { purgeStoppedTasks } from '../../src/control-plane/tasks/purge.js';
import { BASE_ATTRIBUTES } from '../rigs/run-task-fixtures.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const CLUSTER = 'edge';
const CLUSTER_ARN = `arn:aws:ecs:us-east-1:123456789012:cluster/${CLUSTER}`;
const FAMILY = 'web';
/** What a wait on this loaded machine's sessions may take. */
const WAIT_MS = 8_000;
const SERVER_TIMINGS = { heartbeatInterval: '200ms', sessionTimeout: '2s', payloadResendIntervalMs: 300 };

interface Host {
  readonly miId: string;
  readonly arn: string;
  readonly credentials: AgentCredentials;
}

interface TestAgent {
  readonly runtime: TaskRuntime;
  readonly engine: FakeTaskEngine;
  readonly session: AgentSession;
  readonly dataDir: string;
  /** AckRequests still to drop before acks go through. */
  dropAcks: number;
  stop(): Promise<void>;
}

async function setUpCluster(t: TestServer): Promise<void> {
  await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  await t.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: FAMILY,
      requiresCompatibilities: ['EXTERNAL'],
      containerDefinitions: [
        {
          name: 'web',
          image: '127.0.0.1:5000/web:1',
          memory: 128,
          essential: true,
          portMappings: [{ containerPort: 80, hostPort: 8080 }],
          healthCheck: { command: ['CMD-SHELL', 'true'] },
          environment: [{ name: 'MODE', value: 'prod' }],
          hostname: 'web-1',
        },
      ],
    }),
  );
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
      attributes: [...BASE_ATTRIBUTES, { name: 'ecs.capability.container-health-check' }],
    }),
  );
  const arn = out.containerInstance?.containerInstanceArn;
  assert.ok(arn);
  const credentials = await issueAccessKey(t.server.store.accessKeys, t.server.secretBox, {
    kind: 'instance',
    principalArn: `arn:aws:sts::123456789012:assumed-role/berth-instance/${miId}`,
    instanceId: miId,
    lifetimeMs: 60 * 60_000,
    now: new Date(),
  });
  return { miId, arn, credentials };
}

/** The agent's task parts and session, around a fake engine; `submit` replaces the real SubmitTaskStateChange. */
async function startAgent(
  t: TestServer,
  host: Host,
  options: { dataDir?: string; dropAcks?: number; submit?: SubmitStateChange } = {},
): Promise<TestAgent> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'berth-agent-'));
  const submitter = createEcsSubmitter({
    endpoint: t.url,
    region: t.region,
    credentials: () => Promise.resolve(host.credentials),
  });
  const runtime = await startTaskRuntime({
    dataDir,
    clusterArn: CLUSTER_ARN,
    containerInstanceArn: host.arn,
    submit: options.submit ?? submitter.submit,
    engine: (deps) => new FakeTaskEngine(deps.restored),
    reportBackoff: { minMs: 20, maxMs: 100 },
  });
  const session = connectSession({
    endpoint: t.url,
    region: t.region,
    clusterArn: CLUSTER_ARN,
    containerInstanceArn: host.arn,
    agentVersion: '0.1.0',
    credentials: () => Promise.resolve(host.credentials),
    readTimeoutMs: 5_000,
    readTimeoutJitterMs: 0,
    backoff: { minMs: 50, maxMs: 300 },
    onPayload: runtime.onPayload,
  });
  const agent: TestAgent = {
    runtime,
    engine: runtime.engine as FakeTaskEngine,
    session,
    dataDir,
    dropAcks: options.dropAcks ?? 0,
    async stop() {
      await session.stop();
      await runtime.stop();
      submitter.destroy();
    },
  };
  runtime.attach((envelope: AgentEnvelope) => {
    if (envelope.type === 'AckRequest' && agent.dropAcks > 0) {
      agent.dropAcks -= 1;
      return true;
    }
    return session.send(envelope);
  });
  await waitFor(
    'agent connected',
    async () => (await t.server.store.containerInstances.get(host.arn))?.agentConnected === true,
    WAIT_MS,
  );
  return agent;
}

/** StartTask on the host (RunTask would place it on any of this cluster's hosts). */
async function runTask(t: TestServer, host: Host): Promise<string> {
  const out = await t.ecs.send(
    new StartTaskCommand({ cluster: CLUSTER, taskDefinition: FAMILY, containerInstances: [host.arn] }),
  );
  assert.deepEqual(out.failures, []);
  const arn = out.tasks?.[0]?.taskArn;
  assert.ok(arn);
  return arn;
}

async function describeTask(t: TestServer, arn: string): Promise<Task> {
  const out = await t.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }));
  const task = out.tasks?.[0];
  assert.ok(task, `task ${arn} described`);
  return task;
}

const acked = (t: TestServer, arn: string, status: 'RUNNING' | 'STOPPED') => async () => {
  const record = await t.server.store.tasks.get(arn);
  return record !== undefined && record.ackedDesiredStatus === status;
};

/** Counts the payloads the control plane sends that carry `taskArn`. */
function countSends(t: TestServer, taskArn: string): { readonly count: number } {
  const counter = { count: 0 };
  t.server.delivery.on('sent', (_instance, _id, taskArns) => {
    if (taskArns.includes(taskArn)) counter.count += 1;
  });
  return counter;
}

async function metric(t: TestServer, name: string): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? NaN : Number(line.split(' ')[1]);
}

function change(taskArn: string, patch: Partial<TaskStateChange>): TaskStateChange {
  return { taskArn, clusterArn: CLUSTER_ARN, status: 'PENDING', containers: [], at: Date.now(), ...patch };
}

describe('task delivery', () => {
  let t: TestServer;
  const agents: TestAgent[] = [];
  before(async () => {
    t = await startTestServer(SERVER_TIMINGS);
    await setUpCluster(t);
  });
  after(async () => {
    for (const a of agents) await a.stop();
    for (const a of agents) rmSync(a.dataDir, { recursive: true, force: true });
    await t.stop();
  });

  it('sends a placed task to its agent, which stores it on disk before acknowledging', async () => {
    const host = await registerHost(t);
    const agent = await startAgent(t, host);
    agents.push(agent);
    const onDiskAtAck = new Map<string, boolean>();
    t.server.delivery.on('ackReceived', (_instance, _id, taskArns) => {
      for (const arn of taskArns) onDiskAtAck.set(arn, existsSync(agent.runtime.store.fileOf(arn)));
    });
    const arn = await runTask(t, host);
    const delivered: AcsTask = await agent.engine.next((task) => task.arn === arn);
    assert.equal(delivered.family, FAMILY);
    assert.equal(delivered.desiredStatus, 'RUNNING');
    assert.equal(delivered.containers[0]?.image, '127.0.0.1:5000/web:1');
    assert.deepEqual(delivered.containers[0]?.environment, { MODE: 'prod' });
    assert.equal(JSON.parse(delivered.containers[0]?.dockerConfig?.config ?? '{}').Hostname, 'web-1');
    await waitFor('ack recorded', acked(t, arn, 'RUNNING'), WAIT_MS);
    assert.equal(onDiskAtAck.get(arn), true, 'the task file existed when the ack arrived');
    const described = await describeTask(t, arn);
    assert.equal(described.lastStatus, 'PENDING');
    assert.ok(!('berthAckedDesiredStatus' in described), 'internal fields stay internal');
    assert.ok(!('ackedDesiredStatus' in described), 'internal fields stay internal');
    assert.ok((await metric(t, 'berth_payloads_sent_total')) >= 1);
    assert.ok((await metric(t, 'berth_payload_ack_seconds_count')) >= 1);
  });

  it('sends a task again until the agent acknowledges it', async () => {
    const host = await registerHost(t);
    const agent = await startAgent(t, host, { dropAcks: 2 });
    agents.push(agent);
    const sent: string[] = [];
    t.server.delivery.on('sent', (_i, _m, taskArns) => sent.push(...taskArns));
    const arn = await runTask(t, host);
    await waitFor('ack recorded after resends', acked(t, arn, 'RUNNING'), WAIT_MS);
    const sends = sent.filter((a) => a === arn).length;
    assert.ok(sends >= 3, `sent ${sends} times`);
    assert.equal(agent.dropAcks, 0);
    // The resends were the same delivery: the engine got the task once.
    assert.equal(agent.engine.accepted.filter((task) => task.arn === arn).length, 1);
  });

  it('delivers StopTask, with its reason', async () => {
    const host = await registerHost(t);
    const agent = await startAgent(t, host);
    agents.push(agent);
    const arn = await runTask(t, host);
    await waitFor('RUNNING acked', acked(t, arn, 'RUNNING'), WAIT_MS);
    const stopping = agent.engine.next((task) => task.arn === arn && task.desiredStatus === 'STOPPED');
    await t.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn, reason: 'maintenance window' }));
    const stop = await stopping;
    assert.equal(stop.stoppedReason, 'maintenance window');
    assert.equal(stop.desiredStatusSeq, 2);
    await waitFor('STOPPED acked', acked(t, arn, 'STOPPED'), WAIT_MS);
    assert.equal((await describeTask(t, arn)).desiredStatus, 'STOPPED');
  });

  it('moves DescribeTasks through PENDING, RUNNING and STOPPED as the agent reports', async () => {
    const host = await registerHost(t);
    const agent = await startAgent(t, host);
    agents.push(agent);
    const arn = await runTask(t, host);
    await waitFor('RUNNING acked', acked(t, arn, 'RUNNING'), WAIT_MS);
    const created = (await describeTask(t, arn)).createdAt?.getTime() ?? 0;
    // Reported times lie between the task's creation and now (the control plane clamps them there).
    await new Promise((r) => setTimeout(r, 300));
    const pulled = created + 100;
    agent.runtime.reporter.report(
      change(arn, {
        status: 'RUNNING',
        pullStartedAt: created + 10,
        pullStoppedAt: pulled,
        startedAt: pulled + 50,
        at: pulled + 50,
        containers: [
          {
            name: 'web',
            knownStatus: 'RUNNING',
            runtimeId: 'c0ffee',
            healthStatus: 'HEALTHY',
            networkBindings: [{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 8080, protocol: 'tcp' }],
          },
        ],
      }),
    );
    await waitFor('RUNNING', async () => (await describeTask(t, arn)).lastStatus === 'RUNNING', WAIT_MS);
    const running = await describeTask(t, arn);
    assert.equal(running.pullStartedAt?.getTime(), created + 10);
    assert.equal(running.pullStoppedAt?.getTime(), pulled);
    assert.equal(running.startedAt?.getTime(), pulled + 50);
    assert.equal(running.healthStatus, 'HEALTHY');
    const web = running.containers?.[0];
    assert.equal(web?.runtimeId, 'c0ffee');
    assert.equal(web?.lastStatus, 'RUNNING');
    assert.equal(web?.healthStatus, 'HEALTHY');
    assert.deepEqual(web?.networkBindings, [
      { bindIP: '0.0.0.0', containerPort: 80, hostPort: 8080, protocol: 'tcp' },
    ]);

    agent.runtime.reporter.report(
      change(arn, {
        status: 'STOPPED',
        executionStoppedAt: Date.now(),
        containers: [
          { name: 'web', knownStatus: 'STOPPED', runtimeId: 'c0ffee', exitCode: 2, reason: 'exited' },
        ],
      }),
    );
    await waitFor('STOPPED', async () => (await describeTask(t, arn)).lastStatus === 'STOPPED', WAIT_MS);
    const stopped = await describeTask(t, arn);
    assert.equal(stopped.desiredStatus, 'STOPPED');
    assert.equal(stopped.stopCode, 'EssentialContainerExited');
    assert.equal(stopped.stoppedReason, 'Essential container in task exited');
    assert.ok(stopped.executionStoppedAt && stopped.stoppedAt && stopped.stoppingAt);
    assert.equal(stopped.containers?.[0]?.exitCode, 2);
    assert.equal(stopped.containers?.[0]?.reason, 'exited');
    const cli = await t.awsJson<{ tasks: { lastStatus: string }[] }>([
      'ecs',
      'describe-tasks',
      '--cluster',
      CLUSTER,
      '--tasks',
      arn,
    ]);
    assert.equal(cli.tasks[0]?.lastStatus, 'STOPPED');
  });

  it('never moves a task back for a late report, and refuses reports for another host', async () => {
    const host = await registerHost(t);
    const other = await registerHost(t);
    const agent = await startAgent(t, host);
    agents.push(agent);
    const arn = await runTask(t, host);
    await waitFor('RUNNING acked', acked(t, arn, 'RUNNING'), WAIT_MS);
    await t.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn }));
    const ecsAs = (h: Host) =>
      new ECSClient({ endpoint: t.url, region: t.region, credentials: h.credentials, maxAttempts: 1 });
    const mine = ecsAs(host);
    const theirs = ecsAs(other);
    try {
      await mine.send(new SubmitTaskStateChangeCommand({ cluster: CLUSTER, task: arn, status: 'STOPPED' }));
      const stopped = await describeTask(t, arn);
      assert.equal(stopped.lastStatus, 'STOPPED');
      assert.equal(stopped.stopCode, 'UserInitiated');
      assert.equal(stopped.stoppedReason, 'Task stopped by user');
      const late = await mine.send(
        new SubmitTaskStateChangeCommand({
          cluster: CLUSTER,
          task: arn,
          status: 'RUNNING',
          containers: [{ containerName: 'web', status: 'RUNNING', runtimeId: 'late' }],
        }),
      );
      assert.equal(late.acknowledgment, 'ACK');
      const after = await describeTask(t, arn);
      assert.equal(after.lastStatus, 'STOPPED');
      assert.equal(after.containers?.[0]?.lastStatus, 'STOPPED');
      await assert.rejects(
        theirs.send(new SubmitTaskStateChangeCommand({ cluster: CLUSTER, task: arn, status: 'RUNNING' })),
        (e: Error) => e.name === 'AccessDeniedException',
      );
      await assert.rejects(
        theirs.send(
          new SubmitContainerStateChangeCommand({ cluster: CLUSTER, task: arn, containerName: 'web' }),
        ),
        (e: Error) => e.name === 'AccessDeniedException',
      );
    } finally {
      mine.destroy();
      theirs.destroy();
    }
  });

  it('takes SubmitContainerStateChange for one container without moving the task', async () => {
    const host = await registerHost(t);
    const arn = await (async () => {
      const agent = await startAgent(t, host);
      agents.push(agent);
      return runTask(t, host);
    })();
    const client = new ECSClient({
      endpoint: t.url,
      region: t.region,
      credentials: host.credentials,
      maxAttempts: 1,
    });
    try {
      await client.send(
        new SubmitContainerStateChangeCommand({
          cluster: CLUSTER,
          task: arn,
          containerName: 'web',
          runtimeId: 'abc',
          status: 'RUNNING',
          networkBindings: [{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 8080, protocol: 'tcp' }],
        }),
      );
    } finally {
      client.destroy();
    }
    const task = await describeTask(t, arn);
    assert.equal(task.lastStatus, 'PENDING');
    assert.equal(task.containers?.[0]?.runtimeId, 'abc');
    assert.equal(task.containers?.[0]?.lastStatus, 'RUNNING');
  });

  it('keeps reports on disk across an agent restart and delivers them in order, once', async () => {
    const host = await registerHost(t);
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-agent-'));
    const first = await startAgent(t, host, {
      dataDir,
      // The uplink is down for reports.
      submit: () => Promise.reject(new Error('connect ECONNREFUSED')),
    });
    const arn = await runTask(t, host);
    await waitFor('RUNNING acked', acked(t, arn, 'RUNNING'), WAIT_MS);
    await new Promise((r) => setTimeout(r, 300));
    const startedAt = Date.now() - 100;
    await first.runtime.reporter.enqueue(
      change(arn, {
        status: 'RUNNING',
        startedAt,
        at: startedAt,
        containers: [{ name: 'web', knownStatus: 'RUNNING', runtimeId: 'r1' }],
      }),
    );
    await first.runtime.reporter.enqueue(
      change(arn, {
        status: 'STOPPED',
        containers: [{ name: 'web', knownStatus: 'STOPPED', runtimeId: 'r1', exitCode: 0 }],
      }),
    );
    await first.stop();
    assert.equal(readdirSync(join(dataDir, REPORTS_DIR)).length, 2);
    const versionBefore = (await describeTask(t, arn)).version ?? 0;
    assert.equal((await describeTask(t, arn)).lastStatus, 'PENDING');

    const submitted: string[] = [];
    const submitter = createEcsSubmitter({
      endpoint: t.url,
      region: t.region,
      credentials: () => Promise.resolve(host.credentials),
    });
    const second = await startAgent(t, host, {
      dataDir,
      submit: async (c, signal) => {
        await submitter.submit(c, signal);
        submitted.push(c.status);
      },
    });
    agents.push(second);
    await second.runtime.reporter.drained();
    submitter.destroy();
    assert.deepEqual(submitted, ['RUNNING', 'STOPPED']);
    assert.deepEqual(readdirSync(join(dataDir, REPORTS_DIR)), []);
    const task = await describeTask(t, arn);
    assert.equal(task.lastStatus, 'STOPPED');
    assert.equal(task.startedAt?.getTime(), startedAt, 'startedAt is when it started on the host');
    assert.equal(task.version, versionBefore + 2, 'each report applied exactly once');
    // The restarted agent knows the task it was given before (no second delivery reaches the engine).
    assert.equal(second.engine.accepted.filter((x) => x.arn === arn).length, 0);
  });
});

describe('task delivery across a control plane restart', () => {
  it('sends again what the agent had not acknowledged', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-test-'));
    let t = await startTestServer({ ...SERVER_TIMINGS, dataDir });
    const port = t.server.port;
    let agent: TestAgent | undefined;
    try {
      await setUpCluster(t);
      const host = await registerHost(t);
      agent = await startAgent(t, host, { dropAcks: Number.MAX_SAFE_INTEGER });
      const arn = await runTask(t, host);
      await agent.engine.next((task) => task.arn === arn);
      assert.equal((await t.server.store.tasks.get(arn))?.ackedDesiredStatus, undefined);
      await t.stop();

      t = await startTestServer({ ...SERVER_TIMINGS, dataDir, listen: `127.0.0.1:${port}` });
      const sends = countSends(t, arn);
      agent.dropAcks = 0;
      await waitFor('ack recorded by the new control plane', acked(t, arn, 'RUNNING'), 15_000);
      assert.ok(sends.count >= 1);
      assert.equal(agent.engine.accepted.filter((task) => task.arn === arn).length, 1);
    } finally {
      await agent?.stop();
      await t.stop();
      if (agent) rmSync(agent.dataDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('stopped task retention', () => {
  it('is at least an hour, one hour by default', () => {
    assert.equal(resolveServerConfig({}, {}).stoppedTaskRetentionMs, 3_600_000);
    assert.equal(resolveServerConfig({ stoppedTaskRetention: '24h' }, {}).stoppedTaskRetentionMs, 86_400_000);
    assert.throws(() => resolveServerConfig({ stoppedTaskRetention: '30m' }, {}), ConfigError);
    assert.throws(() => resolveServerConfig({}, { BERTH_STOPPED_TASK_RETENTION: 'soon' }), ConfigError);
  });

  it('keeps stopped tasks describable within the retention and deletes them after it', async () => {
    const t = await startTestServer();
    try {
      await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
      const arn = (id: string) => `arn:aws:ecs:us-east-1:123456789012:task/${CLUSTER}/${id}`;
      const now = Date.now();
      const record = (id: string, stoppedMinutesAgo: number): TaskRecord => ({
        taskArn: arn(id),
        clusterArn: CLUSTER_ARN,
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
        containerInstanceArn: `arn:aws:ecs:us-east-1:123456789012:container-instance/${CLUSTER}/gone`,
        version: 4,
        desiredStatus: 'STOPPED',
        lastStatus: 'STOPPED',
        createdAt: new Date(now - 3 * 3_600_000),
        stoppedAt: new Date(now - stoppedMinutesAgo * 60_000),
        containers: [],
      });
      await t.server.store.tasks.put(record('old', 61));
      await t.server.store.tasks.put(record('recent', 59));
      await t.server.store.tags.put(arn('old'), [{ key: 'k', value: 'v' }]);
      assert.equal(await purgeStoppedTasks(t.server.store, new Date(now - 3_600_000)), 1);
      const out = await t.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: ['old', 'recent'] }));
      assert.deepEqual(
        out.tasks?.map((x) => x.taskArn),
        [arn('recent')],
      );
      assert.deepEqual(
        out.failures?.map((f) => f.reason),
        ['MISSING'],
      );
      assert.deepEqual(await t.server.store.tags.list(arn('old')), []);
    } finally {
      await t.stop();
    }
  });
});

/**
 * What a user sees of hosts that lose their uplink, through the real AWS CLI: tasks' `connectivity` and
 * `connectivityAt`, the container instance's `statusReason` while its agent is away, and DescribeClusters'
 * statistics of disconnected instances. Agents are scripted sessions that connect and drop on cue.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateClusterCommand, RegisterTaskDefinitionCommand, StartTaskCommand } from '@aws-sdk/client-ecs';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { RawAgent, registerRawHost, type RawHost } from '../rigs/raw-agent.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const CLUSTER = 'uplink';

interface CliTask {
  readonly taskArn: string;
  readonly connectivity?: string;
  readonly connectivityAt?: string | number;
  readonly createdAt?: string | number;
}

interface CliInstance {
  readonly containerInstanceArn: string;
  readonly agentConnected: boolean;
  readonly statusReason?: string;
  readonly registeredAt?: string | number;
}

/** CLI timestamps: ISO 8601 by default, epoch seconds with cli_timestamp_format=none. */
const cliTime = (value: unknown): number =>
  typeof value === 'number' ? Math.round(value * 1000) : Date.parse(String(value));

describe('connectivity of hosts and their tasks', () => {
  let t: TestServer;
  const agents: RawAgent[] = [];

  const describeTask = async (arn: string): Promise<CliTask> => {
    const out = await t.awsJson<{ tasks: CliTask[] }>([
      'ecs',
      'describe-tasks',
      '--cluster',
      CLUSTER,
      '--tasks',
      arn,
    ]);
    const task = out.tasks[0];
    assert.ok(task);
    return task;
  };
  const describeInstance = async (host: RawHost): Promise<CliInstance> => {
    const out = await t.awsJson<{ containerInstances: CliInstance[] }>([
      'ecs',
      'describe-container-instances',
      '--cluster',
      CLUSTER,
      '--container-instances',
      host.arn,
    ]);
    const instance = out.containerInstances[0];
    assert.ok(instance);
    return instance;
  };
  const statistics = async (): Promise<Map<string, string>> => {
    const out = await t.awsJson<{ clusters: { statistics: { name: string; value: string }[] }[] }>([
      'ecs',
      'describe-clusters',
      '--clusters',
      CLUSTER,
      '--include',
      'STATISTICS',
    ]);
    return new Map((out.clusters[0]?.statistics ?? []).map((s) => [s.name, s.value]));
  };
  const connect = async (host: RawHost): Promise<RawAgent> => {
    const agent = await RawAgent.connect(t, host);
    agents.push(agent);
    await waitFor('connected', async () => (await describeInstance(host)).agentConnected);
    return agent;
  };
  /** Drops the agent's session; resolves with bounds on when the control plane saw it go. */
  const drop = async (host: RawHost, agent: RawAgent): Promise<{ from: number; to: number }> => {
    const from = Date.now();
    await agent.close();
    await waitFor(
      'disconnected',
      async () => (await t.server.store.containerInstances.get(host.arn))?.agentConnected === false,
    );
    return { from, to: Date.now() };
  };

  before(async () => {
    t = await startTestServer({ heartbeatInterval: '200ms', sessionTimeout: '2s' });
    await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await t.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'probe',
        requiresCompatibilities: ['EXTERNAL'],
        containerDefinitions: [
          { name: 'probe', image: '127.0.0.1:5000/probe:1', memory: 32, essential: true },
        ],
      }),
    );
  });
  after(async () => {
    for (const a of agents) await a.close();
    await t.stop();
  });

  it('shows who is disconnected, since when, on tasks, instances and the cluster', async () => {
    // Registered, never connected.
    const a = await registerRawHost(t, CLUSTER);
    const fresh = await describeInstance(a);
    const registeredAt = cliTime(fresh.registeredAt);
    assert.equal(
      fresh.statusReason,
      `Agent not connected since registration at ${new Date(registeredAt).toISOString()}`,
    );
    let stats = await statistics();
    assert.equal(stats.get('disconnectedContainerInstancesCount'), '1');
    assert.equal(stats.get('disconnectedSince'), new Date(registeredAt).toISOString());

    // Connected, with a task: CONNECTED since the task was created.
    let agentA = await connect(a);
    const started = await t.ecs.send(
      new StartTaskCommand({ cluster: CLUSTER, taskDefinition: 'probe', containerInstances: [a.arn] }),
    );
    const taskArn = started.tasks?.[0]?.taskArn ?? '';
    assert.equal(started.tasks?.[0]?.connectivity, 'CONNECTED');
    let task = await describeTask(taskArn);
    assert.equal(task.connectivity, 'CONNECTED');
    assert.equal(cliTime(task.connectivityAt), cliTime(task.createdAt));
    assert.equal((await describeInstance(a)).statusReason, undefined);
    stats = await statistics();
    assert.equal(stats.get('disconnectedContainerInstancesCount'), '0');
    assert.equal(stats.has('disconnectedSince'), false);

    // A second host, connected; then A drops, then B.
    const b = await registerRawHost(t, CLUSTER);
    const agentB = await connect(b);
    const aDropped = await drop(a, agentA);
    task = await describeTask(taskArn);
    assert.equal(task.connectivity, 'DISCONNECTED');
    const aSince = cliTime(task.connectivityAt);
    assert.ok(aSince >= aDropped.from && aSince <= aDropped.to, 'connectivityAt is when the agent dropped');
    const instanceA = await describeInstance(a);
    assert.equal(instanceA.agentConnected, false);
    assert.equal(instanceA.statusReason, `Agent disconnected since ${new Date(aSince).toISOString()}`);
    // B must drop at a later millisecond than A, or "the longest-disconnected" could be either.
    await waitFor("a millisecond after A's drop", () => Date.now() > aSince);
    const bDropped = await drop(b, agentB);
    stats = await statistics();
    assert.equal(stats.get('disconnectedContainerInstancesCount'), '2');
    assert.equal(stats.get('disconnectedSince'), new Date(aSince).toISOString(), 'the longest-disconnected');
    const bSince = Date.parse((await describeInstance(b)).statusReason?.replace(/^.* since /, '') ?? '');
    assert.ok(bSince >= bDropped.from && bSince <= bDropped.to);

    // A comes back: its task is CONNECTED again, since then; B alone is left disconnected.
    const back = Date.now();
    agentA = await connect(a);
    task = await describeTask(taskArn);
    assert.equal(task.connectivity, 'CONNECTED');
    assert.ok(cliTime(task.connectivityAt) >= back);
    assert.equal((await describeInstance(a)).statusReason, undefined);
    stats = await statistics();
    assert.equal(stats.get('disconnectedContainerInstancesCount'), '1');
    assert.equal(stats.get('disconnectedSince'), new Date(bSince).toISOString());
  });
});

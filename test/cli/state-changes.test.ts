/**
 * The exact record of what agents report: SubmitTaskStateChange with Berth's extension (`seq`, restart
 * counts), sent as Berth's agent sends it and signed with the host's instance credentials. Each report is
 * recorded once, a resend is acknowledged without being applied again, reports of stock ECS agents (no
 * `seq`) are applied without being recorded, restart counts show in DescribeTasks, and the purge of a stopped
 * task takes its record along.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateClusterCommand, RegisterTaskDefinitionCommand, StartTaskCommand } from '@aws-sdk/client-ecs';
import { purgeStoppedTasks } from '../../src/control-plane/tasks/purge.js';
import type { StateChangeRecord } from '../../src/control-plane/store/types.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { RawAgent, registerRawHost, type RawHost } from '../rigs/raw-agent.js';
import { rawAwsCall } from '../rigs/raw-call.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const CLUSTER = 'ledger';

interface CliTask {
  readonly lastStatus: string;
  readonly containers: { readonly name: string; readonly lastStatus: string; readonly reason?: string }[];
}

describe('state change record', () => {
  let t: TestServer;
  let host: RawHost;
  let agent: RawAgent;
  let taskArn: string;

  const report = async (body: Record<string, unknown>) => {
    const result = await rawAwsCall(
      t,
      'AmazonEC2ContainerServiceV20141113.SubmitTaskStateChange',
      { cluster: CLUSTER, task: taskArn, ...body },
      { credentials: host.credentials },
    );
    assert.equal(result.status, 200, result.text);
    assert.deepEqual(JSON.parse(result.text), { acknowledgment: 'ACK' });
  };
  const describeTask = async (): Promise<CliTask> => {
    const out = await t.awsJson<{ tasks: CliTask[] }>([
      'ecs',
      'describe-tasks',
      '--cluster',
      CLUSTER,
      '--tasks',
      taskArn,
    ]);
    const task = out.tasks[0];
    assert.ok(task);
    return task;
  };
  const recorded = async (): Promise<StateChangeRecord[]> =>
    (await t.server.store.stateChanges.listByTask(taskArn, { limit: 100 })).items;

  before(async () => {
    t = await startTestServer({ heartbeatInterval: '200ms', sessionTimeout: '2s' });
    await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await t.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'pair',
        requiresCompatibilities: ['EXTERNAL'],
        containerDefinitions: [
          { name: 'web', image: '127.0.0.1:5000/web:1', memory: 32, essential: true },
          { name: 'side', image: '127.0.0.1:5000/side:1', memory: 32, essential: false },
        ],
      }),
    );
    host = await registerRawHost(t, CLUSTER);
    agent = await RawAgent.connect(t, host);
    await waitFor(
      'connected',
      async () => (await t.server.store.containerInstances.get(host.arn))?.agentConnected === true,
    );
    const out = await t.ecs.send(
      new StartTaskCommand({ cluster: CLUSTER, taskDefinition: 'pair', containerInstances: [host.arn] }),
    );
    taskArn = out.tasks?.[0]?.taskArn ?? '';
    assert.ok(taskArn);
  });
  after(async () => {
    await agent.close();
    await t.stop();
  });

  it('records each report once, with the host time, and applies a resend only once', async () => {
    // What happened while cut off, by the host's clock (before the task's creation, even: a skewed clock).
    const hostTime = Date.now() / 1000 - 3600;
    await report({
      status: 'RUNNING',
      containers: [
        { containerName: 'web', status: 'RUNNING', runtimeId: 'c-web' },
        { containerName: 'side', status: 'RUNNING', runtimeId: 'c-side' },
      ],
      berth: { at: hostTime, seq: 101, containers: [{ containerName: 'web', restartCount: 0 }] },
    });
    await report({
      status: 'RUNNING',
      containers: [{ containerName: 'web', status: 'RUNNING', runtimeId: 'c-web-2', exitCode: 1 }],
      berth: { at: hostTime + 60, seq: 102, containers: [{ containerName: 'web', restartCount: 3 }] },
    });
    // Sent again (the answer was lost) — even with other contents, it is the same report.
    await report({
      status: 'STOPPED',
      containers: [{ containerName: 'web', status: 'STOPPED', exitCode: 137 }],
      berth: { at: hostTime + 60, seq: 102, containers: [{ containerName: 'web', restartCount: 9 }] },
    });

    const task = await describeTask();
    assert.equal(task.lastStatus, 'RUNNING', 'the resend was not applied');
    const web = task.containers.find((c) => c.name === 'web');
    assert.equal(web?.reason, 'Restarted 3 times by its restart policy');
    assert.equal(task.containers.find((c) => c.name === 'side')?.reason, undefined);

    const changes = await recorded();
    assert.deepEqual(
      changes.map((c) => [c.seq, c.status]),
      [
        [101, 'RUNNING'],
        [102, 'RUNNING'],
      ],
    );
    const [first, second] = changes;
    assert.equal(first?.containerInstanceArn, host.arn);
    assert.equal(first?.at.getTime(), Math.round(hostTime * 1000), 'host time as sent, not clamped');
    assert.ok((first?.receivedAt.getTime() ?? 0) > (first?.at.getTime() ?? 0));
    assert.deepEqual(second?.containers, [
      { containerName: 'web', status: 'RUNNING', exitCode: 1, restartCount: 3 },
    ]);
    const byInstance = await t.server.store.stateChanges.listByContainerInstance(host.arn, { limit: 100 });
    assert.deepEqual(
      byInstance.items.map((c) => c.seq),
      [101, 102],
    );
  });

  it('applies reports without seq (stock ECS agents) without recording them, and purges the record with the task', async () => {
    await report({
      status: 'STOPPED',
      reason: 'Essential container in task exited',
      containers: [{ containerName: 'web', status: 'STOPPED', exitCode: 0, reason: 'exited' }],
    });
    const task = await describeTask();
    assert.equal(task.lastStatus, 'STOPPED');
    assert.equal(task.containers.find((c) => c.name === 'web')?.reason, 'exited', 'its own reason stands');
    assert.deepEqual(
      (await recorded()).map((c) => c.seq),
      [101, 102],
    );
    assert.ok((await purgeStoppedTasks(t.server.store, new Date(Date.now() + 60_000))) >= 1);
    assert.equal(await t.server.store.tasks.get(taskArn), undefined);
    assert.deepEqual(await recorded(), []);
  });
});

/**
 * The telemetry session (TCS) of the stock ECS agent, the control plane's end: a real control plane, a host
 * registered with its own instance credentials, its task placed and reported RUNNING, then the telemetry
 * websocket opened with the handshake and frames the Go agent writes. What a user sees: DiscoverPollEndpoint's
 * telemetry endpoint, container and task health in DescribeTasks, a service replacing a task reported
 * unhealthy, and the figures on `/metrics`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateServiceCommand,
  DescribeTasksCommand,
  DiscoverPollEndpointCommand,
  RegisterTaskDefinitionCommand,
  StartTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  stockPublishHealth,
  stockPublishInstanceStatus,
  stockPublishMetrics,
} from '../../src/acs/testing/stock-telemetry.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { RawAgent, registerRawHost, type RawHost } from '../rigs/raw-agent.js';
import { createCluster } from '../rigs/run-task-fixtures.js';
import { FAST_SERVICES, report, serviceTasks } from '../rigs/service-fixtures.js';
import { TelemetryAgent, TelemetryRefused } from '../rigs/telemetry-agent.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const CLUSTER = 'edge';
const FAMILY = 'web';
const HEALTH_CHECK = { command: ['CMD-SHELL', 'true'], interval: 5, timeout: 2, retries: 1 };

const identity = (host: RawHost) => ({
  cluster: CLUSTER,
  containerInstanceArn: host.arn,
  credentials: host.credentials,
});
const stockId = (host: RawHost) => ({ cluster: CLUSTER, containerInstanceArn: host.arn });

async function describeTask(t: TestServer, arn: string): Promise<Task> {
  const out = await t.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }));
  const task = out.tasks?.[0];
  assert.ok(task, `task ${arn} described`);
  return task;
}

async function metricsText(t: TestServer): Promise<string> {
  const res = await fetch(`${t.url}/metrics`);
  return res.text();
}

/** The value of one sample on /metrics, by name and labels as written there. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('the telemetry session (TCS)', () => {
  let t: TestServer;
  let host: RawHost;
  let other: RawHost;
  let taskArn: string;
  const sessions: { close(): Promise<void> }[] = [];

  before(async () => {
    t = await startTestServer({ heartbeatInterval: '200ms', sessionTimeout: '2s', services: FAST_SERVICES });
    await createCluster(t, CLUSTER);
    await t.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: FAMILY,
        requiresCompatibilities: ['EXTERNAL'],
        containerDefinitions: [
          {
            name: 'web',
            image: '127.0.0.1:5000/web:1',
            memory: 64,
            essential: true,
            healthCheck: HEALTH_CHECK,
          },
          { name: 'sidecar', image: '127.0.0.1:5000/sidecar:1', memory: 32, essential: false },
        ],
      }),
    );
    // Docker health checks need the agent capability; the stock agent registers with it.
    const capability = [{ name: 'ecs.capability.container-health-check' }];
    host = await registerRawHost(t, CLUSTER, capability);
    other = await registerRawHost(t, CLUSTER, capability);
    for (const h of [host, other]) sessions.push(await RawAgent.connect(t, h));
    await waitFor(
      'both hosts connected',
      async () => {
        const records = await Promise.all(
          [host, other].map((h) => t.server.store.containerInstances.get(h.arn)),
        );
        return records.every((r) => r?.agentConnected === true);
      },
      5_000,
      { intervalMs: 20 },
    );
    const out = await t.ecs.send(
      new StartTaskCommand({ cluster: CLUSTER, taskDefinition: FAMILY, containerInstances: [host.arn] }),
    );
    assert.deepEqual(out.failures, []);
    const task = out.tasks?.[0];
    assert.ok(task?.taskArn);
    taskArn = task.taskArn;
    await report(t, CLUSTER, task, 'RUNNING');
  });

  after(async () => {
    for (const s of sessions) await s.close();
    await t.stop();
  });

  it('is where DiscoverPollEndpoint sends the agent: its own path beside the ACS endpoint', async () => {
    const out = await t.ecs.send(
      new DiscoverPollEndpointCommand({ cluster: CLUSTER, containerInstance: host.arn }),
    );
    assert.equal(out.endpoint, t.server.publicUrl);
    assert.equal(out.telemetryEndpoint, `${t.server.publicUrl}tcs/`);
  });

  it('admits the Go-signed handshake, heartbeats, and acks every publication', async () => {
    const tcs = await TelemetryAgent.connect(t, identity(host));
    sessions.push(tcs);
    assert.deepEqual(await tcs.nth('HeartbeatMessage', 2), { healthy: true });

    const now = new Date();
    tcs.publish(
      stockPublishMetrics(
        stockId(host),
        [
          {
            taskArn,
            containers: [
              { containerName: 'web', cpuPercent: 12.5, memoryMiB: 40 },
              { containerName: 'sidecar', cpuPercent: 0.5, memoryMiB: 8 },
            ],
          },
        ],
        now,
      ),
    );
    assert.deepEqual(await tcs.nth('AckPublishMetric', 1), {
      message: '7d1cbd0e-59c6-4a1a-9a0e-4c1a1e7d5a01',
    });
    tcs.publish(stockPublishInstanceStatus(stockId(host), now));
    assert.deepEqual(await tcs.nth('AckPublishInstanceStatus', 1), {
      message: '5e2a1c44-8f7b-4d0c-9d7e-1f2a3b4c5d03',
    });

    // Health: HEALTHY, then UNHEALTHY, on the container and (an essential one with a check) on the task.
    tcs.publish(
      stockPublishHealth(
        stockId(host),
        [{ taskArn, containers: [{ containerName: 'web', healthStatus: 'HEALTHY' }] }],
        now,
      ),
    );
    await tcs.nth('AckPublishHealth', 1);
    let task = await describeTask(t, taskArn);
    assert.equal(task.containers?.find((c) => c.name === 'web')?.healthStatus, 'HEALTHY');
    assert.equal(task.healthStatus, 'HEALTHY');

    tcs.publish(
      stockPublishHealth(
        stockId(host),
        [{ taskArn, containers: [{ containerName: 'web', healthStatus: 'UNHEALTHY' }] }],
        new Date(),
      ),
    );
    await tcs.nth('AckPublishHealth', 2);
    task = await describeTask(t, taskArn);
    assert.equal(task.containers?.find((c) => c.name === 'web')?.healthStatus, 'UNHEALTHY');
    assert.equal(task.healthStatus, 'UNHEALTHY');

    const text = await metricsText(t);
    const id = taskArn.split('/').pop() ?? '';
    assert.equal(
      sample(text, `berth_task_cpu_utilization{cluster="${CLUSTER}",task="${id}",container="web"}`),
      12.5,
    );
    assert.equal(
      sample(text, `berth_task_memory_bytes{cluster="${CLUSTER}",task="${id}",container="sidecar"}`),
      8 * 1024 * 1024,
    );
    const instanceId = host.arn.split('/').pop() ?? '';
    assert.equal(
      sample(
        text,
        `berth_instance_filesystem_utilization{cluster="${CLUSTER}",container_instance="${instanceId}",filesystem="data"}`,
      ),
      41.5,
    );
    assert.equal(sample(text, 'berth_telemetry_sessions'), 1);
    assert.equal(sample(text, 'berth_telemetry_messages_total{type="PublishHealthRequest"}'), 2);
    assert.equal(sample(text, 'berth_telemetry_messages_total{type="PublishMetricsRequest"}'), 1);
    await tcs.close();
    await waitFor(
      'the session gone from /metrics',
      async () => sample(await metricsText(t), 'berth_telemetry_sessions') === 0,
      5_000,
      {
        intervalMs: 20,
      },
    );
  });

  it('drops a bad frame without ending the session', async () => {
    const tcs = await TelemetryAgent.connect(t, identity(host));
    sessions.push(tcs);
    const before = sample(await metricsText(t), 'berth_telemetry_messages_total{type="invalid"}') ?? 0;
    tcs.sendRaw('not a frame');
    tcs.publish(
      JSON.stringify({
        type: 'PublishHealthRequest',
        message: { tasks: [{ containers: [{ healthStatus: 'SICK' }] }] },
      }),
    );
    tcs.publish(stockPublishInstanceStatus(stockId(host), new Date()));
    await tcs.nth('AckPublishInstanceStatus', 1);
    assert.equal(tcs.count('AckPublishHealth'), 0, 'the invalid health report is not acknowledged');
    assert.ok(tcs.isOpen);
    assert.equal(sample(await metricsText(t), 'berth_telemetry_messages_total{type="invalid"}'), before + 2);
    await tcs.close();
  });

  it("leaves tasks of another instance alone: a host speaks for its own tasks' health", async () => {
    const before = await describeTask(t, taskArn);
    const tcs = await TelemetryAgent.connect(t, identity(other));
    sessions.push(tcs);
    tcs.publish(
      stockPublishHealth(
        stockId(other),
        [{ taskArn, containers: [{ containerName: 'web', healthStatus: 'HEALTHY' }] }],
        new Date(),
      ),
    );
    await tcs.nth('AckPublishHealth', 1);
    const after = await describeTask(t, taskArn);
    assert.equal(after.healthStatus, before.healthStatus);
    assert.equal(after.version, before.version);
    await tcs.close();
  });

  it("refuses a handshake with another instance's credentials, or for an instance not registered", async () => {
    await assert.rejects(
      TelemetryAgent.connect(t, { ...identity(host), credentials: other.credentials }),
      (e: unknown) =>
        e instanceof TelemetryRefused && e.status === 403 && /InvalidInstanceException/.test(e.body),
    );
    const unknown = host.arn.replace(/[^/]+$/, '00000000000000000000000000000000');
    await assert.rejects(
      TelemetryAgent.connect(t, { ...identity(host), containerInstanceArn: unknown }),
      (e: unknown) =>
        e instanceof TelemetryRefused && e.status === 400 && /InvalidInstanceException/.test(e.body),
    );
  });

  it('lets a service see a task the agent reports unhealthy, and replace it', async () => {
    await t.ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: 'svc',
        taskDefinition: FAMILY,
        desiredCount: 1,
      }),
    );
    const [first] = await waitFor(
      'the service task placed',
      async () => {
        const tasks = await serviceTasks(t, CLUSTER, 'svc');
        return tasks.length === 1 ? tasks : undefined;
      },
      5_000,
      { intervalMs: 50 },
    );
    assert.ok(first?.taskArn && first.containerInstanceArn);
    await report(t, CLUSTER, first, 'RUNNING');
    const owner = first.containerInstanceArn === host.arn ? host : other;
    const tcs = await TelemetryAgent.connect(t, identity(owner));
    sessions.push(tcs);
    tcs.publish(
      stockPublishHealth(
        stockId(owner),
        [{ taskArn: first.taskArn, containers: [{ containerName: 'web', healthStatus: 'UNHEALTHY' }] }],
        new Date(),
      ),
    );
    await tcs.nth('AckPublishHealth', 1);
    const stopped = await waitFor(
      'the unhealthy task asked to stop',
      async () => {
        const task = await describeTask(t, first.taskArn ?? '');
        return task.desiredStatus === 'STOPPED' ? task : undefined;
      },
      5_000,
      { intervalMs: 50 },
    );
    assert.equal(stopped.stoppedReason, 'Task failed container health checks');
    await tcs.close();
  });
});

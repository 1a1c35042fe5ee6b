/**
 * A task's life read from the control plane's info-level log alone, as an operator reads it: where it was
 * placed, when it started, that it was asked to stop and why, and that it stopped and why, for a task stopped
 * with StopTask and for one whose essential container exited; the host joining and leaving; a service's
 * deployment starting and finishing. Every line names each key once (pino writes a key bound by a child
 * logger and repeated on the line twice, and JSON readers then keep only one of them).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeregisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { pino } from 'pino';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { RawAgent, registerRawHost, type RawHost } from '../rigs/raw-agent.js';
import { rawAwsCall } from '../rigs/raw-call.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const CLUSTER = 'diary';

interface Line {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

const INFO = 30;

describe("a task's life in the control plane's info log", () => {
  const written: string[] = [];
  let t: TestServer;
  let host: RawHost;
  let agent: RawAgent;

  const lines = (): Line[] => written.map((l) => JSON.parse(l) as Line);
  const about = (taskArn: string): Line[] => lines().filter((l) => l.taskArn === taskArn);
  const report = async (taskArn: string, body: Record<string, unknown>): Promise<void> => {
    const result = await rawAwsCall(
      t,
      'AmazonEC2ContainerServiceV20141113.SubmitTaskStateChange',
      { cluster: CLUSTER, task: taskArn, ...body },
      { credentials: host.credentials },
    );
    assert.equal(result.status, 200, result.text);
  };
  const runTask = async (): Promise<string> => {
    const out = await t.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'web' }));
    const arn = out.tasks?.[0]?.taskArn;
    assert.ok(arn, JSON.stringify(out.failures));
    return arn;
  };

  before(async () => {
    t = await startTestServer({
      logger: pino({ level: 'info' }, { write: (line: string) => void written.push(line) }),
      services: { healthyAfterRunningMs: 0, intervalMs: 200 },
    });
    await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await t.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        requiresCompatibilities: ['EXTERNAL'],
        containerDefinitions: [{ name: 'web', image: '127.0.0.1:5000/web:1', memory: 64, essential: true }],
      }),
    );
    host = await registerRawHost(t, CLUSTER);
    agent = await RawAgent.connect(t, host);
    await waitFor(
      'the host connected',
      async () => (await t.server.store.containerInstances.get(host.arn))?.agentConnected === true,
      5_000,
      { intervalMs: 20 },
    );
  });

  after(async () => {
    await agent.close();
    await t.stop();
  });

  void it('tells where a task went, that it started, that it was asked to stop, and that it stopped', async () => {
    const taskArn = await runTask();
    await report(taskArn, {
      status: 'RUNNING',
      containers: [{ containerName: 'web', status: 'RUNNING', runtimeId: 'c-web' }],
    });
    await t.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskArn, reason: 'rolled by hand' }));
    await report(taskArn, {
      status: 'STOPPED',
      containers: [{ containerName: 'web', status: 'STOPPED', exitCode: 143 }],
    });

    const life = about(taskArn);
    assert.deepEqual(
      life.map((l) => l.msg),
      ['task placed', 'task started', 'task asked to stop', 'task stopped'],
    );
    assert.ok(life.every((l) => l.level === INFO));
    const [placed, started, asked, stopped] = life;
    assert.equal(placed?.containerInstanceArn, host.arn);
    assert.equal(placed?.ec2InstanceId, host.miId);
    assert.equal(placed?.taskDefinition, 'web:1');
    assert.equal(started?.containerInstanceArn, host.arn);
    assert.equal(asked?.stopCode, 'UserInitiated');
    assert.equal(asked?.stoppedReason, 'rolled by hand');
    assert.equal(stopped?.stopCode, 'UserInitiated');
    assert.equal(stopped?.stoppedReason, 'rolled by hand');
    assert.deepEqual(stopped?.containers, [{ name: 'web', exitCode: 143 }]);
  });

  void it('tells why a task stopped on its own', async () => {
    const taskArn = await runTask();
    await report(taskArn, {
      status: 'RUNNING',
      containers: [{ containerName: 'web', status: 'RUNNING', runtimeId: 'c-web-2' }],
    });
    await report(taskArn, {
      status: 'STOPPED',
      reason: 'Essential container in task exited',
      containers: [{ containerName: 'web', status: 'STOPPED', exitCode: 1 }],
    });
    const stopped = about(taskArn).find((l) => l.msg === 'task stopped');
    assert.equal(stopped?.stopCode, 'EssentialContainerExited');
    assert.equal(stopped?.stoppedReason, 'Essential container in task exited');
    assert.deepEqual(stopped?.containers, [{ name: 'web', exitCode: 1 }]);
  });

  void it("tells a service's deployment starting, its tasks placed, and the deployment finishing", async () => {
    const out = await t.ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: 'site',
        taskDefinition: 'web',
        desiredCount: 1,
      }),
    );
    const serviceArn = out.service?.serviceArn;
    const deployment = out.service?.deployments?.[0]?.id;
    assert.ok(serviceArn && deployment);
    const placed = await waitFor(
      'the service task placed',
      () => lines().find((l) => l.msg === 'task placed' && l.startedBy === deployment),
      10_000,
      { intervalMs: 20 },
    );
    await report(String(placed.taskArn), {
      status: 'RUNNING',
      containers: [{ containerName: 'web', status: 'RUNNING', runtimeId: 'c-site' }],
    });
    await waitFor(
      'the deployment finished',
      () => lines().some((l) => l.msg === 'deployment finished' && l.deployment === deployment),
      15_000,
      { intervalMs: 50, detail: () => written.join('') },
    );
    const started = lines().find((l) => l.msg === 'deployment started' && l.deployment === deployment);
    assert.equal(started?.service, serviceArn);
    assert.equal(placed.containerInstanceArn, host.arn);
  });

  void it('tells the host joining and leaving', async () => {
    const joined = lines().find((l) => l.msg === 'container instance registered');
    assert.equal(joined?.containerInstanceArn, host.arn);
    assert.equal(joined?.ec2InstanceId, host.miId);
    assert.ok(lines().some((l) => l.msg === 'agent session opened' && l.containerInstanceArn === host.arn));
    await agent.close();
    await waitFor(
      'the session closed',
      () => lines().find((l) => l.msg === 'agent session closed' && l.containerInstanceArn === host.arn),
      5_000,
      { intervalMs: 20 },
    );
    await t.ecs.send(
      new DeregisterContainerInstanceCommand({ cluster: CLUSTER, containerInstance: host.arn, force: true }),
    );
    assert.ok(
      lines().some((l) => l.msg === 'container instance deregistered' && l.containerInstanceArn === host.arn),
    );
  });

  void it('names each key once on every line', () => {
    assert.ok(written.length > 10);
    for (const line of written) {
      const keys = topLevelKeys(line);
      assert.equal(new Set(keys).size, keys.length, `a key repeated in ${line}`);
    }
  });
});

/** The keys of a JSON object's top level as written, repeats included (JSON.parse keeps only the last). */
function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(json.slice(i, end + 1)) as string);
      expectKey = false;
      i = end;
    } else if (c === '{' || c === '[') {
      depth += 1;
      expectKey = c === '{' && depth === 1;
    } else if (c === '}' || c === ']') {
      depth -= 1;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}

/**
 * A task on real containers, end to end, the way the ECS Anywhere announcement shows it: the nginx task
 * definition (its image replaced by a busybox httpd built here and pushed to the local registry, still
 * serving HTTP on container port 80 behind host port 8080 in bridge mode), `aws ecs run-task`, `aws ecs wait
 * tasks-running`, the page on http://127.0.0.1:8080/, `aws ecs stop-task`, `aws ecs wait tasks-stopped` — with
 * the real control plane, the real `berth agent` process and the real Docker engine. Then what cannot be
 * placed, through the same `aws ecs run-task`: too much memory or CPU, a host port in use, an attribute the
 * host lacks, an image that cannot be pulled, and no connected agent.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HTTPD_IMAGE, HTTPD_PAGE, REGISTRY } from '../rigs/images.js';
import { container, ms, type CliTask } from '../rigs/cluster-cli.js';
import { docker, TasksRig } from '../rigs/tasks-e2e-rig.js';

const RUN = randomBytes(4).toString('hex');
const CLUSTER = `e2e-nginx-${RUN}`;
const HOST_PORT = 8080;

/** The announcement's task definition (aws.amazon.com/blogs, "Introducing Amazon ECS Anywhere"), image replaced. */
const NGINX = {
  requiresCompatibilities: ['EXTERNAL'],
  containerDefinitions: [
    {
      name: 'nginx',
      image: HTTPD_IMAGE.ref,
      memory: 256,
      cpu: 256,
      essential: true,
      portMappings: [{ containerPort: 80, hostPort: HOST_PORT, protocol: 'tcp' }],
    },
  ],
  networkMode: 'bridge',
  family: 'nginx',
};

/** A small task that stops at once on SIGTERM. */
const SLEEPER = {
  family: 'sleeper',
  requiresCompatibilities: ['EXTERNAL'],
  containerDefinitions: [
    {
      name: 'app',
      image: HTTPD_IMAGE.ref,
      memory: 32,
      essential: true,
      command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'],
    },
  ],
};

/** Host port 8080 must be free: the test publishes it, as the example does. */
async function assertPortFree(port: number): Promise<void> {
  const published = execFileSync('docker', ['ps', '--filter', `publish=${port}`, '--format', '{{.Names}}'])
    .toString()
    .trim();
  if (published !== '') {
    throw new Error(
      `host port ${port} is published by the Docker container(s) ${published.split('\n').join(', ')}; ` +
        `this test runs the ECS Anywhere example, which needs that port: stop them and run it again`,
    );
  }
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `host port ${port} is in use (${e.code}); this test runs the ECS Anywhere example, which ` +
            `publishes that port: free it (e.g. \`ss -ltnp 'sport = :${port}'\` shows who holds it) and run it again`,
        ),
      ),
    );
    probe.listen(port, '0.0.0.0', () => probe.close(() => resolve()));
  });
}

describe('the ECS Anywhere example task on a real host', () => {
  let rig: TasksRig;
  let taskArn = '';
  let runtimeId = '';
  let instanceMemory = 0;
  let instanceCpu = 0;

  before(async () => {
    await assertPortFree(HOST_PORT);
    HTTPD_IMAGE.build();
    rig = await TasksRig.start({
      cluster: CLUSTER,
      // A short SIGTERM grace: busybox httpd, as PID 1, ignores SIGTERM, so every stop waits this long.
      agentArgs: ['--attributes', 'color=red', '--container-stop-timeout', '2s'],
    });
    const out = await rig.cli.ecs<{
      containerInstances: { registeredResources: { name: string; integerValue?: number }[] }[];
    }>('describe-container-instances', '--container-instances', rig.instanceArn);
    const resources = out.containerInstances[0]?.registeredResources ?? [];
    instanceMemory = resources.find((r) => r.name === 'MEMORY')?.integerValue ?? 0;
    instanceCpu = resources.find((r) => r.name === 'CPU')?.integerValue ?? 0;
    assert.ok(instanceMemory > 0 && instanceCpu > 0);
  });

  after(async () => {
    await rig?.cleanup();
  });

  it('run-task, wait tasks-running: the page is served on host port 8080 and describe-tasks tells the truth', async () => {
    const arn = await rig.cli.registerTaskDefinition(NGINX);
    assert.match(arn, /:task-definition\/nginx:1$/);
    const run = await rig.runTask('nginx');
    assert.deepEqual(run.failures, []);
    assert.equal(run.tasks.length, 1);
    const placed = run.tasks[0]!;
    taskArn = placed.taskArn;
    assert.equal(placed.lastStatus, 'PENDING');
    assert.equal(placed.desiredStatus, 'RUNNING');
    assert.equal(placed.containerInstanceArn, rig.instanceArn);

    await rig.wait('tasks-running', [taskArn]);

    const response = await fetch(`http://127.0.0.1:${HOST_PORT}/`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), HTTPD_PAGE);

    const task = await rig.cli.describeTask(taskArn);
    assert.equal(task.lastStatus, 'RUNNING');
    assert.equal(task.desiredStatus, 'RUNNING');
    assert.equal(task.launchType, 'EXTERNAL');
    assert.equal(task.connectivity, 'CONNECTED');
    assert.equal(task.containerInstanceArn, rig.instanceArn);
    assertInOrder(task, ['createdAt', 'pullStartedAt', 'pullStoppedAt', 'startedAt']);
    const nginx = container(task, 'nginx');
    assert.equal(nginx.lastStatus, 'RUNNING');
    assert.equal(nginx.image, HTTPD_IMAGE.ref);
    assert.deepEqual(nginx.networkBindings, [
      { bindIP: '0.0.0.0', containerPort: 80, hostPort: HOST_PORT, protocol: 'tcp' },
    ]);

    // The runtime id is the container Docker runs for this task: the only one it has.
    const inDocker = await rig.containersOfTask(taskArn);
    assert.equal(inDocker.length, 1, 'one container for the task');
    runtimeId = inDocker[0]!.Id;
    assert.equal(nginx.runtimeId, runtimeId);
    const info = await docker.getContainer(runtimeId).inspect();
    assert.equal(info.State.Running, true);
    assert.equal(info.Config.Image, HTTPD_IMAGE.ref);
    assert.equal(info.HostConfig.Memory, 256 * 1024 * 1024, 'memory is the hard limit');
    assert.equal(info.HostConfig.CpuShares, 256);
    assert.deepEqual(info.HostConfig.PortBindings, {
      '80/tcp': [{ HostIp: '', HostPort: String(HOST_PORT) }],
    });
  });

  it('returns failures[] for what cannot be placed: a port in use, memory, CPU, an attribute constraint', async () => {
    const failure = (reason: string) => [{ arn: rig.instanceArn, reason }];

    const second = await rig.runTask('nginx');
    assert.deepEqual(second.tasks, []);
    assert.deepEqual(second.failures, failure('RESOURCE:PORTS'), 'host port 8080 is taken by the first task');

    await rig.cli.registerTaskDefinition({
      ...NGINX,
      family: 'too-much-memory',
      memory: String(instanceMemory + 1),
      containerDefinitions: [{ ...NGINX.containerDefinitions[0], portMappings: [{ containerPort: 80 }] }],
    });
    const memory = await rig.runTask('too-much-memory');
    assert.deepEqual(memory.tasks, []);
    assert.deepEqual(memory.failures, failure('RESOURCE:MEMORY'));

    await rig.cli.registerTaskDefinition({
      ...NGINX,
      family: 'too-much-cpu',
      cpu: String(instanceCpu + 1024),
      containerDefinitions: [{ ...NGINX.containerDefinitions[0], portMappings: [{ containerPort: 80 }] }],
    });
    const cpu = await rig.runTask('too-much-cpu');
    assert.deepEqual(cpu.tasks, []);
    assert.deepEqual(cpu.failures, failure('RESOURCE:CPU'));

    // The host was started with `--attributes color=red`.
    await rig.cli.registerTaskDefinition(SLEEPER);
    const blue = await rig.runTask(
      'sleeper',
      '--placement-constraints',
      'type=memberOf,expression="attribute:color == blue"',
    );
    assert.deepEqual(blue.tasks, []);
    assert.deepEqual(blue.failures, failure('MemberOf placement constraint unsatisfied.'));
    const red = await rig.runTask(
      'sleeper',
      '--placement-constraints',
      'type=memberOf,expression="attribute:color == red"',
    );
    assert.deepEqual(red.failures, []);
    const placed = red.tasks[0];
    assert.equal(placed?.containerInstanceArn, rig.instanceArn);
    await rig.cli.ecs('stop-task', '--task', placed.taskArn);
  });

  it('an image that cannot be pulled stops its task with CannotPullContainerError and TaskFailedToStart', async () => {
    const missing = `${REGISTRY}/berth-e2e/missing-${RUN}:1`;
    await rig.cli.registerTaskDefinition({
      family: 'missing-image',
      requiresCompatibilities: ['EXTERNAL'],
      containerDefinitions: [{ name: 'app', image: missing, memory: 32, essential: true }],
    });
    const run = await rig.runTask('missing-image');
    assert.deepEqual(run.failures, []);
    const arn = run.tasks[0]!.taskArn;
    await rig.wait('tasks-stopped', [arn]);
    const task = await rig.cli.describeTask(arn);
    assert.equal(task.lastStatus, 'STOPPED');
    assert.equal(task.desiredStatus, 'STOPPED');
    assert.equal(task.stopCode, 'TaskFailedToStart');
    const app = container(task, 'app');
    assert.match(app.reason ?? '', /^CannotPullContainerError: .*missing-/);
    assert.match(task.stoppedReason ?? '', /^CannotPullContainerError: /);
    assert.equal(app.runtimeId, undefined, 'no container was made');
    assert.equal(app.exitCode, undefined);
    assert.deepEqual(await rig.containersOfTask(arn), []);
  });

  it('stop-task, wait tasks-stopped: UserInitiated with the reason, the exit code Docker saw, the port free', async () => {
    const reason = 'Scaling down the edge site';
    const stopped = await rig.cli.ecs<{ task: CliTask }>('stop-task', '--task', taskArn, '--reason', reason);
    assert.equal(stopped.task.desiredStatus, 'STOPPED');

    await rig.wait('tasks-stopped', [taskArn]);

    const task = await rig.cli.describeTask(taskArn);
    assert.equal(task.lastStatus, 'STOPPED');
    assert.equal(task.desiredStatus, 'STOPPED');
    assert.equal(task.stopCode, 'UserInitiated');
    assert.equal(task.stoppedReason, reason);
    assertInOrder(task, ['createdAt', 'startedAt', 'stoppingAt', 'executionStoppedAt', 'stoppedAt']);
    const nginx = container(task, 'nginx');
    assert.equal(nginx.lastStatus, 'STOPPED');
    assert.equal(nginx.runtimeId, runtimeId);
    const info = await docker.getContainer(runtimeId).inspect();
    assert.equal(info.State.Running, false);
    assert.equal(nginx.exitCode, info.State.ExitCode, 'the exit code Docker reports');
    // httpd, as PID 1 without a handler, ignores SIGTERM: the agent kills it after the 2 s grace.
    assert.equal(nginx.exitCode, 137);
    const grace = ms(task.executionStoppedAt) - ms(task.stoppingAt);
    assert.ok(grace >= 1_900, `SIGKILL came ${grace} ms after the stop, not after the 2 s grace`);
    await assert.rejects(fetch(`http://127.0.0.1:${HOST_PORT}/`), 'nothing serves port 8080 any more');
  });

  it('returns AGENT when the host is known but its agent is not connected', async () => {
    const exit = await rig.agent.stop('SIGTERM');
    assert.equal(exit.code, 0);
    await rig.waitForAgentConnected(false);
    const run = await rig.runTask('nginx');
    assert.deepEqual(run.tasks, []);
    assert.deepEqual(run.failures, [{ arn: rig.instanceArn, reason: 'AGENT' }]);
  });
});

type TimeField =
  | 'createdAt'
  | 'pullStartedAt'
  | 'pullStoppedAt'
  | 'startedAt'
  | 'stoppingAt'
  | 'executionStoppedAt'
  | 'stoppedAt';

/** Every field present and none before the one listed before it. */
function assertInOrder(task: CliTask, fields: readonly TimeField[]): void {
  const times = fields.map((f) => {
    assert.ok(task[f] !== undefined, `${f} is set`);
    return ms(task[f]);
  });
  for (let i = 1; i < times.length; i++) {
    assert.ok(
      times[i - 1]! <= times[i]!,
      `${fields[i - 1]} ${String(task[fields[i - 1]!])} is not after ${fields[i]} ${String(task[fields[i]!])}`,
    );
  }
}

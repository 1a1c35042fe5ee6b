/**
 * Placing tasks end to end, through the AWS CLI and @aws-sdk/client-ecs against a real server: RunTask
 * choosing instances (constraints, strategies, the accounting of a batch), the failures a user reads when a
 * task fits nowhere, clientToken idempotency, StartTask on named instances, StopTask, and what DescribeTasks,
 * ListTasks and DescribeContainerInstances show afterwards. No agent runs here: instances are registered
 * through the API and marked connected in the store, as the gateway would.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  StartTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  type RunTaskRequest,
  type Task,
} from '@aws-sdk/client-ecs';
import { failure } from '../../src/ecs/testing/api-error.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import {
  addHost,
  container,
  createCluster,
  idOf,
  registerDefinition,
  setConnected,
} from '../rigs/run-task-fixtures.js';

const ecs = (command: string, ...args: string[]): string[] => ['ecs', ...command.split(' '), ...args];
const TASK_ARN = /^arn:aws:ecs:us-east-1:123456789012:task\/([A-Za-z0-9_-]+)\/[0-9a-f]{32}$/;

/** The CLI prints timestamps as epoch seconds (with milliseconds) by default; as ms here. */
const cliTime = (value: unknown): number =>
  typeof value === 'number' ? Math.round(value * 1000) : Date.parse(String(value));

interface RunOutput {
  tasks: Task[];
  failures: { arn?: string; reason: string }[];
}

describe('RunTask, StartTask and StopTask', () => {
  let t: TestServer;
  const heard: string[] = [];
  let unsubscribe: () => void;

  before(async () => {
    t = await startTestServer();
    unsubscribe = t.server.changes.on('tasksChanged', (arn) => heard.push(arn));
    await registerDefinition(t, 'web', {
      containerDefinitions: [
        container({ name: 'web', portMappings: [{ containerPort: 80, hostPort: 8080 }] }),
      ],
      tags: [{ key: 'team', value: 'edge' }],
    });
    await registerDefinition(t, 'worker', {
      containerDefinitions: [
        container({ name: 'main', cpu: 128, memory: 512, memoryReservation: 256 }),
        container({ name: 'side', cpu: 0, memory: 64, image: '127.0.0.1:5000/side:1' }),
      ],
    });
    await registerDefinition(t, 'big', { containerDefinitions: [container({ memory: 3000, cpu: 100 })] });
    await registerDefinition(t, 'hungry', {
      cpu: '4096',
      memory: '256',
      containerDefinitions: [container({ cpu: 0, memory: undefined })],
    });
    await registerDefinition(t, 'checked', {
      containerDefinitions: [container({ healthCheck: { command: ['CMD', 'true'] } })],
    });
  });
  after(async () => {
    unsubscribe();
    await t.stop();
  });

  const run = (input: RunTaskRequest) => t.ecs.send(new RunTaskCommand(input));

  it('places on the instances a memberOf constraint selects, with the task fields ECS returns', async () => {
    await createCluster(t, 'arch');
    const x86 = await addHost(t, 'arch');
    const arm = await addHost(t, 'arch', {
      attributes: [
        { name: 'ecs.cpu-architecture', value: 'arm64' },
        { name: 'ecs.availability-zone', value: 'lab-1' },
      ],
    });
    const out = await t.awsJson<RunOutput>(
      ecs(
        'run-task --cluster arch --task-definition web --started-by nightly-42 --enable-ecs-managed-tags',
        '--propagate-tags',
        'TASK_DEFINITION',
        '--placement-constraints',
        'type=memberOf,expression=attribute:ecs.cpu-architecture == arm64',
        '--overrides',
        JSON.stringify({
          containerOverrides: [{ name: 'web', environment: [{ name: 'MODE', value: 'x' }] }],
        }),
      ),
    );
    assert.deepEqual(out.failures, []);
    assert.equal(out.tasks.length, 1);
    const task = out.tasks[0]!;
    assert.equal(task.containerInstanceArn, arm);
    assert.notEqual(task.containerInstanceArn, x86);
    assert.match(task.taskArn ?? '', TASK_ARN);
    assert.equal(TASK_ARN.exec(task.taskArn ?? '')?.[1], 'arch');
    assert.equal(task.clusterArn, 'arn:aws:ecs:us-east-1:123456789012:cluster/arch');
    assert.equal(task.taskDefinitionArn, 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1');
    assert.equal(task.lastStatus, 'PENDING');
    assert.equal(task.desiredStatus, 'RUNNING');
    assert.equal(task.launchType, 'EXTERNAL');
    assert.equal(task.group, 'family:web');
    assert.equal(task.startedBy, 'nightly-42');
    assert.equal(task.cpu, '256');
    assert.equal(task.memory, '512');
    assert.equal(task.version, 1);
    assert.equal(task.availabilityZone, 'lab-1');
    assert.equal(task.connectivity, 'CONNECTED');
    assert.equal(task.healthStatus, 'UNKNOWN');
    assert.equal(task.enableExecuteCommand, false);
    assert.deepEqual(task.attachments, []);
    assert.deepEqual(task.overrides, {
      containerOverrides: [{ name: 'web', environment: [{ name: 'MODE', value: 'x' }] }],
      inferenceAcceleratorOverrides: [],
    });
    const [c] = task.containers ?? [];
    assert.equal(c?.name, 'web');
    assert.equal(c?.image, '127.0.0.1:5000/app:1');
    assert.equal(c?.lastStatus, 'PENDING');
    assert.equal(c?.taskArn, task.taskArn);
    assert.match(c?.containerArn ?? '', /:container\/arch\/[0-9a-f]{32}\/[0-9a-f-]{36}$/);
    assert.equal(c?.cpu, '256');
    assert.equal(c?.memory, '512');
    assert.deepEqual(c?.networkBindings, []);
    assert.deepEqual(
      [...(task.tags ?? [])].sort((a, b) => (a.key ?? '').localeCompare(b.key ?? '')),
      [
        { key: 'aws:ecs:clusterName', value: 'arch' },
        { key: 'team', value: 'edge' },
      ],
    );
    assert.ok(heard.includes(arm), 'the gateway was told about the new task');

    // DescribeTasks and ListTasks see it as RunTask returned it.
    const described = await t.ecs.send(
      new DescribeTasksCommand({ cluster: 'arch', tasks: [idOf(task.taskArn)], include: ['TAGS'] }),
    );
    const seen = described.tasks?.[0];
    assert.equal(seen?.taskArn, task.taskArn);
    assert.equal(seen?.createdAt?.getTime(), cliTime(task.createdAt));
    assert.equal(seen?.connectivityAt?.getTime(), cliTime(task.connectivityAt));
    assert.equal(seen?.tags?.length, 2);
    assert.deepEqual(seen?.containers, task.containers);
    const listed = await t.awsJson<{ taskArns: string[] }>(
      ecs('list-tasks --cluster arch --started-by nightly-42'),
    );
    assert.deepEqual(listed.taskArns, [task.taskArn]);
    const onArm = await t.ecs.send(new ListTasksCommand({ cluster: 'arch', containerInstance: idOf(arm) }));
    assert.deepEqual(onArm.taskArns, [task.taskArn]);
  });

  it('explains what fits nowhere: memory, CPU, ports, attributes, agents', async () => {
    await createCluster(t, 'tight');
    const small = await addHost(t, 'tight', { cpu: 1024, memory: 1024 });
    const memory = await run({ cluster: 'tight', taskDefinition: 'big' });
    assert.deepEqual(memory.tasks, []);
    assert.deepEqual(memory.failures, [{ arn: small, reason: 'RESOURCE:MEMORY' }]);
    const cpu = await run({ cluster: 'tight', taskDefinition: 'hungry' });
    assert.deepEqual(cpu.failures, [{ arn: small, reason: 'RESOURCE:CPU' }]);

    const first = await run({ cluster: 'tight', taskDefinition: 'web' });
    assert.equal(first.tasks?.length, 1);
    const second = await run({ cluster: 'tight', taskDefinition: 'web' });
    assert.deepEqual(second.tasks, []);
    assert.deepEqual(second.failures, [{ arn: small, reason: 'RESOURCE:PORTS' }]);

    const unmet = await run({
      cluster: 'tight',
      taskDefinition: 'worker',
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.os-type == windows' }],
    });
    assert.deepEqual(unmet.failures, [{ arn: small, reason: 'MemberOf placement constraint unsatisfied.' }]);
    // The definition's health check needs a capability this host did not register.
    const incapable = await run({ cluster: 'tight', taskDefinition: 'checked' });
    assert.deepEqual(incapable.failures, [{ arn: small, reason: 'ATTRIBUTE' }]);

    await setConnected(t, 'tight', small, false);
    const offline = await t.awsJson<RunOutput>(ecs('run-task --cluster tight --task-definition worker'));
    assert.deepEqual(offline.tasks, []);
    assert.deepEqual(offline.failures, [{ arn: small, reason: 'AGENT' }]);

    await createCluster(t, 'empty');
    await failure(
      run({ cluster: 'empty', taskDefinition: 'worker' }),
      'InvalidParameterException',
      /^No Container Instances were found in your cluster\.$/,
    );
  });

  it('accounts for all ten tasks of one call, and binpacks them', async () => {
    await createCluster(t, 'pack');
    const a = await addHost(t, 'pack', { cpu: 2048, memory: 4096 });
    const b = await addHost(t, 'pack', { cpu: 2048, memory: 4096 });
    const out = await run({
      cluster: 'pack',
      taskDefinition: 'worker',
      count: 10,
      placementStrategy: [{ type: 'binpack', field: 'memory' }],
    });
    assert.deepEqual(out.failures, []);
    assert.equal(out.tasks?.length, 10);
    const perInstance = new Map<string, number>();
    for (const task of out.tasks ?? []) {
      perInstance.set(
        task.containerInstanceArn ?? '',
        (perInstance.get(task.containerInstanceArn ?? '') ?? 0) + 1,
      );
      assert.equal(task.memory, '320'); // 256 reserved by main + 64 by side
      assert.equal(task.cpu, '128');
    }
    // 4096 MiB / 320 per task = 12 per instance: binpack fills one before touching the other.
    assert.deepEqual([...perInstance.values()], [10]);
    const used = [...perInstance.keys()][0]!;
    const described = await t.ecs.send(
      new DescribeContainerInstancesCommand({ cluster: 'pack', containerInstances: [a, b] }),
    );
    for (const i of described.containerInstances ?? []) {
      const remaining = (name: string) => i.remainingResources?.find((r) => r.name === name)?.integerValue;
      const full = i.containerInstanceArn === used;
      assert.equal(remaining('MEMORY'), full ? 4096 - 3200 : 4096);
      assert.equal(remaining('CPU'), full ? 2048 - 1280 : 2048);
      assert.equal(i.pendingTasksCount, full ? 10 : 0);
      assert.equal(i.runningTasksCount, full ? 10 : 0);
    }
    // Two more fill the first instance to 12; the next spills over.
    const more = await run({
      cluster: 'pack',
      taskDefinition: 'worker',
      count: 3,
      placementStrategy: [{ type: 'binpack', field: 'memory' }],
    });
    assert.deepEqual(
      (more.tasks ?? []).map((task) => task.containerInstanceArn),
      [used, used, used === a ? b : a],
    );
  });

  it('spreads a group over instances', async () => {
    await createCluster(t, 'spread');
    const hosts = [await addHost(t, 'spread'), await addHost(t, 'spread'), await addHost(t, 'spread')];
    const out = await run({
      cluster: 'spread',
      taskDefinition: 'worker',
      count: 6,
      group: 'batch-7',
      placementStrategy: [{ type: 'spread', field: 'instanceId' }],
    });
    const counts = hosts.map(
      (h) => (out.tasks ?? []).filter((task) => task.containerInstanceArn === h).length,
    );
    assert.deepEqual(counts, [2, 2, 2]);
    assert.ok((out.tasks ?? []).every((task) => task.group === 'batch-7'));
    const distinct = await run({
      cluster: 'spread',
      taskDefinition: 'worker',
      count: 4,
      group: 'solo',
      placementConstraints: [{ type: 'distinctInstance' }],
    });
    assert.equal(new Set((distinct.tasks ?? []).map((task) => task.containerInstanceArn)).size, 3);
    assert.equal(distinct.failures?.length, 3);
    assert.ok(
      distinct.failures?.every((f) => f.reason === 'DistinctInstance placement constraint unsatisfied.'),
    );
  });

  it('never over-commits an instance under concurrent RunTask calls', async () => {
    await createCluster(t, 'race');
    const host = await addHost(t, 'race', { cpu: 10_000, memory: 2240 }); // room for 7 worker tasks
    const calls = Array.from({ length: 25 }, (_, n) =>
      run({ cluster: 'race', taskDefinition: 'worker', count: 1 + (n % 3) }),
    );
    const results = await Promise.all(calls);
    const placed = results.flatMap((r) => r.tasks ?? []);
    assert.equal(placed.length, 7);
    assert.ok(
      results.flatMap((r) => r.failures ?? []).every((f) => f.arn === host && f.reason === 'RESOURCE:MEMORY'),
    );
    const [instance] =
      (
        await t.ecs.send(
          new DescribeContainerInstancesCommand({ cluster: 'race', containerInstances: [host] }),
        )
      ).containerInstances ?? [];
    assert.equal(instance?.remainingResources?.find((r) => r.name === 'MEMORY')?.integerValue, 0);
  });

  it('returns the same tasks for a repeated clientToken, and refuses it with other parameters', async () => {
    await createCluster(t, 'tokens');
    await addHost(t, 'tokens');
    const input: RunTaskRequest = {
      cluster: 'tokens',
      taskDefinition: 'worker',
      count: 2,
      clientToken: 'job-2024-06-01',
    };
    const first = await run(input);
    const again = await run({ ...input });
    assert.equal(first.tasks?.length, 2);
    assert.deepEqual(
      again.tasks?.map((task) => task.taskArn),
      first.tasks?.map((task) => task.taskArn),
    );
    const cli = await t.awsJson<RunOutput>(
      ecs('run-task --cluster tokens --task-definition worker --count 2 --client-token job-2024-06-01'),
    );
    assert.deepEqual(
      cli.tasks.map((task) => task.taskArn),
      first.tasks?.map((task) => task.taskArn),
    );
    const listed = await t.ecs.send(new ListTasksCommand({ cluster: 'tokens' }));
    assert.equal(listed.taskArns?.length, 2);

    let conflict: unknown;
    try {
      await run({ ...input, count: 3 });
    } catch (e) {
      conflict = e;
    }
    assert.ok(conflict instanceof Error && conflict.name === 'ConflictException', String(conflict));
    assert.deepEqual(
      [...((conflict as { resourceIds?: string[] }).resourceIds ?? [])].sort(),
      (first.tasks ?? []).map((task) => task.taskArn).sort(),
    );
  });

  it('starts tasks on named instances, reporting the ones that cannot take them', async () => {
    await createCluster(t, 'manual');
    const a = await addHost(t, 'manual');
    const b = await addHost(t, 'manual', { memory: 300 });
    const out = await t.awsJson<RunOutput>(
      ecs(
        'start-task --cluster manual --task-definition worker --group manual-run --container-instances',
        idOf(a),
        b,
        '0123456789abcdef0123456789abcdef',
      ),
    );
    assert.deepEqual(
      out.tasks.map((task) => task.containerInstanceArn),
      [a],
    );
    assert.equal(out.tasks[0]?.group, 'manual-run');
    assert.deepEqual(out.failures, [
      { arn: b, reason: 'RESOURCE:MEMORY' },
      {
        arn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/manual/0123456789abcdef0123456789abcdef',
        reason: 'MISSING',
      },
    ]);
    const sdk = await t.ecs.send(
      new StartTaskCommand({ cluster: 'manual', taskDefinition: 'worker:1', containerInstances: [a, a] }),
    );
    assert.equal(sdk.tasks?.length, 2);
  });

  it('stops a task once, with the reason given, and tells the gateway', async () => {
    await createCluster(t, 'stops');
    const host = await addHost(t, 'stops');
    const [task] = (await run({ cluster: 'stops', taskDefinition: 'worker' })).tasks ?? [];
    assert.ok(task?.taskArn);
    await t.ecs.send(new TagResourceCommand({ resourceArn: task.taskArn, tags: [{ key: 'k', value: 'v' }] }));
    heard.length = 0;
    const stopped = await t.awsJson<{ task: Task }>(
      ecs('stop-task --cluster stops --task', idOf(task.taskArn), '--reason', 'Deploying a new version'),
    );
    assert.equal(stopped.task.desiredStatus, 'STOPPED');
    assert.equal(stopped.task.lastStatus, 'PENDING');
    assert.equal(stopped.task.stopCode, 'UserInitiated');
    assert.equal(stopped.task.stoppedReason, 'Deploying a new version');
    assert.equal(stopped.task.version, 2);
    assert.ok(stopped.task.stoppingAt !== undefined);
    assert.deepEqual(heard, [host]);

    const again = await t.ecs.send(
      new StopTaskCommand({ cluster: 'stops', task: task.taskArn, reason: 'other' }),
    );
    assert.equal(again.task?.stoppedReason, 'Deploying a new version');
    assert.equal(again.task?.version, 2);
    assert.deepEqual(heard, [host]);

    const described = await t.ecs.send(
      new DescribeTasksCommand({ cluster: 'stops', tasks: [task.taskArn], include: ['TAGS'] }),
    );
    assert.deepEqual(described.tasks?.[0]?.tags, [], 'StopTask deletes the task tags');
    const stoppedList = await t.ecs.send(
      new ListTasksCommand({ cluster: 'stops', desiredStatus: 'STOPPED' }),
    );
    assert.deepEqual(stoppedList.taskArns, [task.taskArn]);

    const [other] = (await run({ cluster: 'stops', taskDefinition: 'worker' })).tasks ?? [];
    const byDefault = await t.ecs.send(new StopTaskCommand({ cluster: 'stops', task: other?.taskArn }));
    assert.equal(byDefault.task?.stoppedReason, 'Task stopped by user');
    await failure(
      t.ecs.send(new StopTaskCommand({ cluster: 'stops', task: '0123456789abcdef0123456789abcdef' })),
      'InvalidParameterException',
      'The referenced task was not found.',
    );
  });
});

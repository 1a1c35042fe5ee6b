/**
 * The read side of tasks, end to end: ListTasks with each of its filters and its pagination, and
 * DescribeTasks with ids, ARNs, failures and tags, through @aws-sdk/client-ecs and the real AWS CLI
 * (including `aws ecs wait`, which polls DescribeTasks). RunTask does not exist yet, so the tasks are written
 * straight into the server's store, shaped as ECS returns them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type DescribeTasksRequest,
  type ListTasksRequest,
  type Task,
} from '@aws-sdk/client-ecs';
import type { InstanceRecord } from '../../src/domain/instance-record.js';
import { EMPTY_SERVICE_STATE } from '../../src/domain/service-record.js';
import type { TaskRecord } from '../../src/domain/task-record.js';
import { Arns } from '../../src/ecs/arn.js';
import { failure } from '../../src/ecs/testing/api-error.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';

const arns = new Arns('us-east-1', '123456789012');

interface TaskSpec {
  readonly cluster: string;
  readonly family: string;
  readonly instanceId: string;
  readonly desiredStatus?: 'RUNNING' | 'STOPPED';
  readonly lastStatus?: 'PENDING' | 'RUNNING' | 'STOPPED';
  readonly startedBy?: string;
  readonly group?: string;
}

function taskId(): string {
  return randomUUID().replaceAll('-', '');
}

/** A task as RunTask will record it: EXTERNAL, placed on an instance, one container. */
function taskRecord(spec: TaskSpec): TaskRecord {
  const id = taskId();
  const taskArn = arns.task(spec.cluster, id);
  const lastStatus = spec.lastStatus ?? (spec.desiredStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING');
  const createdAt = new Date(Date.now() - 60_000);
  return {
    taskArn,
    clusterArn: arns.cluster(spec.cluster),
    taskDefinitionArn: arns.taskDefinition(spec.family, 3),
    containerInstanceArn: arns.containerInstance(spec.cluster, spec.instanceId),
    launchType: 'EXTERNAL',
    desiredStatus: spec.desiredStatus ?? 'RUNNING',
    lastStatus,
    group: spec.group ?? `family:${spec.family}`,
    ...(spec.startedBy !== undefined && { startedBy: spec.startedBy }),
    cpu: '256',
    memory: '512',
    connectivity: 'CONNECTED',
    connectivityAt: createdAt,
    createdAt,
    ...(lastStatus !== 'PENDING' && { startedAt: new Date(createdAt.getTime() + 5_000) }),
    ...(lastStatus === 'STOPPED' && {
      stoppedAt: new Date(),
      stopCode: 'UserInitiated',
      stoppedReason: 'Task stopped by user',
    }),
    healthStatus: 'UNKNOWN',
    version: lastStatus === 'STOPPED' ? 4 : 2,
    overrides: { containerOverrides: [{ name: spec.family }], inferenceAcceleratorOverrides: [] },
    attachments: [],
    containers: [
      {
        containerArn: arns.container(spec.cluster, id, randomUUID()),
        taskArn,
        name: spec.family,
        image: `127.0.0.1:5000/${spec.family}:1`,
        lastStatus,
        networkBindings: [],
        networkInterfaces: [],
        healthStatus: 'UNKNOWN',
        cpu: '256',
        memory: '512',
      },
    ],
  };
}

function instanceRecord(cluster: string, id: string): InstanceRecord {
  return {
    containerInstanceArn: arns.containerInstance(cluster, id),
    ec2InstanceId: `mi-${id.slice(0, 17)}`,
    status: 'ACTIVE',
    agentConnected: true,
    version: 1,
    registeredAt: new Date(Date.now() - 120_000),
    registeredResources: [],
    remainingResources: [],
    attributes: [],
    runningTasksCount: 0,
    pendingTasksCount: 0,
  };
}

const sorted = (values: readonly string[] | undefined): string[] => [...(values ?? [])].sort();
const arnsOf = (tasks: readonly Task[]): string[] => sorted(tasks.map((t) => t.taskArn ?? ''));

describe('ListTasks and DescribeTasks', () => {
  let t: TestServer;
  const instance1 = taskId();
  const instance2 = taskId();
  const instanceInLab = taskId();
  // Cluster `edge`: web tasks on instance 1, a service's tasks on instance 2, and stopped ones.
  const web = Array.from({ length: 5 }, () =>
    taskRecord({ cluster: 'edge', family: 'web', instanceId: instance1 }),
  );
  const pending = taskRecord({
    cluster: 'edge',
    family: 'web',
    instanceId: instance1,
    lastStatus: 'PENDING',
  });
  const ingest = Array.from({ length: 2 }, () =>
    taskRecord({
      cluster: 'edge',
      family: 'worker',
      instanceId: instance2,
      group: 'service:ingest',
      startedBy: 'ecs-svc/4611686018427387904',
    }),
  );
  const batch = taskRecord({
    cluster: 'edge',
    family: 'worker',
    instanceId: instance2,
    startedBy: 'nightly-42',
  });
  const stopped = [
    taskRecord({ cluster: 'edge', family: 'web', instanceId: instance1, desiredStatus: 'STOPPED' }),
    taskRecord({
      cluster: 'edge',
      family: 'worker',
      instanceId: instance2,
      desiredStatus: 'STOPPED',
      startedBy: 'nightly-42',
    }),
  ];
  const lab = taskRecord({ cluster: 'lab', family: 'web', instanceId: instanceInLab });
  const running = [...web, pending, ...ingest, batch];

  before(async () => {
    t = await startTestServer();
    for (const name of ['edge', 'lab']) await t.ecs.send(new CreateClusterCommand({ clusterName: name }));
    const store = t.server.store;
    await store.containerInstances.put(arns.cluster('edge'), instanceRecord('edge', instance1));
    await store.containerInstances.put(arns.cluster('edge'), instanceRecord('edge', instance2));
    await store.containerInstances.put(arns.cluster('lab'), instanceRecord('lab', instanceInLab));
    for (const task of [...running, ...stopped, lab]) await store.tasks.put(task);
    // ListTasks' serviceName must name a service of the cluster; a deleted one will do (and stays idle).
    await store.services.put({
      serviceArn: arns.service('edge', 'ingest'),
      serviceName: 'ingest',
      clusterArn: arns.cluster('edge'),
      status: 'INACTIVE',
      schedulingStrategy: 'REPLICA',
      launchType: 'EXTERNAL',
      desiredCount: 0,
      runningCount: 0,
      pendingCount: 0,
      taskDefinition: arns.taskDefinition('worker', 3),
      deployments: [],
      events: [],
      createdAt: new Date(),
      controller: EMPTY_SERVICE_STATE,
    });
    await store.tags.put(web[0]?.taskArn ?? '', [
      { key: 'team', value: 'edge' },
      { key: 'cost-center', value: '4711' },
    ]);
  });
  after(() => t.stop());

  const list = (input: ListTasksRequest) => t.ecs.send(new ListTasksCommand(input));
  const describeTasks = (input: DescribeTasksRequest) => t.ecs.send(new DescribeTasksCommand(input));

  describe('ListTasks', () => {
    it('lists the tasks whose desired status is RUNNING by default, PENDING ones included (CLI)', async () => {
      const out = await t.awsJson<{ taskArns: string[] }>(['ecs', 'list-tasks', '--cluster', 'edge']);
      assert.deepEqual(sorted(out.taskArns), arnsOf(running));
    });

    it('lists stopped tasks with --desired-status STOPPED (CLI)', async () => {
      const out = await t.awsJson<{ taskArns: string[] }>([
        'ecs',
        'list-tasks',
        '--cluster',
        'edge',
        '--desired-status',
        'STOPPED',
      ]);
      assert.deepEqual(sorted(out.taskArns), arnsOf(stopped));
    });

    it('returns nothing for desiredStatus PENDING, even with tasks whose lastStatus is PENDING', async () => {
      const out = await list({ cluster: 'edge', desiredStatus: 'PENDING' });
      assert.deepEqual(out.taskArns, []);
      assert.equal(out.nextToken, undefined);
    });

    it('accepts the cluster as an ARN and keeps clusters apart', async () => {
      const out = await list({ cluster: arns.cluster('lab') });
      assert.deepEqual(out.taskArns, [lab.taskArn]);
    });

    it('filters by family', async () => {
      const out = await list({ cluster: 'edge', family: 'worker' });
      assert.deepEqual(sorted(out.taskArns), arnsOf([...ingest, batch]));
      const none = await list({ cluster: 'edge', family: 'no-such-family' });
      assert.deepEqual(none.taskArns, []);
    });

    it('filters by container instance, given as an id or an ARN (CLI)', async () => {
      const byId = await t.awsJson<{ taskArns: string[] }>([
        'ecs',
        'list-tasks',
        '--cluster',
        'edge',
        '--container-instance',
        instance2,
      ]);
      assert.deepEqual(sorted(byId.taskArns), arnsOf([...ingest, batch]));
      const byArn = await list({
        cluster: 'edge',
        containerInstance: arns.containerInstance('edge', instance1),
      });
      assert.deepEqual(sorted(byArn.taskArns), arnsOf([...web, pending]));
    });

    it('filters by service name (the tasks of group service:<name>), alone or with desiredStatus', async () => {
      const out = await list({ cluster: 'edge', serviceName: 'ingest' });
      assert.deepEqual(sorted(out.taskArns), arnsOf(ingest));
      const byArn = await list({ cluster: 'edge', serviceName: arns.service('edge', 'ingest') });
      assert.deepEqual(sorted(byArn.taskArns), arnsOf(ingest));
      const stoppedOnes = await list({ cluster: 'edge', serviceName: 'ingest', desiredStatus: 'STOPPED' });
      assert.deepEqual(stoppedOnes.taskArns, []);
    });

    it('filters by startedBy, with cluster and desiredStatus (CLI)', async () => {
      const out = await t.awsJson<{ taskArns: string[] }>([
        'ecs',
        'list-tasks',
        '--cluster',
        'edge',
        '--started-by',
        'nightly-42',
      ]);
      assert.deepEqual(out.taskArns, [batch.taskArn]);
      const gone = await list({ cluster: 'edge', startedBy: 'nightly-42', desiredStatus: 'STOPPED' });
      assert.deepEqual(gone.taskArns, [stopped[1]?.taskArn]);
    });

    it('filters by launch type', async () => {
      const external = await list({ cluster: 'edge', launchType: 'EXTERNAL' });
      assert.deepEqual(sorted(external.taskArns), arnsOf(running));
      const fargate = await list({ cluster: 'edge', launchType: 'FARGATE' });
      assert.deepEqual(fargate.taskArns, []);
    });

    it('combines filters with AND', async () => {
      const out = await list({
        cluster: 'edge',
        family: 'worker',
        containerInstance: instance2,
        serviceName: 'ingest',
        launchType: 'EXTERNAL',
      });
      assert.deepEqual(sorted(out.taskArns), arnsOf(ingest));
      const none = await list({ cluster: 'edge', family: 'web', containerInstance: instance2 });
      assert.deepEqual(none.taskArns, []);
    });

    it('matches no task for a daemon: Berth runs none', async () => {
      const out = await list({ cluster: 'edge', daemonName: 'node-exporter' });
      assert.deepEqual(out.taskArns, []);
    });

    it('pages with maxResults and nextToken, each task exactly once', async () => {
      const seen: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await list({ cluster: 'edge', maxResults: 3, ...(nextToken && { nextToken }) });
        assert.ok((page.taskArns?.length ?? 0) <= 3, 'a page holds at most maxResults tasks');
        seen.push(...(page.taskArns ?? []));
        nextToken = page.nextToken;
        pages++;
      } while (nextToken !== undefined);
      assert.equal(pages, 3, '9 running tasks in pages of 3');
      assert.equal(new Set(seen).size, seen.length, 'no task repeats across pages');
      assert.deepEqual(sorted(seen), arnsOf(running));
    });

    it('pages in the CLI with --page-size and --max-items/--starting-token', async () => {
      const all = await t.awsJson<{ taskArns: string[] }>([
        'ecs',
        'list-tasks',
        '--cluster',
        'edge',
        '--page-size',
        '2',
      ]);
      assert.deepEqual(sorted(all.taskArns), arnsOf(running));
      const first = await t.awsJson<{ taskArns: string[]; NextToken?: string }>([
        'ecs',
        'list-tasks',
        '--cluster',
        'edge',
        '--max-items',
        '4',
      ]);
      assert.equal(first.taskArns.length, 4);
      assert.ok(first.NextToken, 'the CLI offers a token for the rest');
      const rest = await t.awsJson<{ taskArns: string[] }>([
        'ecs',
        'list-tasks',
        '--cluster',
        'edge',
        '--starting-token',
        first.NextToken,
      ]);
      assert.deepEqual(sorted([...first.taskArns, ...rest.taskArns]), arnsOf(running));
    });

    it('refuses maxResults outside 1..100 and a nextToken it did not issue', async () => {
      await failure(list({ cluster: 'edge', maxResults: 0 }), 'InvalidParameterException', /maxResults/);
      await failure(list({ cluster: 'edge', maxResults: 101 }), 'InvalidParameterException', /100/);
      await failure(
        list({ cluster: 'edge', nextToken: 'not-a-token' }),
        'InvalidParameterException',
        /nextToken/,
      );
    });

    it('refuses startedBy next to family, containerInstance, serviceName or launchType', async () => {
      const message = await failure(
        list({ cluster: 'edge', startedBy: 'nightly-42', family: 'worker' }),
        'InvalidParameterException',
        /startedBy with other arguments/,
      );
      assert.match(message, /family/);
      await failure(
        list({ cluster: 'edge', startedBy: 'nightly-42', containerInstance: instance2 }),
        'InvalidParameterException',
        /containerInstance/,
      );
      await failure(
        list({ cluster: 'edge', startedBy: 'nightly-42', serviceName: 'ingest' }),
        'InvalidParameterException',
        /serviceName/,
      );
      const cli = await t.aws([
        'ecs',
        'list-tasks',
        '--cluster',
        'edge',
        '--started-by',
        'nightly-42',
        '--launch-type',
        'EXTERNAL',
      ]);
      assert.notEqual(cli.code, 0);
      assert.match(cli.stderr, /InvalidParameterException.*startedBy with other arguments/);
    });

    it('refuses a container instance that is not registered in the cluster', async () => {
      await failure(
        list({ cluster: 'edge', containerInstance: 'f00dfeedf00dfeedf00dfeedf00dfeed' }),
        'InvalidParameterException',
        /f00dfeedf00dfeedf00dfeedf00dfeed.*not found in cluster edge/,
      );
      // The instance exists, but in another cluster.
      await failure(
        list({ cluster: 'edge', containerInstance: arns.containerInstance('lab', instanceInLab) }),
        'InvalidParameterException',
        /not found in cluster edge/,
      );
    });

    it('refuses a malformed family or service name', async () => {
      await failure(list({ cluster: 'edge', family: 'web:3' }), 'InvalidParameterException', /Family/);
      await failure(
        list({ cluster: 'edge', serviceName: 'in gest' }),
        'InvalidParameterException',
        /Service name/,
      );
    });

    it('answers ClusterNotFoundException for an unknown or deleted cluster (CLI)', async () => {
      const cli = await t.aws(['ecs', 'list-tasks', '--cluster', 'nowhere']);
      assert.notEqual(cli.code, 0);
      assert.match(cli.stderr, /ClusterNotFoundException/);
      await t.ecs.send(new CreateClusterCommand({ clusterName: 'short-lived' }));
      await t.ecs.send(new DeleteClusterCommand({ cluster: 'short-lived' }));
      await failure(list({ cluster: 'short-lived' }), 'ClusterNotFoundException');
    });

    it('refuses wrongly typed and unknown-enum members before looking at anything', async () => {
      await failure(
        list({ cluster: 'edge', maxResults: 'ten' as unknown as number }),
        'SerializationException',
      );
      await failure(
        list({ cluster: 'edge', desiredStatus: 'DONE' as unknown as 'STOPPED' }),
        'InvalidParameterException',
        /desiredStatus/,
      );
      const cli = await t.aws(['ecs', 'list-tasks', '--cluster', 'edge', '--launch-type', 'VM']);
      assert.notEqual(cli.code, 0);
      assert.match(cli.stderr, /InvalidParameterException.*launchType/);
    });
  });

  describe('DescribeTasks', () => {
    it('describes tasks by ARN or short id, and reports the unknown ones as MISSING', async () => {
      const [a, b] = web;
      const id = (task: Task | undefined) => task?.taskArn?.split('/').pop() ?? '';
      const unknownId = taskId();
      const elsewhere = lab.taskArn ?? '';
      const out = await describeTasks({
        cluster: 'edge',
        tasks: [a?.taskArn ?? '', id(b), unknownId, elsewhere],
      });
      assert.deepEqual(arnsOf(out.tasks ?? []), sorted([a?.taskArn ?? '', b?.taskArn ?? '']));
      assert.deepEqual(out.failures, [
        { arn: arns.task('edge', unknownId), reason: 'MISSING' },
        { arn: elsewhere, reason: 'MISSING' },
      ]);
    });

    it('returns the task as recorded: statuses, times, containers, no tags unless asked', async () => {
      const out = await describeTasks({ cluster: 'edge', tasks: [stopped[0]?.taskArn ?? ''] });
      const task = out.tasks?.[0];
      assert.ok(task);
      assert.equal(task.lastStatus, 'STOPPED');
      assert.equal(task.desiredStatus, 'STOPPED');
      assert.equal(task.stopCode, 'UserInitiated');
      assert.equal(task.launchType, 'EXTERNAL');
      assert.equal(task.containerInstanceArn, arns.containerInstance('edge', instance1));
      assert.ok(task.createdAt instanceof Date && task.stoppedAt instanceof Date);
      assert.equal(task.containers?.[0]?.name, 'web');
      assert.deepEqual(task.tags, []);
    });

    it('includes the tags with include TAGS (CLI)', async () => {
      const id = web[0]?.taskArn?.split('/').pop() ?? '';
      const out = await t.awsJson<{ tasks: Task[]; failures: unknown[] }>([
        'ecs',
        'describe-tasks',
        '--cluster',
        'edge',
        '--tasks',
        id,
        '--include',
        'TAGS',
      ]);
      assert.equal(out.tasks.length, 1);
      assert.deepEqual(out.tasks[0]?.tags, [
        { key: 'cost-center', value: '4711' },
        { key: 'team', value: 'edge' },
      ]);
      assert.deepEqual(out.failures, []);
    });

    it('lists a task once when it is named twice', async () => {
      const arn = web[1]?.taskArn ?? '';
      const out = await describeTasks({ cluster: 'edge', tasks: [arn, arn.split('/').pop() ?? ''] });
      assert.equal(out.tasks?.length, 1);
      assert.deepEqual(out.failures, []);
    });

    it('answers `aws ecs wait tasks-running` and `tasks-stopped` at once for settled tasks', async () => {
      const up = await t.aws([
        'ecs',
        'wait',
        'tasks-running',
        '--cluster',
        'edge',
        '--tasks',
        web[2]?.taskArn ?? '',
      ]);
      assert.equal(up.code, 0, up.stderr);
      const down = await t.aws([
        'ecs',
        'wait',
        'tasks-stopped',
        '--cluster',
        'edge',
        '--tasks',
        stopped[0]?.taskArn ?? '',
      ]);
      assert.equal(down.code, 0, down.stderr);
      const missing = await t.aws(['ecs', 'wait', 'tasks-running', '--cluster', 'edge', '--tasks', taskId()]);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /terminal failure state/);
    });

    it('still describes the tasks of a deleted cluster', async () => {
      await t.ecs.send(new CreateClusterCommand({ clusterName: 'retired' }));
      const old = taskRecord({
        cluster: 'retired',
        family: 'web',
        instanceId: taskId(),
        desiredStatus: 'STOPPED',
      });
      await t.server.store.tasks.put(old);
      await t.ecs.send(new DeleteClusterCommand({ cluster: 'retired' }));
      const out = await describeTasks({ cluster: 'retired', tasks: [old.taskArn ?? ''] });
      assert.deepEqual(arnsOf(out.tasks ?? []), [old.taskArn]);
    });

    it('refuses an empty list, more than 100 tasks, or no tasks member at all', async () => {
      await failure(
        describeTasks({ cluster: 'edge', tasks: [] }),
        'InvalidParameterException',
        /Tasks cannot be empty/,
      );
      const many = Array.from({ length: 101 }, () => taskId());
      await failure(
        describeTasks({ cluster: 'edge', tasks: many }),
        'InvalidParameterException',
        /at most 100.*101/,
      );
      await failure(
        describeTasks({ cluster: 'edge' } as DescribeTasksRequest),
        'InvalidParameterException',
        /Missing required parameter 'tasks'/,
      );
      const cli = await t.aws(['ecs', 'describe-tasks', '--cluster', 'edge']);
      assert.notEqual(cli.code, 0);
      assert.match(cli.stderr, /--tasks/);
    });

    it('refuses wrongly typed members and an unknown include value', async () => {
      await failure(
        describeTasks({ cluster: 'edge', tasks: 'abc' as unknown as string[] }),
        'SerializationException',
      );
      await failure(
        describeTasks({ cluster: 'edge', tasks: [taskId()], include: ['LABELS' as unknown as 'TAGS'] }),
        'InvalidParameterException',
        /include/,
      );
    });

    it('answers ClusterNotFoundException for an unknown cluster (CLI)', async () => {
      const cli = await t.aws(['ecs', 'describe-tasks', '--cluster', 'nowhere', '--tasks', taskId()]);
      assert.notEqual(cli.code, 0);
      assert.match(cli.stderr, /ClusterNotFoundException/);
    });
  });
});

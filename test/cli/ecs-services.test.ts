/**
 * Services end to end, through the AWS CLI and @aws-sdk/client-ecs against a real server: creating a service
 * and reaching `aws ecs wait services-stable`, rolling out a new revision within the deployment limits,
 * replacing a task that stops, moving tasks off a drained instance, and the service's events word for
 * word. No agent runs: instances are registered through the API and marked connected in the store, and the
 * tests report task states with SubmitTaskStateChange, as agents would (`service-fixtures.ts`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DescribeClustersCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { addHost, createCluster, registerDefinition } from '../rigs/run-task-fixtures.js';
import {
  describeService,
  fakeAgents,
  FAST_SERVICES,
  report,
  serviceTasks,
  startPending,
  taskIdOf,
} from '../rigs/service-fixtures.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const DEPLOYMENT_ID = /^ecs-svc\/\d{19}$/;

/** Stable as the services-stable waiter sees it: one deployment, runningCount == desiredCount. */
const isStable = (s: Service): boolean => s.deployments?.length === 1 && s.runningCount === s.desiredCount;

describe('services', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ services: FAST_SERVICES });
    await registerDefinition(t, 'web', { tags: [{ key: 'from', value: 'definition' }] });
  });
  after(() => t.stop());

  it('creates a service that reaches its desired count and a steady state (CLI, services-stable)', async () => {
    await createCluster(t, 'stable');
    const hosts = [await addHost(t, 'stable'), await addHost(t, 'stable'), await addHost(t, 'stable')];
    const created = await t.awsJson<{ service: Service }>([
      'ecs',
      'create-service',
      '--cluster',
      'stable',
      '--service-name',
      'web',
      '--task-definition',
      'web',
      '--desired-count',
      '3',
      '--placement-strategy',
      'type=spread,field=instanceId',
      '--tags',
      'key=team,value=edge',
      '--propagate-tags',
      'SERVICE',
      '--enable-ecs-managed-tags',
    ]);
    const service = created.service;
    assert.equal(service.serviceArn, 'arn:aws:ecs:us-east-1:123456789012:service/stable/web');
    assert.equal(service.status, 'ACTIVE');
    assert.equal(service.desiredCount, 3);
    assert.equal(service.launchType, 'EXTERNAL');
    assert.equal(service.schedulingStrategy, 'REPLICA');
    assert.deepEqual(service.deploymentController, { type: 'ECS' });
    assert.deepEqual(service.deploymentConfiguration, {
      deploymentCircuitBreaker: { enable: false, rollback: false },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    });
    assert.deepEqual(service.placementStrategy, [{ type: 'spread', field: 'instanceId' }]);
    assert.deepEqual(service.tags, [{ key: 'team', value: 'edge' }]);
    const [deployment] = service.deployments ?? [];
    assert.match(deployment?.id ?? '', DEPLOYMENT_ID);
    assert.equal(deployment?.status, 'PRIMARY');
    assert.equal(deployment?.rolloutState, 'IN_PROGRESS');
    assert.equal(deployment?.rolloutStateReason, `ECS deployment ${deployment?.id} in progress.`);
    assert.equal(deployment?.taskDefinition, 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1');

    // The controller places three PENDING tasks, one per host, carrying the deployment and the service.
    const tasks = await waitFor(
      'three tasks',
      async () => {
        const found = await serviceTasks(t, 'stable', 'web');
        return found.length === 3 ? found : undefined;
      },
      10_000,
      { intervalMs: 50 },
    );
    assert.deepEqual(new Set(tasks.map((task) => task.containerInstanceArn)), new Set(hosts));
    for (const task of tasks) {
      assert.equal(task.lastStatus, 'PENDING');
      assert.equal(task.group, 'service:web');
      assert.equal(task.startedBy, deployment?.id);
      assert.equal(task.launchType, 'EXTERNAL');
    }
    const tags = await t.ecs.send(new ListTagsForResourceCommand({ resourceArn: tasks[0]?.taskArn }));
    assert.deepEqual(
      [...(tags.tags ?? [])].sort((a, b) => (a.key ?? '').localeCompare(b.key ?? '')),
      [
        { key: 'aws:ecs:clusterName', value: 'stable' },
        { key: 'aws:ecs:serviceName', value: 'web' },
        { key: 'team', value: 'edge' },
      ],
    );
    const pending = await describeService(t, 'stable', 'web');
    assert.equal(pending.pendingCount, 3);
    assert.equal(pending.runningCount, 0);

    await startPending(t, 'stable', 'web');
    const steady = await waitFor(
      'steady state',
      async () => {
        const s = await describeService(t, 'stable', 'web');
        return s.deployments?.[0]?.rolloutState === 'COMPLETED' ? s : undefined;
      },
      10_000,
      { intervalMs: 50 },
    );
    const waited = await t.aws([
      'ecs',
      'wait',
      'services-stable',
      '--cluster',
      'stable',
      '--services',
      'web',
    ]);
    assert.equal(waited.code, 0, waited.stderr);
    assert.equal(steady.runningCount, 3);
    assert.equal(steady.pendingCount, 0);
    assert.equal(steady.deployments?.[0]?.rolloutStateReason, `ECS deployment ${deployment?.id} completed.`);
    const ids = tasks.map((task) => taskIdOf(task.taskArn));
    const messages = (steady.events ?? []).map((e) => e.message);
    assert.deepEqual(messages, [
      '(service web) has reached a steady state.',
      `(service web) (deployment ${deployment?.id}) deployment completed.`,
      messages[2],
    ]);
    // The tasks in the order they were placed (ListTasks lists them in ARN order).
    const started =
      /^\(service web\) has started 3 tasks: \(task (\w{32})\) \(task (\w{32})\) \(task (\w{32})\)\.$/.exec(
        messages[2] ?? '',
      );
    assert.deepEqual(started?.slice(1).sort(), ids.sort());
    assert.ok((steady.events ?? []).every((e) => /^[0-9a-f-]{36}$/.test(e.id ?? '') && e.createdAt));

    const clusters = await t.ecs.send(new DescribeClustersCommand({ clusters: ['stable'] }));
    assert.equal(clusters.clusters?.[0]?.activeServicesCount, 1);
    const listed = await t.ecs.send(new ListServicesCommand({ cluster: 'stable' }));
    assert.deepEqual(listed.serviceArns, [service.serviceArn]);
  });

  it('rolls out a new revision without breaking minimumHealthyPercent or maximumPercent', async () => {
    await createCluster(t, 'roll');
    for (let i = 0; i < 3; i++) await addHost(t, 'roll');
    const v2 = await registerDefinition(t, 'web', {
      containerDefinitions: [{ name: 'app', image: '127.0.0.1:5000/app:2', cpu: 256, memory: 512 }],
    });
    const agents = fakeAgents(t, 'roll');
    try {
      await t.awsJson([
        'ecs',
        'create-service',
        '--cluster',
        'roll',
        '--service-name',
        'api',
        '--task-definition',
        'web:1',
        '--desired-count',
        '4',
        '--deployment-configuration',
        'maximumPercent=150,minimumHealthyPercent=50',
      ]);
      await waitFor('api stable', async () => isStable(await describeService(t, 'roll', 'api')), 10_000, {
        intervalMs: 50,
      });
      await t.ecs.send(
        new UpdateServiceCommand({ cluster: 'roll', service: 'api', taskDefinition: v2.taskDefinitionArn }),
      );
      // Sample the counts while the rollout runs: never more than floor(4 x 150%) = 6 running or pending,
      // never fewer than ceil(4 x 50%) = 2 running.
      const samples: { running: number; pending: number; deployments: number }[] = [];
      const done = await waitFor(
        'rollout completed',
        async () => {
          const s = await describeService(t, 'roll', 'api');
          samples.push({
            running: s.runningCount ?? 0,
            pending: s.pendingCount ?? 0,
            deployments: s.deployments?.length ?? 0,
          });
          const primary = s.deployments?.[0];
          return isStable(s) &&
            primary?.taskDefinition === v2.taskDefinitionArn &&
            primary?.rolloutState === 'COMPLETED'
            ? s
            : undefined;
        },
        20_000,
        { intervalMs: 50 },
      );
      assert.ok(
        samples.some((s) => s.deployments === 2),
        `two deployments were seen side by side: ${JSON.stringify(samples)} ${JSON.stringify(done.deployments)}`,
      );
      for (const s of samples) {
        assert.ok(s.running + s.pending <= 6, `above maximumPercent: ${JSON.stringify(s)}`);
        assert.ok(s.running >= 2, `below minimumHealthyPercent: ${JSON.stringify(s)}`);
      }
      assert.equal(done.deployments?.[0]?.rolloutState, 'COMPLETED');
      const tasks = await serviceTasks(t, 'roll', 'api');
      assert.equal(tasks.length, 4);
      assert.ok(tasks.every((task) => task.taskDefinitionArn === v2.taskDefinitionArn));
      const stopped = await serviceTasks(t, 'roll', 'api', 'STOPPED');
      assert.equal(stopped.length, 4);
      for (const task of stopped) {
        assert.equal(task.stopCode, 'ServiceSchedulerInitiated');
        assert.match(
          task.stoppedReason ?? '',
          /^Scaling activity initiated by \(deployment ecs-svc\/\d{19}\)$/,
        );
      }
      const messages = (done.events ?? []).map((e) => e.message ?? '');
      assert.ok(
        messages.some((m) =>
          /^\(service api\) has stopped \d running tasks: (\(task [0-9a-f]{32}\) ?)+\.$/.test(m),
        ),
      );
    } finally {
      await agents.stop();
    }
  });

  it('replaces a task that stops, and scales in and out with desiredCount', async () => {
    await createCluster(t, 'heal');
    await addHost(t, 'heal');
    await addHost(t, 'heal');
    const agents = fakeAgents(t, 'heal');
    try {
      await t.awsJson([
        'ecs',
        'create-service',
        '--cluster',
        'heal',
        '--service-name',
        'w',
        '--task-definition',
        'web',
        '--desired-count',
        '2',
      ]);
      await waitFor('stable', async () => isStable(await describeService(t, 'heal', 'w')), 10_000, {
        intervalMs: 50,
      });
      const [victim] = await serviceTasks(t, 'heal', 'w');
      assert.ok(victim);
      // Its essential container exits, as a container killed by hand would.
      agents.paused.value = true;
      await report(t, 'heal', victim, 'STOPPED', 'Essential container in task exited');
      const replacement = await waitFor(
        'a replacement',
        async () => {
          const tasks = await serviceTasks(t, 'heal', 'w');
          return tasks.find((task) => task.taskArn !== victim.taskArn && task.lastStatus === 'PENDING');
        },
        10_000,
        { intervalMs: 50 },
      );
      const started = (await describeService(t, 'heal', 'w')).events?.[0]?.message;
      assert.equal(started, `(service w) has started 1 tasks: (task ${taskIdOf(replacement.taskArn)}).`);
      agents.paused.value = false;
      await waitFor('stable again', async () => isStable(await describeService(t, 'heal', 'w')), 10_000, {
        intervalMs: 50,
      });

      await t.ecs.send(new UpdateServiceCommand({ cluster: 'heal', service: 'w', desiredCount: 5 }));
      await waitFor(
        'five',
        async () => {
          const s = await describeService(t, 'heal', 'w');
          return isStable(s) && s.runningCount === 5;
        },
        10_000,
        { intervalMs: 50 },
      );
      const updated = await t.ecs.send(
        new UpdateServiceCommand({ cluster: 'heal', service: 'w', desiredCount: 1 }),
      );
      assert.equal(updated.service?.deployments?.length, 1, 'a new desired count is no new deployment');
      await waitFor(
        'one',
        async () => {
          const s = await describeService(t, 'heal', 'w');
          return isStable(s) && s.runningCount === 1;
        },
        10_000,
        { intervalMs: 50 },
      );
      assert.equal((await serviceTasks(t, 'heal', 'w')).length, 1);
    } finally {
      await agents.stop();
    }
  });

  it('moves service tasks off a DRAINING instance, and leaves standalone ones', async () => {
    await createCluster(t, 'drain');
    const hosts = [await addHost(t, 'drain'), await addHost(t, 'drain'), await addHost(t, 'drain')];
    const agents = fakeAgents(t, 'drain');
    try {
      await t.awsJson([
        'ecs',
        'create-service',
        '--cluster',
        'drain',
        '--service-name',
        'w',
        '--task-definition',
        'web',
        '--desired-count',
        '3',
        '--placement-strategy',
        'type=spread,field=instanceId',
      ]);
      await waitFor('stable', async () => isStable(await describeService(t, 'drain', 'w')), 10_000, {
        intervalMs: 50,
      });
      const standalone = await t.awsJson<{ tasks: { taskArn: string }[] }>([
        'ecs',
        'start-task',
        '--cluster',
        'drain',
        '--task-definition',
        'web',
        '--container-instances',
        hosts[0] ?? '',
      ]);
      await t.ecs.send(
        new UpdateContainerInstancesStateCommand({
          cluster: 'drain',
          containerInstances: [hosts[0] ?? ''],
          status: 'DRAINING',
        }),
      );
      const moved = await waitFor(
        'tasks moved',
        async () => {
          const s = await describeService(t, 'drain', 'w');
          const tasks = await serviceTasks(t, 'drain', 'w');
          return isStable(s) && tasks.every((task) => task.containerInstanceArn !== hosts[0])
            ? tasks
            : undefined;
        },
        10_000,
        { intervalMs: 50 },
      );
      assert.equal(moved.length, 3);
      const listed = await t.awsJson<{ taskArns: string[] }>([
        'ecs',
        'list-tasks',
        '--cluster',
        'drain',
        '--container-instance',
        hosts[0] ?? '',
      ]);
      assert.deepEqual(listed.taskArns, [standalone.tasks[0]?.taskArn], 'the standalone task stays');
    } finally {
      await agents.stop();
    }
  });

  it('trips the circuit breaker on a revision whose tasks never start, and rolls back', async () => {
    await createCluster(t, 'breaker');
    await addHost(t, 'breaker');
    await addHost(t, 'breaker');
    const bad = await registerDefinition(t, 'web', {
      containerDefinitions: [{ name: 'app', image: '127.0.0.1:5000/missing:1', cpu: 256, memory: 512 }],
    });
    const agents = fakeAgents(t, 'breaker', { failing: (arn) => arn === bad.taskDefinitionArn });
    try {
      const created = await t.awsJson<{ service: Service }>([
        'ecs',
        'create-service',
        '--cluster',
        'breaker',
        '--service-name',
        'b',
        '--task-definition',
        'web:1',
        '--desired-count',
        '2',
        '--deployment-configuration',
        'deploymentCircuitBreaker={enable=true,rollback=true}',
      ]);
      const first = created.service.deployments?.[0]?.id ?? '';
      await waitFor(
        'stable',
        async () => {
          const s = await describeService(t, 'breaker', 'b');
          return isStable(s) && s.deployments?.[0]?.rolloutState === 'COMPLETED';
        },
        10_000,
        { intervalMs: 50 },
      );
      const update = await t.ecs.send(
        new UpdateServiceCommand({ cluster: 'breaker', service: 'b', taskDefinition: bad.taskDefinitionArn }),
      );
      const failing = update.service?.deployments?.[0]?.id ?? '';
      assert.notEqual(failing, first);
      assert.deepEqual(
        update.service?.deployments?.map((d) => d.status),
        ['PRIMARY', 'ACTIVE'],
      );
      const rolledBack = await waitFor(
        'rollback to a steady state',
        async () => {
          const s = await describeService(t, 'breaker', 'b');
          return isStable(s) &&
            s.taskDefinition?.endsWith('web:1') &&
            s.deployments?.[0]?.rolloutState === 'COMPLETED'
            ? s
            : undefined;
        },
        20_000,
        { intervalMs: 50 },
      );
      const primary = rolledBack.deployments?.[0];
      assert.notEqual(primary?.id, failing);
      assert.equal(primary?.taskDefinition, 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1');
      const messages = (rolledBack.events ?? []).map((e) => e.message);
      assert.ok(
        messages.includes(`(service b) (deployment ${failing}) deployment failed: tasks failed to start.`),
      );
      assert.ok(messages.includes(`(service b) rolling back to deployment ${first}.`));
      assert.ok(messages.includes('(service b) has reached a steady state.'));
      const stopped = await serviceTasks(t, 'breaker', 'b', 'STOPPED');
      const bads = stopped.filter((task) => task.taskDefinitionArn === bad.taskDefinitionArn);
      const failed = bads.filter((task) => task.stopCode === 'TaskFailedToStart');
      assert.ok(failed.length >= 10, `at least the threshold of 10 tasks failed (${failed.length})`);
      // Those still pending when the breaker tripped were stopped by the scheduler.
      assert.ok(
        bads.every((task) =>
          ['TaskFailedToStart', 'ServiceSchedulerInitiated'].includes(task.stopCode ?? ''),
        ),
      );
      // The tasks that were running all along still are: rolling back replaced nothing.
      const running = await serviceTasks(t, 'breaker', 'b');
      assert.equal(running.length, 2);
      assert.ok(running.every((task) => task.startedBy === first));
    } finally {
      await agents.stop();
    }
  });
});

/**
 * Services end to end, the rest of their life: DAEMON services following their instances (including one
 * registered later), deleting a service with and without force until it is INACTIVE, tags on services,
 * the events of a service that cannot be placed, and Berth's --replace-disconnected-after setting.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTasksCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { failure } from '../../src/ecs/testing/api-error.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { addHost, createCluster, registerDefinition, setConnected } from '../rigs/run-task-fixtures.js';
import { describeService, fakeAgents, FAST_SERVICES, serviceTasks } from '../rigs/service-fixtures.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const isStable = (s: Service): boolean => s.deployments?.length === 1 && s.runningCount === s.desiredCount;

describe('services over their lifetime', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ services: FAST_SERVICES });
    await registerDefinition(t, 'web');
    await registerDefinition(t, 'big', {
      containerDefinitions: [{ name: 'app', image: 'x', cpu: 64, memory: 8000 }],
    });
  });
  after(() => t.stop());

  it('runs a DAEMON service once on every matching instance, including one registered later', async () => {
    await createCluster(t, 'daemon');
    const edge = [await addHost(t, 'daemon'), await addHost(t, 'daemon')];
    await addHost(t, 'daemon', { attributes: [{ name: 'role', value: 'db' }] });
    const agents = fakeAgents(t, 'daemon');
    try {
      const created = await t.awsJson<{ service: Service }>([
        'ecs',
        'create-service',
        '--cluster',
        'daemon',
        '--service-name',
        'collector',
        '--task-definition',
        'web',
        '--scheduling-strategy',
        'DAEMON',
        '--placement-constraints',
        'type=memberOf,expression=not(attribute:role == db)',
      ]);
      assert.equal(created.service.schedulingStrategy, 'DAEMON');
      assert.deepEqual(created.service.deploymentConfiguration, {
        deploymentCircuitBreaker: { enable: false, rollback: false },
        maximumPercent: 100,
        minimumHealthyPercent: 0,
      });
      const onTwo = await waitFor(
        'one task on each edge host',
        async () => {
          const s = await describeService(t, 'daemon', 'collector');
          return isStable(s) && s.desiredCount === 2 ? s : undefined;
        },
        10_000,
        { intervalMs: 50 },
      );
      assert.equal(onTwo.runningCount, 2);
      const placed = (await serviceTasks(t, 'daemon', 'collector')).map((task) => task.containerInstanceArn);
      assert.deepEqual([...placed].sort(), [...edge].sort());

      const later = await addHost(t, 'daemon');
      await waitFor(
        'the later host has its task',
        async () => {
          const s = await describeService(t, 'daemon', 'collector');
          const tasks = await serviceTasks(t, 'daemon', 'collector');
          return (
            isStable(s) && s.desiredCount === 3 && tasks.some((task) => task.containerInstanceArn === later)
          );
        },
        10_000,
        { intervalMs: 50 },
      );

      await t.ecs.send(
        new UpdateContainerInstancesStateCommand({
          cluster: 'daemon',
          containerInstances: [edge[0] ?? ''],
          status: 'DRAINING',
        }),
      );
      const drained = await waitFor(
        'the drained host lost its task',
        async () => {
          const s = await describeService(t, 'daemon', 'collector');
          const tasks = await serviceTasks(t, 'daemon', 'collector');
          return isStable(s) &&
            s.desiredCount === 2 &&
            tasks.every((task) => task.containerInstanceArn !== edge[0])
            ? tasks
            : undefined;
        },
        10_000,
        { intervalMs: 50 },
      );
      assert.equal(drained.length, 2);
      await failure(
        t.ecs.send(new UpdateServiceCommand({ cluster: 'daemon', service: 'collector', desiredCount: 3 })),
        'InvalidParameterException',
        'The daemon scheduling strategy does not support a desired count for services.',
      );
    } finally {
      await agents.stop();
    }
  });

  it('deletes a service: scaled to 0 or with force, DRAINING until its tasks stop, then INACTIVE', async () => {
    await createCluster(t, 'del');
    await addHost(t, 'del');
    const agents = fakeAgents(t, 'del');
    try {
      await t.ecs.send(
        new CreateServiceCommand({
          cluster: 'del',
          serviceName: 'gone',
          taskDefinition: 'web',
          desiredCount: 2,
          tags: [{ key: 'team', value: 'edge' }],
        }),
      );
      const arn = 'arn:aws:ecs:us-east-1:123456789012:service/del/gone';
      await waitFor('stable', async () => isStable(await describeService(t, 'del', 'gone')), 10_000, {
        intervalMs: 50,
      });
      // Tags on a service ARN.
      await t.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'tier', value: '1' }] }));
      await t.ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
      const tags = await t.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
      assert.deepEqual(tags.tags, [{ key: 'tier', value: '1' }]);
      const withTags = await t.ecs.send(
        new DescribeServicesCommand({ cluster: 'del', services: [arn], include: ['TAGS'] }),
      );
      assert.deepEqual(withTags.services?.[0]?.tags, [{ key: 'tier', value: '1' }]);

      await failure(
        t.ecs.send(new DeleteClusterCommand({ cluster: 'del' })),
        'ClusterContainsServicesException',
        'The Cluster cannot be deleted while Services are active.',
      );
      await failure(
        t.ecs.send(new DeleteServiceCommand({ cluster: 'del', service: 'gone' })),
        'InvalidParameterException',
        /^The service cannot be stopped while it is scaled above 0\./,
      );
      const deleted = await t.awsJson<{ service: Service }>([
        'ecs',
        'delete-service',
        '--cluster',
        'del',
        '--service',
        'gone',
        '--force',
      ]);
      assert.equal(deleted.service.status, 'DRAINING');
      assert.equal(deleted.service.desiredCount, 0);
      const listed = await t.ecs.send(new ListServicesCommand({ cluster: 'del' }));
      assert.deepEqual(listed.serviceArns, [], 'a DRAINING service is not listed');
      await failure(
        t.ecs.send(new UpdateServiceCommand({ cluster: 'del', service: 'gone', desiredCount: 1 })),
        'ServiceNotActiveException',
        /^Service was not ACTIVE\./,
      );
      const waited = await t.aws([
        'ecs',
        'wait',
        'services-inactive',
        '--cluster',
        'del',
        '--services',
        'gone',
      ]);
      assert.equal(waited.code, 0, waited.stderr);
      const inactive = await describeService(t, 'del', 'gone');
      assert.equal(inactive.status, 'INACTIVE');
      assert.deepEqual(await serviceTasks(t, 'del', 'gone'), []);
      await failure(
        t.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn })),
        'ResourceNotFoundException',
      );
      await failure(
        t.ecs.send(new DeleteServiceCommand({ cluster: 'del', service: 'gone' })),
        'ServiceNotActiveException',
      );
      // The name is free again; a service scaled to 0 is deleted without force.
      const again = await t.ecs.send(
        new CreateServiceCommand({
          cluster: 'del',
          serviceName: 'gone',
          taskDefinition: 'web',
          desiredCount: 0,
        }),
      );
      assert.equal(again.service?.status, 'ACTIVE');
      assert.equal(again.service?.events?.length, 0);
      const quiet = await t.ecs.send(new DeleteServiceCommand({ cluster: 'del', service: 'gone' }));
      assert.equal(quiet.service?.status, 'DRAINING');
      await waitFor(
        'inactive',
        async () => (await describeService(t, 'del', 'gone')).status === 'INACTIVE',
        10_000,
        { intervalMs: 50 },
      );
    } finally {
      await agents.stop();
    }
  });

  it('explains why a task cannot be placed, once while the cause lasts', async () => {
    await createCluster(t, 'tight');
    const host = await addHost(t, 'tight', { memory: 1024 });
    await t.ecs.send(
      new CreateServiceCommand({
        cluster: 'tight',
        serviceName: 'big',
        taskDefinition: 'big',
        desiredCount: 1,
      }),
    );
    const message =
      '(service big) was unable to place a task because no container instance met all of its requirements. ' +
      `The closest matching (container-instance ${host.split('/').pop()}) has insufficient memory available. ` +
      'For more information, see the Troubleshooting section.';
    await waitFor(
      'the event',
      async () => (await describeService(t, 'tight', 'big')).events?.[0]?.message === message,
      10_000,
      { intervalMs: 50 },
    );
    // Several passes later it has not been repeated.
    const passes = t.server.services.passes;
    await waitFor('more passes', () => Promise.resolve(t.server.services.passes >= passes + 3), 10_000, {
      intervalMs: 50,
    });
    const events = (await describeService(t, 'tight', 'big')).events ?? [];
    assert.deepEqual(
      events.map((e) => e.message),
      [message],
    );
    await failure(
      t.ecs.send(new ListTasksCommand({ cluster: 'tight', serviceName: 'nope' })),
      'ServiceNotFoundException',
      /^Service not found\./,
    );
  });
});

describe('services with --replace-disconnected-after', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ services: FAST_SERVICES, replaceDisconnectedAfter: '1s' });
    await registerDefinition(t, 'web');
  });
  after(() => t.stop());

  it('replaces the tasks of a host gone quiet, and stops the newest surplus when it returns', async () => {
    await createCluster(t, 'flaky');
    const hosts = [await addHost(t, 'flaky'), await addHost(t, 'flaky'), await addHost(t, 'flaky')];
    const agents = fakeAgents(t, 'flaky');
    try {
      await t.ecs.send(
        new CreateServiceCommand({
          cluster: 'flaky',
          serviceName: 'w',
          taskDefinition: 'web',
          desiredCount: 2,
          placementStrategy: [{ type: 'spread', field: 'instanceId' }],
        }),
      );
      await waitFor('stable', async () => isStable(await describeService(t, 'flaky', 'w')), 10_000, {
        intervalMs: 50,
      });
      const before = await serviceTasks(t, 'flaky', 'w');
      const lostHost = before[0]?.containerInstanceArn ?? '';
      const lost = before.find((task) => task.containerInstanceArn === lostHost);
      await setConnected(t, 'flaky', lostHost, false);
      const replaced = await waitFor(
        'a replacement elsewhere',
        async () => {
          const tasks = await serviceTasks(t, 'flaky', 'w');
          return tasks.length === 3 && tasks.filter((task) => task.lastStatus === 'RUNNING').length === 3
            ? tasks
            : undefined;
        },
        10_000,
        { intervalMs: 50 },
      );
      const replacement = replaced.find((task) => !before.some((b) => b.taskArn === task.taskArn));
      assert.ok(replacement);
      assert.notEqual(replacement.containerInstanceArn, lostHost);
      assert.ok(hosts.includes(replacement.containerInstanceArn ?? ''));

      await setConnected(t, 'flaky', lostHost, true);
      const settled = await waitFor(
        'the surplus stopped',
        async () => {
          const tasks = await serviceTasks(t, 'flaky', 'w');
          return tasks.length === 2 ? tasks : undefined;
        },
        10_000,
        { intervalMs: 50 },
      );
      assert.ok(
        settled.some((task) => task.taskArn === lost?.taskArn),
        'the task that ran longest stays; the newest goes',
      );
      assert.ok(!settled.some((task) => task.taskArn === replacement.taskArn));
    } finally {
      await agents.stop();
    }
  });
});

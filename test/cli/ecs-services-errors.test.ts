/**
 * What the service operations refuse, and how they say it: every parameter a user can get wrong in
 * CreateService, UpdateService, DeleteService, DescribeServices and ListServices, with ECS's exception names
 * (and ECS's sentences where ECS has one), through @aws-sdk/client-ecs and the AWS CLI.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  ListServicesCommand,
  UpdateServiceCommand,
  type CreateServiceRequest,
  type UpdateServiceRequest,
} from '@aws-sdk/client-ecs';
import { failure } from '../../src/ecs/testing/api-error.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { createCluster, registerDefinition } from '../rigs/run-task-fixtures.js';
import { FAST_SERVICES } from '../rigs/service-fixtures.js';

describe('service errors', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ services: FAST_SERVICES });
    await createCluster(t, 'e');
    await registerDefinition(t, 'web');
    await registerDefinition(t, 'old');
    await t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'old:1' }));
    await registerDefinition(t, 'fargate-only', {
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
    });
  });
  after(() => t.stop());

  const create = (patch: Partial<CreateServiceRequest>) =>
    t.ecs.send(
      new CreateServiceCommand({
        cluster: 'e',
        serviceName: 'svc',
        taskDefinition: 'web',
        desiredCount: 1,
        ...patch,
      }),
    );

  it('CreateService refuses bad names, task definitions and counts', async () => {
    await failure(
      create({ serviceName: 'no spaces' }),
      'InvalidParameterException',
      /^Service name must be 1-255/,
    );
    await failure(create({ serviceName: 'x'.repeat(256) }), 'InvalidParameterException', /256 characters/);
    await failure(
      create({ taskDefinition: undefined }),
      'InvalidParameterException',
      /taskDefinition can not be empty/,
    );
    await failure(
      create({ taskDefinition: 'nope' }),
      'ClientException',
      /^Unable to describe task definition\./,
    );
    await failure(create({ taskDefinition: 'old:1' }), 'ClientException', /^TaskDefinition is inactive\./);
    await failure(
      create({ taskDefinition: 'fargate-only' }),
      'ClientException',
      /^Task definition does not support launch_type EXTERNAL\./,
    );
    await failure(
      create({ desiredCount: undefined }),
      'InvalidParameterException',
      /desiredCount is required/,
    );
    await failure(
      create({ desiredCount: -1 }),
      'InvalidParameterException',
      /desiredCount must be a whole number from 0 to 5000/,
    );
    await failure(create({ desiredCount: 5001 }), 'InvalidParameterException', /from 0 to 5000; got 5001/);
    await failure(
      create({ schedulingStrategy: 'DAEMON' }),
      'InvalidParameterException',
      'The daemon scheduling strategy does not support a desired count for services.',
    );
    await failure(create({ cluster: 'nowhere' }), 'ClusterNotFoundException', 'Cluster not found.');
  });

  it('CreateService refuses what Berth does not run, saying what to do', async () => {
    await failure(
      create({ launchType: 'FARGATE' }),
      'InvalidParameterException',
      /Launch type FARGATE is not available/,
    );
    await failure(
      create({ capacityProviderStrategy: [{ capacityProvider: 'spot' }] }),
      'InvalidParameterException',
      /no capacity providers/,
    );
    await failure(
      create({
        loadBalancers: [
          { targetGroupArn: 'arn:aws:elasticloadbalancing:x', containerName: 'app', containerPort: 80 },
        ],
      }),
      'InvalidParameterException',
      /loadBalancers are not supported/,
    );
    await failure(
      create({ serviceRegistries: [{ registryArn: 'arn:aws:servicediscovery:x' }] }),
      'InvalidParameterException',
      /Cloud Map/,
    );
    await failure(
      create({ networkConfiguration: { awsvpcConfiguration: { subnets: ['s-1'] } } }),
      'InvalidParameterException',
      /awsvpc/,
    );
    await failure(
      create({ serviceConnectConfiguration: { enabled: true } }),
      'UnsupportedFeatureException',
      /Service Connect/,
    );
    await failure(create({ enableExecuteCommand: true }), 'UnsupportedFeatureException', /ECS Exec/);
    await failure(
      create({ deploymentController: { type: 'CODE_DEPLOY' } }),
      'InvalidParameterException',
      /Deployment controller CODE_DEPLOY is not supported/,
    );
    await failure(create({ role: 'ecsServiceRole' }), 'InvalidParameterException', /role/);
    await failure(create({ platformVersion: 'LATEST' }), 'InvalidParameterException', /platformVersion/);
    await failure(
      create({ clientToken: 'x'.repeat(37) }),
      'InvalidParameterException',
      /clientToken must be 1-36/,
    );
  });

  it('CreateService checks the deployment configuration and placement', async () => {
    await failure(
      create({ deploymentConfiguration: { minimumHealthyPercent: 101 } }),
      'InvalidParameterException',
      /minimumHealthyPercent must be a whole number from 0 to 100; got 101/,
    );
    await failure(
      create({ deploymentConfiguration: { maximumPercent: 99 } }),
      'InvalidParameterException',
      /maximumPercent must be a whole number from 100 to 2000; got 99/,
    );
    await failure(
      create({
        schedulingStrategy: 'DAEMON',
        desiredCount: undefined,
        deploymentConfiguration: { maximumPercent: 200 },
      }),
      'InvalidParameterException',
      /maximumPercent must be 100 for a service with the DAEMON scheduling strategy/,
    );
    await failure(
      create({ deploymentConfiguration: { strategy: 'BLUE_GREEN' } }),
      'InvalidParameterException',
      /Deployment strategy BLUE_GREEN is not supported/,
    );
    await failure(
      create({ deploymentConfiguration: { alarms: { alarmNames: ['a'], enable: true, rollback: true } } }),
      'UnsupportedFeatureException',
      /CloudWatch alarms/,
    );
    await failure(
      create({
        placementConstraints: Array.from({ length: 11 }, () => ({ type: 'distinctInstance' as const })),
      }),
      'InvalidParameterException',
      /Too many placement constraints: 11 given/,
    );
    await failure(
      create({ placementStrategy: Array.from({ length: 6 }, () => ({ type: 'random' as const })) }),
      'InvalidParameterException',
      /Too many placement strategy rules: 6 given/,
    );
    await failure(
      create({ placementConstraints: [{ type: 'memberOf', expression: 'attribute:x ==' }] }),
      'InvalidParameterException',
      /Invalid placement constraint expression/,
    );
    await failure(
      create({
        schedulingStrategy: 'DAEMON',
        desiredCount: undefined,
        placementStrategy: [{ type: 'spread', field: 'instanceId' }],
      }),
      'InvalidParameterException',
      'Placement strategies are not supported with the DAEMON scheduling strategy.',
    );
    await failure(
      create({ healthCheckGracePeriodSeconds: -1 }),
      'InvalidParameterException',
      /healthCheckGracePeriodSeconds/,
    );
    await failure(create({ tags: [{ key: 'aws:x', value: 'y' }] }), 'InvalidParameterException');
  });

  it('CreateService is idempotent for the same request and refuses a different one under the same name', async () => {
    const first = await create({ serviceName: 'twice', desiredCount: 0 });
    const again = await create({ serviceName: 'twice', desiredCount: 0 });
    assert.equal(again.service?.serviceArn, first.service?.serviceArn);
    assert.equal(again.service?.deployments?.[0]?.id, first.service?.deployments?.[0]?.id);
    await failure(
      create({ serviceName: 'twice', desiredCount: 2 }),
      'InvalidParameterException',
      /^Creation of service was not idempotent\./,
    );
    const cli = await t.aws([
      'ecs',
      'create-service',
      '--cluster',
      'e',
      '--service-name',
      'twice',
      '--task-definition',
      'web',
      '--desired-count',
      '3',
    ]);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /InvalidParameterException.*Creation of service was not idempotent\./);
  });

  it('UpdateService and DeleteService need an existing ACTIVE service', async () => {
    await create({ serviceName: 'upd', desiredCount: 0 });
    const update = (patch: Partial<UpdateServiceRequest> = {}) =>
      t.ecs.send(new UpdateServiceCommand({ cluster: 'e', service: 'upd', ...patch }));
    await failure(update({ service: 'missing' }), 'ServiceNotFoundException', 'Service not found.');
    await failure(update({ desiredCount: -2 }), 'InvalidParameterException', /desiredCount/);
    await failure(
      update({ taskDefinition: 'nope' }),
      'ClientException',
      /Unable to describe task definition/,
    );
    await failure(
      update({ deploymentController: { type: 'EXTERNAL' } }),
      'InvalidParameterException',
      /EXTERNAL/,
    );
    await failure(
      update({ deploymentConfiguration: { minimumHealthyPercent: -1 } }),
      'InvalidParameterException',
      /minimumHealthyPercent/,
    );
    await failure(
      update({ loadBalancers: [{ containerName: 'a', containerPort: 1, targetGroupArn: 'x' }] }),
      'InvalidParameterException',
    );
    await failure(update({ cluster: 'nowhere' }), 'ClusterNotFoundException');
    await failure(
      t.ecs.send(new DeleteServiceCommand({ cluster: 'e', service: 'missing' })),
      'ServiceNotFoundException',
      'Service not found.',
    );
    await failure(
      t.ecs.send(
        new DeleteServiceCommand({
          cluster: 'e',
          service: 'arn:aws:ecs:us-east-1:123456789012:service/other/upd',
        }),
      ),
      'ServiceNotFoundException',
    );
    await t.ecs.send(new DeleteServiceCommand({ cluster: 'e', service: 'upd' }));
    await failure(update({ desiredCount: 1 }), 'ServiceNotActiveException', /^Service was not ACTIVE\./);
  });

  it('DescribeServices takes 1-10 services and reports the unknown as MISSING', async () => {
    await failure(
      t.ecs.send(new DescribeServicesCommand({ cluster: 'e', services: [] })),
      'InvalidParameterException',
      /services can not be empty/,
    );
    await failure(
      t.ecs.send(
        new DescribeServicesCommand({
          cluster: 'e',
          services: Array.from({ length: 11 }, (_, i) => `s${i}`),
        }),
      ),
      'InvalidParameterException',
      /at most 10 items; got 11/,
    );
    const out = await t.ecs.send(
      new DescribeServicesCommand({ cluster: 'e', services: ['ghost', 'bad name'] }),
    );
    assert.deepEqual(out.services, []);
    assert.deepEqual(out.failures, [
      { arn: 'arn:aws:ecs:us-east-1:123456789012:service/e/ghost', reason: 'MISSING' },
      { arn: 'arn:aws:ecs:us-east-1:123456789012:service/e/bad name', reason: 'MISSING' },
    ]);
    const waited = await t.aws(['ecs', 'wait', 'services-stable', '--cluster', 'e', '--services', 'ghost']);
    assert.notEqual(waited.code, 0, 'the waiter fails on MISSING');
  });

  it('ListServices pages by 10 by default, filters, and checks its parameters', async () => {
    await createCluster(t, 'many');
    for (let i = 0; i < 12; i++) {
      await t.ecs.send(
        new CreateServiceCommand({
          cluster: 'many',
          serviceName: `s${String(i).padStart(2, '0')}`,
          taskDefinition: 'web',
          ...(i === 11 ? { schedulingStrategy: 'DAEMON' } : { desiredCount: 0 }),
        }),
      );
    }
    const first = await t.ecs.send(new ListServicesCommand({ cluster: 'many' }));
    assert.equal(first.serviceArns?.length, 10);
    assert.ok(first.nextToken);
    const second = await t.ecs.send(new ListServicesCommand({ cluster: 'many', nextToken: first.nextToken }));
    assert.equal(second.serviceArns?.length, 2);
    assert.equal(second.nextToken, undefined);
    const daemons = await t.ecs.send(
      new ListServicesCommand({ cluster: 'many', schedulingStrategy: 'DAEMON' }),
    );
    assert.deepEqual(daemons.serviceArns, ['arn:aws:ecs:us-east-1:123456789012:service/many/s11']);
    const fargate = await t.ecs.send(new ListServicesCommand({ cluster: 'many', launchType: 'FARGATE' }));
    assert.deepEqual(fargate.serviceArns, []);
    const cli = await t.awsJson<{ serviceArns: string[] }>(['ecs', 'list-services', '--cluster', 'many']);
    assert.equal(cli.serviceArns.length, 12, 'the CLI follows the pages');
    await failure(
      t.ecs.send(new ListServicesCommand({ cluster: 'many', maxResults: 101 })),
      'InvalidParameterException',
      /maxResults must be between 1 and 100/,
    );
    await failure(
      t.ecs.send(new ListServicesCommand({ cluster: 'many', nextToken: 'garbage' })),
      'InvalidParameterException',
      /Invalid nextToken/,
    );
    await failure(t.ecs.send(new ListServicesCommand({ cluster: 'nowhere' })), 'ClusterNotFoundException');
  });
});

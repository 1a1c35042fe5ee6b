/**
 * Bad input to RunTask, StartTask and StopTask, sent as raw JSON so that every case reaches the server as
 * written: each gets ECS's exception with a message naming what to fix, never a 500, and creates nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeregisterTaskDefinitionCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { rawCall } from '../rigs/raw-call.js';
import { addHost, container, createCluster, registerDefinition } from '../rigs/run-task-fixtures.js';

type Case = readonly [
  name: string,
  operation: string,
  body: Record<string, unknown>,
  type: string,
  text: string,
];

const RUN = { cluster: 'bad', taskDefinition: 'app' };
const memberOf = (expression: string) => ({ type: 'memberOf', expression });

const CASES: readonly Case[] = [
  ['run: no definition', 'RunTask', { cluster: 'bad' }, 'InvalidParameterException', 'taskDefinition'],
  ['run: count 0', 'RunTask', { ...RUN, count: 0 }, 'InvalidParameterException', 'between 1 and 10'],
  ['run: count 11', 'RunTask', { ...RUN, count: 11 }, 'InvalidParameterException', 'between 1 and 10'],
  ['run: count is text', 'RunTask', { ...RUN, count: 'two' }, 'SerializationException', ''],
  ['run: EC2', 'RunTask', { ...RUN, launchType: 'EC2' }, 'InvalidParameterException', 'EXTERNAL'],
  ['run: FARGATE', 'RunTask', { ...RUN, launchType: 'FARGATE' }, 'InvalidParameterException', 'EXTERNAL'],
  [
    'run: capacity providers',
    'RunTask',
    { ...RUN, capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] },
    'InvalidParameterException',
    'capacityProviderStrategy',
  ],
  [
    'run: launch type and capacity providers',
    'RunTask',
    { ...RUN, launchType: 'EXTERNAL', capacityProviderStrategy: [{ capacityProvider: 'x' }] },
    'InvalidParameterException',
    'Specifying both a launch type and capacity provider strategy is not supported.',
  ],
  [
    'run: platform version',
    'RunTask',
    { ...RUN, platformVersion: 'LATEST' },
    'InvalidParameterException',
    'Fargate',
  ],
  [
    'run: awsvpc configuration',
    'RunTask',
    { ...RUN, networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } } },
    'InvalidParameterException',
    'Network Configuration is not valid for the given networkMode of this task definition.',
  ],
  [
    'run: EBS volumes',
    'RunTask',
    {
      ...RUN,
      volumeConfigurations: [{ name: 'data', managedEBSVolume: { roleArn: 'arn:aws:iam::1:role/r' } }],
    },
    'InvalidParameterException',
    'EBS',
  ],
  ['run: exec', 'RunTask', { ...RUN, enableExecuteCommand: true }, 'UnsupportedFeatureException', 'ECS Exec'],
  [
    'run: propagate SERVICE',
    'RunTask',
    { ...RUN, propagateTags: 'SERVICE' },
    'InvalidParameterException',
    'SERVICE',
  ],
  [
    'run: startedBy spaces',
    'RunTask',
    { ...RUN, startedBy: 'my job' },
    'InvalidParameterException',
    'startedBy',
  ],
  [
    'run: startedBy 129',
    'RunTask',
    { ...RUN, startedBy: 'x'.repeat(129) },
    'InvalidParameterException',
    '129',
  ],
  ['run: group 256', 'RunTask', { ...RUN, group: 'g'.repeat(256) }, 'InvalidParameterException', 'group'],
  ['run: empty group', 'RunTask', { ...RUN, group: '' }, 'InvalidParameterException', 'group'],
  [
    'run: aws: tag',
    'RunTask',
    { ...RUN, tags: [{ key: 'aws:x', value: 'y' }] },
    'InvalidParameterException',
    'reserved',
  ],
  [
    'run: bad expression',
    'RunTask',
    { ...RUN, placementConstraints: [memberOf('attribute:ecs.os-type ==')] },
    'InvalidParameterException',
    'Invalid placement constraint expression',
  ],
  [
    'run: empty expression',
    'RunTask',
    { ...RUN, placementConstraints: [{ type: 'memberOf' }] },
    'InvalidParameterException',
    'needs an expression',
  ],
  [
    'run: distinctInstance with expression',
    'RunTask',
    { ...RUN, placementConstraints: [{ type: 'distinctInstance', expression: 'x' }] },
    'InvalidParameterException',
    'no expression',
  ],
  [
    'run: 11 constraints',
    'RunTask',
    { ...RUN, placementConstraints: Array.from({ length: 11 }, () => ({ type: 'distinctInstance' })) },
    'InvalidParameterException',
    'at most 10',
  ],
  [
    'run: 10 constraints plus the definition one',
    'RunTask',
    {
      ...RUN,
      taskDefinition: 'constrained',
      placementConstraints: Array.from({ length: 10 }, () => ({ type: 'distinctInstance' })),
    },
    'InvalidParameterException',
    'from the task definition',
  ],
  [
    'run: 6 strategies',
    'RunTask',
    { ...RUN, placementStrategy: Array.from({ length: 6 }, () => ({ type: 'random' })) },
    'InvalidParameterException',
    'at most 5',
  ],
  [
    'run: binpack on disk',
    'RunTask',
    { ...RUN, placementStrategy: [{ type: 'binpack', field: 'disk' }] },
    'InvalidParameterException',
    "'cpu' or 'memory'",
  ],
  [
    'run: spread on nothing',
    'RunTask',
    { ...RUN, placementStrategy: [{ type: 'spread' }] },
    'InvalidParameterException',
    'instanceId, host or attribute:<name>',
  ],
  [
    'run: token 65',
    'RunTask',
    { ...RUN, clientToken: 't'.repeat(65) },
    'InvalidParameterException',
    'clientToken',
  ],
  ['run: token space', 'RunTask', { ...RUN, clientToken: 'a b' }, 'InvalidParameterException', 'clientToken'],
  [
    'run: override of no container',
    'RunTask',
    { ...RUN, overrides: { containerOverrides: [{ name: 'ghost', command: ['x'] }] } },
    'InvalidParameterException',
    'Override for container named ghost is not a container in the TaskDefinition.',
  ],
  [
    'run: override without a name',
    'RunTask',
    { ...RUN, overrides: { containerOverrides: [{ command: ['x'] }] } },
    'InvalidParameterException',
    "'name'",
  ],
  [
    'run: overrides over 8192 characters',
    'RunTask',
    { ...RUN, overrides: { containerOverrides: [{ name: 'app', command: ['x'.repeat(9000)] }] } },
    'InvalidParameterException',
    '8192',
  ],
  [
    'run: reservation above memory',
    'RunTask',
    { ...RUN, overrides: { containerOverrides: [{ name: 'app', memoryReservation: 1024 }] } },
    'InvalidParameterException',
    'memoryReservation (1024)',
  ],
  [
    'run: bad task cpu',
    'RunTask',
    { ...RUN, overrides: { cpu: 'lots' } },
    'InvalidParameterException',
    'cpu override',
  ],
  [
    'run: ephemeral storage',
    'RunTask',
    { ...RUN, overrides: { ephemeralStorage: { sizeInGiB: 30 } } },
    'InvalidParameterException',
    'Fargate',
  ],
  [
    'run: unknown definition',
    'RunTask',
    { ...RUN, taskDefinition: 'nope' },
    'ClientException',
    'Unable to describe task definition.',
  ],
  [
    'run: inactive definition',
    'RunTask',
    { ...RUN, taskDefinition: 'app:1' },
    'ClientException',
    'TaskDefinition is inactive',
  ],
  [
    'run: awsvpc definition',
    'RunTask',
    { ...RUN, taskDefinition: 'vpc' },
    'ClientException',
    'Task definition does not support launch_type EXTERNAL.',
  ],
  [
    'run: unknown cluster',
    'RunTask',
    { ...RUN, cluster: 'nowhere' },
    'ClusterNotFoundException',
    'Cluster not found.',
  ],
  [
    'start: no instances',
    'StartTask',
    { ...RUN, containerInstances: [] },
    'InvalidParameterException',
    'containerInstances',
  ],
  [
    'start: 11 instances',
    'StartTask',
    { ...RUN, containerInstances: Array.from({ length: 11 }, (_, n) => `i${n}`) },
    'InvalidParameterException',
    'at most 10',
  ],
  [
    'start: bad override',
    'StartTask',
    { ...RUN, containerInstances: ['i1'], overrides: { containerOverrides: [{ name: 'ghost' }] } },
    'InvalidParameterException',
    'ghost',
  ],
  [
    'start: no definition',
    'StartTask',
    { cluster: 'bad', containerInstances: ['i1'] },
    'InvalidParameterException',
    'taskDefinition',
  ],
  ['stop: no task', 'StopTask', { cluster: 'bad' }, 'InvalidParameterException', 'task'],
  [
    'stop: unknown task',
    'StopTask',
    { cluster: 'bad', task: 'abc' },
    'InvalidParameterException',
    'The referenced task was not found.',
  ],
  [
    'stop: task of another cluster',
    'StopTask',
    {
      cluster: 'bad',
      task: 'arn:aws:ecs:us-east-1:123456789012:task/other/0123456789abcdef0123456789abcdef',
    },
    'InvalidParameterException',
    'The referenced task was not found.',
  ],
  [
    'stop: reason 256',
    'StopTask',
    { cluster: 'bad', task: 'abc', reason: 'r'.repeat(256) },
    'InvalidParameterException',
    '255',
  ],
  [
    'stop: unknown cluster',
    'StopTask',
    { cluster: 'nowhere', task: 'abc' },
    'ClusterNotFoundException',
    'Cluster not found.',
  ],
];

describe('RunTask, StartTask and StopTask refuse bad input', () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer();
    await createCluster(t, 'bad');
    await addHost(t, 'bad');
    await registerDefinition(t, 'app'); // revision 1, deregistered below
    await registerDefinition(t, 'app', { containerDefinitions: [container({ memory: 512 })] });
    await t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'app:1' }));
    await registerDefinition(t, 'constrained', {
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.os-type == linux' }],
    });
    await registerDefinition(t, 'vpc', { networkMode: 'awsvpc' });
  });
  after(() => t.stop());

  for (const [name, operation, body, type, text] of CASES) {
    it(name, async () => {
      const result = await rawCall(t, operation, body);
      assert.ok(result.status < 500, `${result.status}: ${result.text}`);
      assert.equal(result.type, type, result.text);
      assert.ok(result.message.includes(text), `message ${JSON.stringify(result.message)} lacks ${text}`);
    });
  }

  it('created no task along the way', async () => {
    for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
      const listed = await t.ecs.send(new ListTasksCommand({ cluster: 'bad', desiredStatus }));
      assert.deepEqual(listed.taskArns, []);
    }
  });
});

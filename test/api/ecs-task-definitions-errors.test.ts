/**
 * Task definition operations refusing bad input: each refusal is an ECS exception (HTTP 400) whose message
 * names what to fix, whether it comes from the model (types, required members, enums) or from ECS's rules;
 * and no body, however odd, makes the server answer 500.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type RegisterTaskDefinitionRequest,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import fc from 'fast-check';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { rawCall, type RawResult } from '../rigs/raw-call.js';
import { failure } from '../../src/ecs/testing/api-error.js';

const ACCOUNT = '123456789012';

function simple(
  family: string,
  extra: Partial<RegisterTaskDefinitionRequest> = {},
): RegisterTaskDefinitionRequest {
  return {
    family,
    requiresCompatibilities: ['EXTERNAL'],
    containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }],
    ...extra,
  };
}

describe('task definitions: bad input', () => {
  let t: TestServer;
  const register = async (input: RegisterTaskDefinitionRequest): Promise<TaskDefinition> => {
    const out = await t.ecs.send(new RegisterTaskDefinitionCommand(input));
    assert.ok(out.taskDefinition);
    return out.taskDefinition;
  };
  const deregister = (taskDefinition: string) =>
    t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition }));
  const describeTd = (taskDefinition: string) =>
    t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
  const remove = (taskDefinitions: string[]) =>
    t.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions }));
  const raw = (operation: string, body: unknown): Promise<RawResult> => rawCall(t, operation, body);

  before(async () => {
    t = await startTestServer();
    await register(simple('bad'));
  });
  after(() => t.stop());
  const container = (extra: Partial<ContainerDefinition> = {}): ContainerDefinition => ({
    name: 'app',
    image: 'busybox',
    memory: 64,
    ...extra,
  });
  // [title, operation, body, exception, message fragment]
  const cases: [string, string, unknown, string, string][] = [
    [
      'register: no family',
      'RegisterTaskDefinition',
      { containerDefinitions: [container()] },
      'InvalidParameterException',
      'family',
    ],
    [
      'register: no containers',
      'RegisterTaskDefinition',
      { family: 'x' },
      'InvalidParameterException',
      'containerDefinitions',
    ],
    [
      'register: empty containers',
      'RegisterTaskDefinition',
      { family: 'x', containerDefinitions: [] },
      'ClientException',
      'at least one container',
    ],
    [
      'register: 11 containers',
      'RegisterTaskDefinition',
      {
        family: 'x',
        containerDefinitions: Array.from({ length: 11 }, (_, i) => container({ name: `c${i}` })),
      },
      'ClientException',
      'at most 10',
    ],
    [
      'register: family with a space',
      'RegisterTaskDefinition',
      { family: 'my app', containerDefinitions: [container()] },
      'InvalidParameterException',
      'Family must be 1-255',
    ],
    [
      'register: family too long',
      'RegisterTaskDefinition',
      { family: 'f'.repeat(256), containerDefinitions: [container()] },
      'InvalidParameterException',
      '256 characters',
    ],
    [
      'register: memory as a string',
      'RegisterTaskDefinition',
      { family: 'x', containerDefinitions: [{ ...container(), memory: '256' }] },
      'SerializationException',
      'memory',
    ],
    [
      'register: containers as an object',
      'RegisterTaskDefinition',
      { family: 'x', containerDefinitions: { name: 'app' } },
      'SerializationException',
      'containerDefinitions',
    ],
    [
      'register: no memory anywhere',
      'RegisterTaskDefinition',
      { family: 'x', containerDefinitions: [{ name: 'app', image: 'busybox' }] },
      'ClientException',
      "At least one of 'memory' or 'memoryReservation'",
    ],
    [
      'register: reservation above the limit',
      'RegisterTaskDefinition',
      { family: 'x', containerDefinitions: [container({ memory: 64, memoryReservation: 128 })] },
      'ClientException',
      "'memoryReservation' (128) must not be greater than 'memory' (64)",
    ],
    [
      'register: over 64 KiB',
      'RegisterTaskDefinition',
      {
        family: 'x',
        containerDefinitions: [container({ environment: [{ name: 'BIG', value: 'x'.repeat(70_000) }] })],
      },
      'ClientException',
      'exceeds the limit of 65536 bytes',
    ],
    [
      'register: reserved tag',
      'RegisterTaskDefinition',
      { ...simple('x'), tags: [{ key: 'aws:x', value: 'y' }] },
      'InvalidParameterException',
      "'aws:' are reserved",
    ],
    ['describe: nothing named', 'DescribeTaskDefinition', {}, 'InvalidParameterException', 'taskDefinition'],
    [
      'describe: a number',
      'DescribeTaskDefinition',
      { taskDefinition: 7 },
      'SerializationException',
      'taskDefinition',
    ],
    [
      'describe: unknown family',
      'DescribeTaskDefinition',
      { taskDefinition: 'nope' },
      'ClientException',
      'Unable to describe task definition.',
    ],
    [
      'describe: unknown revision',
      'DescribeTaskDefinition',
      { taskDefinition: 'bad:99' },
      'ClientException',
      'bad:99',
    ],
    [
      'describe: revision not a number',
      'DescribeTaskDefinition',
      { taskDefinition: 'bad:latest' },
      'InvalidParameterException',
      'Invalid revision number. Number: latest',
    ],
    [
      'describe: revision 0',
      'DescribeTaskDefinition',
      { taskDefinition: 'bad:0' },
      'InvalidParameterException',
      'Invalid revision number',
    ],
    [
      'describe: another region',
      'DescribeTaskDefinition',
      { taskDefinition: `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/bad:1` },
      'ClientException',
      "region 'eu-west-1'",
    ],
    [
      'describe: a cluster ARN',
      'DescribeTaskDefinition',
      { taskDefinition: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/bad` },
      'InvalidParameterException',
      'Invalid task definition ARN',
    ],
    [
      'describe: bad include',
      'DescribeTaskDefinition',
      { taskDefinition: 'bad', include: ['TAG'] },
      'InvalidParameterException',
      'Valid values: TAGS',
    ],
    [
      'list: maxResults 0',
      'ListTaskDefinitions',
      { maxResults: 0 },
      'InvalidParameterException',
      'maxResults',
    ],
    [
      'list: maxResults 101',
      'ListTaskDefinitions',
      { maxResults: 101 },
      'InvalidParameterException',
      'between 1 and 100',
    ],
    [
      'list: forged nextToken',
      'ListTaskDefinitions',
      { nextToken: 'not-a-token' },
      'InvalidParameterException',
      'nextToken',
    ],
    [
      'list: bad status',
      'ListTaskDefinitions',
      { status: 'DELETED' },
      'InvalidParameterException',
      'DELETE_IN_PROGRESS',
    ],
    ['list: bad sort', 'ListTaskDefinitions', { sort: 'UP' }, 'InvalidParameterException', 'ASC, DESC'],
    [
      'families: bad status',
      'ListTaskDefinitionFamilies',
      { status: 'DELETE_IN_PROGRESS' },
      'InvalidParameterException',
      'ACTIVE, INACTIVE, ALL',
    ],
    [
      'families: maxResults 500',
      'ListTaskDefinitionFamilies',
      { maxResults: 500 },
      'InvalidParameterException',
      'maxResults',
    ],
    [
      'deregister: nothing named',
      'DeregisterTaskDefinition',
      {},
      'InvalidParameterException',
      'taskDefinition',
    ],
    [
      'deregister: no revision',
      'DeregisterTaskDefinition',
      { taskDefinition: 'bad' },
      'ClientException',
      'Revision is missing',
    ],
    [
      'deregister: unknown',
      'DeregisterTaskDefinition',
      { taskDefinition: 'bad:42' },
      'ClientException',
      'The specified task definition does not exist.',
    ],
    [
      'deregister: bad revision',
      'DeregisterTaskDefinition',
      { taskDefinition: 'bad:-1' },
      'InvalidParameterException',
      'Invalid revision number',
    ],
    ['delete: nothing named', 'DeleteTaskDefinitions', {}, 'InvalidParameterException', 'taskDefinitions'],
    [
      'delete: empty list',
      'DeleteTaskDefinitions',
      { taskDefinitions: [] },
      'InvalidParameterException',
      'can not be empty',
    ],
    [
      'delete: 11 targets',
      'DeleteTaskDefinitions',
      { taskDefinitions: Array.from({ length: 11 }, (_, i) => `bad:${i + 1}`) },
      'InvalidParameterException',
      'at most 10',
    ],
    [
      'delete: not a list',
      'DeleteTaskDefinitions',
      { taskDefinitions: 'bad:1' },
      'SerializationException',
      'taskDefinitions',
    ],
  ];
  for (const [title, operation, body, code, fragment] of cases) {
    it(title, async () => {
      const res = await raw(operation, body);
      assert.equal(
        res.type,
        code,
        `${operation} ${JSON.stringify(body).slice(0, 200)} -> ${res.text.slice(0, 300)}`,
      );
      assert.equal(res.status, 400);
      assert.ok(
        res.message.includes(fragment),
        `message ${JSON.stringify(res.message)} lacks ${JSON.stringify(fragment)}`,
      );
    });
  }

  it('the SDK surfaces the same errors by name', async () => {
    await failure(describeTd('nope:1'), 'ClientException', 'Unable to describe task definition.');
    await failure(deregister('bad:42'), 'ClientException', 'The specified task definition does not exist.');
    await failure(
      register({
        family: 'x',
        containerDefinitions: Array.from({ length: 11 }, (_, i) => ({
          name: `c${i}`,
          image: 'busybox',
          memory: 8,
        })),
      }),
      'ClientException',
      'Too many containers',
    );
    await failure(
      remove(Array.from({ length: 11 }, (_, i) => `bad:${i + 1}`)),
      'InvalidParameterException',
      'at most 10',
    );
  });

  it('a refused registration leaves no revision behind', async () => {
    await failure(register(simple('bad', { containerDefinitions: [] })), 'ClientException', 'container');
    assert.equal((await register(simple('bad'))).revision, 2);
  });

  it('answers every odd body with a 4xx, never a 500', async () => {
    const members: Record<string, string[]> = {
      RegisterTaskDefinition: [
        'family',
        'containerDefinitions',
        'cpu',
        'memory',
        'volumes',
        'tags',
        'networkMode',
      ],
      DescribeTaskDefinition: ['taskDefinition', 'include'],
      ListTaskDefinitions: ['familyPrefix', 'status', 'sort', 'maxResults', 'nextToken'],
      ListTaskDefinitionFamilies: ['familyPrefix', 'status', 'maxResults', 'nextToken'],
      DeregisterTaskDefinition: ['taskDefinition'],
      DeleteTaskDefinitions: ['taskDefinitions'],
    };
    const reference = fc.oneof(
      fc.constantFrom(
        'bad',
        'bad:1',
        'bad:0',
        'bad:',
        ':1',
        'bad:1:2',
        `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/bad:1`,
      ),
      fc.string(),
      fc.stringMatching(/^arn:[a-z:/-]{0,40}$/),
    );
    const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), reference, fc.array(reference, { maxLength: 12 }));
    const body = (operation: string) =>
      fc.dictionary(fc.constantFrom(...(members[operation] ?? [])), value, { maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(members)).chain((op) => fc.tuple(fc.constant(op), body(op))),
        async ([operation, input]) => {
          const res = await raw(operation, input);
          assert.ok(
            res.status === 200 || res.status === 400,
            `${operation} ${JSON.stringify(input)} -> ${res.status} ${res.text}`,
          );
          if (res.status === 400) assert.notEqual(res.message, '', 'a refusal says why');
        },
      ),
      { numRuns: 300 },
    );
  });
});

/**
 * PutAttributes, DeleteAttributes and ListAttributes end to end, through @aws-sdk/client-ecs and the real AWS
 * CLI: custom attributes on container instances registered the way the agent registers them, the limit of 10
 * custom attributes (the agent's own `ecs.*` ones not counting), name and value rules, targets by id or ARN,
 * all-or-nothing writes, and listing with filters and pagination.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DeleteAttributesCommand,
  DeregisterContainerInstanceCommand,
  DescribeContainerInstancesCommand,
  ListAttributesCommand,
  PutAttributesCommand,
  RegisterContainerInstanceCommand,
  type Attribute,
  type ListAttributesRequest,
} from '@aws-sdk/client-ecs';
import { failure } from '../../src/ecs/testing/api-error.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';

const AGENT_ATTRIBUTES: Attribute[] = [
  { name: 'ecs.capability.external' },
  { name: 'com.amazonaws.ecs.capability.privileged-container' },
  { name: 'ecs.os-type', value: 'linux' },
  { name: 'ecs.cpu-architecture', value: 'arm64' },
];

/** `aws ecs` arguments: the words of `command` (split on spaces), then `args` as they are. */
const ecs = (command: string, ...args: string[]): string[] => ['ecs', ...command.split(' '), ...args];

const idOf = (arn: string): string => arn.split('/').pop() ?? '';

describe('attributes', () => {
  let t: TestServer;
  /** Instances of cluster `site`, in ARN order. */
  let hosts: string[] = [];
  let elsewhere = '';

  const registerIn = async (cluster: string): Promise<string> => {
    const out = await t.ecs.send(
      new RegisterContainerInstanceCommand({
        cluster,
        totalResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: 1024 },
          { name: 'MEMORY', type: 'INTEGER', integerValue: 900 },
        ],
        attributes: AGENT_ATTRIBUTES,
      }),
    );
    return out.containerInstance?.containerInstanceArn ?? '';
  };
  const attributesOf = async (arn: string, cluster = 'site'): Promise<Attribute[]> => {
    const out = await t.ecs.send(
      new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }),
    );
    return out.containerInstances?.[0]?.attributes ?? [];
  };
  const custom = async (arn: string): Promise<Attribute[]> =>
    (await attributesOf(arn)).filter(
      (a) => !(a.name ?? '').startsWith('ecs.') && !(a.name ?? '').includes('amazonaws'),
    );
  const put = (attributes: Attribute[], cluster = 'site') =>
    t.ecs.send(new PutAttributesCommand({ cluster, attributes }));
  const del = (attributes: Attribute[], cluster = 'site') =>
    t.ecs.send(new DeleteAttributesCommand({ cluster, attributes }));
  const list = (input: Partial<ListAttributesRequest> = {}) =>
    t.ecs.send(new ListAttributesCommand({ cluster: 'site', targetType: 'container-instance', ...input }));
  const host = (n: number): string => hosts[n] ?? '';

  before(async () => {
    t = await startTestServer();
    for (const clusterName of ['site', 'other']) await t.ecs.send(new CreateClusterCommand({ clusterName }));
    for (let n = 0; n < 4; n++) hosts.push(await registerIn('site'));
    hosts = hosts.sort();
    elsewhere = await registerIn('other');
  });
  after(() => t.stop());

  describe('PutAttributes', () => {
    it('puts an attribute by ARN with the CLI and shows it on the instance', async () => {
      const out = await t.awsJson<{ attributes: Attribute[] }>(
        ecs(
          'put-attributes --cluster site --attributes',
          JSON.stringify([{ name: 'zone', value: 'hall 2', targetId: host(0) }]),
        ),
      );
      assert.deepEqual(out.attributes, [
        { name: 'zone', value: 'hall 2', targetType: 'container-instance', targetId: host(0) },
      ]);
      assert.deepEqual(await custom(host(0)), [{ name: 'zone', value: 'hall 2' }]);
    });

    it('puts by short id with targetType (CLI shorthand), name-only attributes included', async () => {
      await t.awsJson(
        ecs(
          'put-attributes --cluster site --attributes',
          `name=gpu,targetType=container-instance,targetId=${idOf(host(1))}`,
          `name=owner,value=team-a@example.com,targetType=container-instance,targetId=${idOf(host(1))}`,
        ),
      );
      assert.deepEqual(await custom(host(1)), [
        { name: 'gpu' },
        { name: 'owner', value: 'team-a@example.com' },
      ]);
    });

    it('replaces the value of an existing attribute and bumps the instance version', async () => {
      const describeVersion = async () =>
        (
          await t.ecs.send(
            new DescribeContainerInstancesCommand({ cluster: 'site', containerInstances: [host(2)] }),
          )
        ).containerInstances?.[0]?.version ?? 0;
      await put([{ name: 'stage', value: 'test', targetId: host(2) }]);
      const version = await describeVersion();
      await put([{ name: 'stage', value: 'prod', targetId: host(2) }]);
      assert.deepEqual(await custom(host(2)), [{ name: 'stage', value: 'prod' }]);
      assert.equal(await describeVersion(), version + 1);
    });

    it('allows 10 custom attributes per instance, the agent ones not counting, and refuses the 11th', async () => {
      const ten = Array.from({ length: 10 }, (_, n) => ({
        name: `k${n}`,
        value: `v${n}`,
        targetId: host(3),
      }));
      await put(ten);
      assert.equal((await custom(host(3))).length, 10);
      const message = await failure(
        put([{ name: 'k11', value: 'x', targetId: host(3) }]),
        'AttributeLimitExceededException',
        'would have 11 custom attributes',
      );
      assert.match(message, /at most 10/);
      await put([{ name: 'k0', value: 'replaced', targetId: host(3) }]);
      const r = await t.aws(
        ecs('put-attributes --cluster site --attributes', `name=k12,targetId=${host(3)}`),
      );
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /AttributeLimitExceededException/);
      await del(ten.slice(5));
    });

    it('writes all attributes of a call or none', async () => {
      const before0 = await custom(host(0));
      await failure(
        put([
          { name: 'batch', value: 'x', targetId: host(0) },
          { name: 'batch', value: 'x', targetId: elsewhere },
        ]),
        'TargetNotFoundException',
        'Could not find container instance',
      );
      assert.deepEqual(await custom(host(0)), before0);
      const more = Array.from({ length: 6 }, (_, n) => ({ name: `m${n}`, value: 'v', targetId: host(3) }));
      await failure(put([{ name: 'fine', targetId: host(0) }, ...more]), 'AttributeLimitExceededException');
      assert.deepEqual(await custom(host(0)), before0);
    });

    const bad: [string, Attribute[], string][] = [
      ['a name with a space', [{ name: 'my zone', targetId: 'T' }], "Invalid attribute name 'my zone'"],
      ['a 129-character name', [{ name: 'n'.repeat(129), targetId: 'T' }], 'Invalid attribute name'],
      ['a value with #', [{ name: 'zone', value: 'a#1', targetId: 'T' }], "Invalid value 'a#1'"],
      ['a value ending in a space', [{ name: 'zone', value: 'a ', targetId: 'T' }], "can't start or end"],
      ['a 129-character value', [{ name: 'zone', value: 'v'.repeat(129), targetId: 'T' }], 'Invalid value'],
      ['a reserved name', [{ name: 'ecs.os-type', value: 'windows', targetId: 'T' }], 'is reserved'],
      ['a capability name', [{ name: 'com.amazonaws.ecs.capability.x', targetId: 'T' }], 'is reserved'],
      ['no targetId', [{ name: 'zone', value: 'a' }], 'needs a targetId'],
      ['a short id without targetType', [{ name: 'zone', targetId: 'abc' }], 'give targetType'],
      ['no attributes', [], 'can not be empty'],
      [
        '11 attributes',
        Array.from({ length: 11 }, (_, n) => ({ name: `a${n}`, targetId: 'T' })),
        'at most 10',
      ],
    ];
    for (const [label, attributes, fragment] of bad) {
      it(`refuses ${label}`, async () => {
        const withTarget = attributes.map((a) => (a.targetId === 'T' ? { ...a, targetId: host(0) } : a));
        await failure(put(withTarget), 'InvalidParameterException', fragment);
      });
    }

    it('refuses another targetType, unknown and foreign targets, deregistered ones and unknown clusters', async () => {
      const other = { name: 'zone', targetType: 'task' as 'container-instance', targetId: host(0) };
      await failure(put([other]), 'InvalidParameterException', 'targetType');
      await failure(
        put([{ name: 'zone', targetType: 'container-instance', targetId: 'f'.repeat(32) }]),
        'TargetNotFoundException',
        `Could not find container instance ${'f'.repeat(32)} in cluster site`,
      );
      await failure(put([{ name: 'zone', targetId: elsewhere }]), 'TargetNotFoundException');
      await failure(put([{ name: 'zone', targetId: elsewhere }], 'nowhere'), 'ClusterNotFoundException');
      const gone = await registerIn('other');
      await t.ecs.send(new DeregisterContainerInstanceCommand({ cluster: 'other', containerInstance: gone }));
      await failure(put([{ name: 'zone', targetId: gone }], 'other'), 'TargetNotFoundException');
    });
  });

  describe('DeleteAttributes', () => {
    it('deletes by name (CLI) and tolerates attributes that are already gone', async () => {
      await put([
        { name: 'tmp', value: 'x', targetId: host(2) },
        { name: 'keep', value: 'y', targetId: host(2) },
      ]);
      const out = await t.awsJson<{ attributes: Attribute[] }>(
        ecs('delete-attributes --cluster site --attributes', `name=tmp,targetId=${host(2)}`),
      );
      assert.deepEqual(out.attributes, [
        { name: 'tmp', targetType: 'container-instance', targetId: host(2) },
      ]);
      const names = (await custom(host(2))).map((a) => a.name);
      assert.ok(!names.includes('tmp'));
      assert.ok(names.includes('keep'));
      await del([{ name: 'tmp', targetId: host(2) }]);
      assert.ok(
        (await attributesOf(host(2))).some((a) => a.name === 'ecs.os-type'),
        'agent attributes stay',
      );
    });

    it('refuses reserved names, unknown targets and bad input', async () => {
      await failure(
        del([{ name: 'ecs.os-type', targetId: host(2) }]),
        'InvalidParameterException',
        'is reserved',
      );
      await failure(del([{ name: 'zone', targetId: elsewhere }]), 'TargetNotFoundException');
      await failure(del([{ name: 'bad name', targetId: host(2) }]), 'InvalidParameterException');
      await failure(del([]), 'InvalidParameterException');
      await failure(del([{ name: 'zone', targetId: 'abc' }]), 'InvalidParameterException', 'give targetType');
    });
  });

  describe('ListAttributes', () => {
    before(async () => {
      await put([
        { name: 'rack', value: 'r1', targetId: host(0) },
        { name: 'rack', value: 'r2', targetId: host(1) },
        { name: 'rack', value: 'r1', targetId: host(2) },
      ]);
      await put([{ name: 'rack', value: 'r9', targetId: elsewhere }], 'other');
    });

    it('lists by name and value across the cluster (CLI), with targets as ARNs', async () => {
      const byName = await t.awsJson<{ attributes: Attribute[] }>(
        ecs('list-attributes --cluster site --target-type container-instance --attribute-name rack'),
      );
      assert.deepEqual(byName.attributes, [
        { name: 'rack', value: 'r1', targetType: 'container-instance', targetId: host(0) },
        { name: 'rack', value: 'r2', targetType: 'container-instance', targetId: host(1) },
        { name: 'rack', value: 'r1', targetType: 'container-instance', targetId: host(2) },
      ]);
      const r1 = await t.awsJson<{ attributes: Attribute[] }>(
        ecs(
          'list-attributes --cluster site --target-type container-instance --attribute-name rack --attribute-value r1',
        ),
      );
      assert.deepEqual(
        r1.attributes.map((a) => a.targetId),
        [host(0), host(2)],
      );
      const linux = await list({ attributeName: 'ecs.os-type', attributeValue: 'linux' });
      assert.deepEqual(
        linux.attributes?.map((a) => a.targetId),
        hosts,
        'built-in attributes are listed too',
      );
    });

    it('pages through every attribute of every instance, resuming inside an instance', async () => {
      const all = (await list()).attributes ?? [];
      assert.ok(all.length > 10);
      const paged: Attribute[] = [];
      let nextToken: string | undefined;
      do {
        const out = await list({ maxResults: 3, nextToken });
        assert.ok((out.attributes?.length ?? 0) > 0, 'no empty pages');
        paged.push(...(out.attributes ?? []));
        nextToken = out.nextToken;
      } while (nextToken !== undefined);
      assert.deepEqual(paged, all);
      const cli = await t.awsJson<{ attributes: Attribute[] }>(
        ecs('list-attributes --cluster site --target-type container-instance --page-size 4'),
      );
      assert.deepEqual(cli.attributes, all);
      const keys = all.map((a) => `${a.targetId} ${a.name}`);
      assert.deepEqual(keys, [...keys].sort(), 'ordered by instance, then name');
    });

    it('leaves out deregistered instances and other clusters', async () => {
      const gone = await registerIn('site');
      await put([{ name: 'rack', value: 'r1', targetId: gone }]);
      await t.ecs.send(new DeregisterContainerInstanceCommand({ cluster: 'site', containerInstance: gone }));
      const out = await list({ attributeName: 'rack' });
      assert.deepEqual(
        out.attributes?.map((a) => a.targetId),
        [host(0), host(1), host(2)],
      );
    });

    it('refuses a value without a name, another target type, bad paging and unknown clusters', async () => {
      await failure(
        list({ attributeValue: 'r1' }),
        'InvalidParameterException',
        'together with attributeName',
      );
      await failure(
        list({ targetType: 'task' as 'container-instance' }),
        'InvalidParameterException',
        'targetType',
      );
      await failure(list({ maxResults: 101 }), 'InvalidParameterException');
      await failure(list({ nextToken: 'garbage' }), 'InvalidParameterException', 'nextToken');
      await failure(list({ cluster: 'nowhere' }), 'ClusterNotFoundException');
      const r = await t.aws(ecs('list-attributes --cluster site'));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /target-type/);
    });
  });
});

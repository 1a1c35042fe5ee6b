/**
 * TagResource, UntagResource and ListTagsForResource end to end, through @aws-sdk/client-ecs and the real
 * AWS CLI: every taggable kind of resource Berth has, the 50-tag limit counted over the resource's tags, the
 * reserved `aws:` prefix, and how bad ARNs, unknown resources and deleted clusters are refused. Task
 * definitions, container instances and tasks are written straight into the store, shaped as ECS returns them,
 * because the operations that create them are not this test's subject.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  DescribeTasksCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type Tag,
  type TagResourceRequest,
  type UntagResourceRequest,
} from '@aws-sdk/client-ecs';
import { Arns } from '../../src/ecs/arn.js';
import { failure } from '../../src/ecs/testing/api-error.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';

const arns = new Arns('us-east-1', '123456789012');

const newId = (): string => randomUUID().replaceAll('-', '');

const tagsOf = (n: number, prefix = 'k'): Tag[] =>
  Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: `v${i}` }));

describe('TagResource, UntagResource and ListTagsForResource', () => {
  let t: TestServer;
  const instanceId = newId();
  const taskId = newId();
  const cluster = arns.cluster('tagged');
  const taskDefinition = arns.taskDefinition('nginx', 1);
  const instance = arns.containerInstance('tagged', instanceId);
  const task = arns.task('tagged', taskId);

  before(async () => {
    t = await startTestServer();
    await t.ecs.send(new CreateClusterCommand({ clusterName: 'tagged' }));
    const store = t.server.store;
    await store.taskDefinitions.put({
      taskDefinitionArn: taskDefinition,
      family: 'nginx',
      revision: 1,
      status: 'ACTIVE',
      networkMode: 'bridge',
      requiresCompatibilities: ['EXTERNAL'],
      compatibilities: ['EC2', 'EXTERNAL'],
      containerDefinitions: [
        { name: 'nginx', image: '127.0.0.1:5000/nginx:1', memory: 256, essential: true },
      ],
      registeredAt: new Date(),
    });
    await store.containerInstances.put(cluster, {
      containerInstanceArn: instance,
      ec2InstanceId: `mi-${instanceId.slice(0, 17)}`,
      status: 'ACTIVE',
      agentConnected: true,
      version: 1,
      registeredAt: new Date(),
      registeredResources: [],
      remainingResources: [],
      attributes: [],
    });
    await store.tasks.put({
      taskArn: task,
      clusterArn: cluster,
      taskDefinitionArn: taskDefinition,
      containerInstanceArn: instance,
      launchType: 'EXTERNAL',
      desiredStatus: 'RUNNING',
      lastStatus: 'RUNNING',
      group: 'family:nginx',
      createdAt: new Date(),
      version: 1,
      containers: [],
    });
  });
  after(() => t.stop());

  const tag = (input: TagResourceRequest) => t.ecs.send(new TagResourceCommand(input));
  const untag = (input: UntagResourceRequest) => t.ecs.send(new UntagResourceCommand(input));
  const listTags = async (resourceArn: string) =>
    (await t.ecs.send(new ListTagsForResourceCommand({ resourceArn }))).tags;

  it('tags a cluster from the CLI and shows the tags in list-tags-for-resource and describe-clusters', async () => {
    const put = await t.aws([
      'ecs',
      'tag-resource',
      '--resource-arn',
      cluster,
      '--tags',
      'key=team,value=edge',
      'key=env,value=prod',
    ]);
    assert.equal(put.code, 0, put.stderr);
    const listed = await t.awsJson<{ tags: Tag[] }>([
      'ecs',
      'list-tags-for-resource',
      '--resource-arn',
      cluster,
    ]);
    assert.deepEqual(listed.tags, [
      { key: 'env', value: 'prod' },
      { key: 'team', value: 'edge' },
    ]);
    const described = await t.ecs.send(
      new DescribeClustersCommand({ clusters: ['tagged'], include: ['TAGS'] }),
    );
    assert.deepEqual(described.clusters?.[0]?.tags, listed.tags);
  });

  it('overwrites the value of an existing key and leaves the other tags alone', async () => {
    await tag({ resourceArn: cluster, tags: [{ key: 'env', value: 'staging' }] });
    assert.deepEqual(await listTags(cluster), [
      { key: 'env', value: 'staging' },
      { key: 'team', value: 'edge' },
    ]);
  });

  it('removes tags with untag-resource (CLI), ignoring keys the resource does not have', async () => {
    const out = await t.aws([
      'ecs',
      'untag-resource',
      '--resource-arn',
      cluster,
      '--tag-keys',
      'env',
      'no-such-key',
    ]);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(await listTags(cluster), [{ key: 'team', value: 'edge' }]);
  });

  it('tags task definitions, container instances and tasks', async () => {
    for (const resourceArn of [taskDefinition, instance, task]) {
      await tag({ resourceArn, tags: [{ key: 'owner', value: 'platform' }, { key: 'empty' }] });
      assert.deepEqual(await listTags(resourceArn), [
        { key: 'empty', value: '' },
        { key: 'owner', value: 'platform' },
      ]);
    }
    const described = await t.ecs.send(
      new DescribeTasksCommand({ cluster: 'tagged', tasks: [taskId], include: ['TAGS'] }),
    );
    assert.deepEqual(described.tasks?.[0]?.tags, [
      { key: 'empty', value: '' },
      { key: 'owner', value: 'platform' },
    ]);
  });

  it('lists no tags for a resource that has none', async () => {
    await t.ecs.send(new CreateClusterCommand({ clusterName: 'plain' }));
    assert.deepEqual(await listTags(arns.cluster('plain')), []);
  });

  it('keeps a resource at 50 tags, counting the existing keys and a re-used key once', async () => {
    await t.ecs.send(new CreateClusterCommand({ clusterName: 'crowded' }));
    const resourceArn = arns.cluster('crowded');
    await tag({ resourceArn, tags: tagsOf(45) });
    const message = await failure(
      tag({ resourceArn, tags: tagsOf(6, 'extra') }),
      'InvalidParameterException',
      /51 tags.*at most 50/,
    );
    assert.match(message, /crowded/);
    assert.equal((await listTags(resourceArn))?.length, 45, 'a refused call changes nothing');
    await tag({ resourceArn, tags: tagsOf(5, 'extra') });
    // Re-setting existing keys does not add to the count.
    await tag({
      resourceArn,
      tags: tagsOf(50)
        .slice(0, 45)
        .map((x) => ({ ...x, value: 'new' })),
    });
    const tags = await listTags(resourceArn);
    assert.equal(tags?.length, 50);
    assert.ok(tags?.filter((x) => x.key?.startsWith('k')).every((x) => x.value === 'new'));
    const cli = await t.aws([
      'ecs',
      'tag-resource',
      '--resource-arn',
      resourceArn,
      '--tags',
      'key=one,value=more',
    ]);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /InvalidParameterException.*at most 50/);
  });

  it('refuses bad tags: more than 50 at once, duplicates, reserved or too long keys, bad characters', async () => {
    await failure(tag({ resourceArn: cluster, tags: tagsOf(51) }), 'InvalidParameterException', /tags/);
    await failure(
      tag({
        resourceArn: cluster,
        tags: [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
        ],
      }),
      'InvalidParameterException',
      /'a' appears more than once/,
    );
    await failure(
      tag({ resourceArn: cluster, tags: [{ key: 'AWS:owner', value: 'me' }] }),
      'InvalidParameterException',
      /reserved/,
    );
    await failure(
      tag({ resourceArn: cluster, tags: [{ key: 'k'.repeat(129), value: 'v' }] }),
      'InvalidParameterException',
      /128/,
    );
    await failure(
      tag({ resourceArn: cluster, tags: [{ key: 'team', value: 'a;b' }] }),
      'InvalidParameterException',
    );
    await failure(
      untag({ resourceArn: cluster, tagKeys: ['aws:createdBy'] }),
      'InvalidParameterException',
      /reserved/,
    );
    assert.deepEqual(await listTags(cluster), [{ key: 'team', value: 'edge' }], 'nothing was changed');
  });

  it('refuses values that are not ECS ARNs of this control plane with InvalidParameterException', async () => {
    const bad = [
      'tagged',
      'arn:aws:ecs:us-east-1:123456789012:cluster',
      arns.cluster('tagged').replace('us-east-1', 'eu-west-1'),
      arns.cluster('tagged').replace('123456789012', '999999999999'),
      'arn:aws:s3:::bucket/key',
      'arn:aws:ecs:us-east-1:123456789012:capacity-provider/spot',
      `arn:aws:ecs:us-east-1:123456789012:task/${taskId}`,
      'arn:aws:ecs:us-east-1:123456789012:task-definition/nginx',
      'arn:aws:ecs:us-east-1:123456789012:service/web',
    ];
    for (const resourceArn of bad) {
      await failure(listTags(resourceArn), 'InvalidParameterException', /ARN|cannot be tagged/);
      await failure(tag({ resourceArn, tags: [{ key: 'a', value: 'b' }] }), 'InvalidParameterException');
      await failure(untag({ resourceArn, tagKeys: ['a'] }), 'InvalidParameterException');
    }
    const cli = await t.aws(['ecs', 'list-tags-for-resource', '--resource-arn', 'not-an-arn']);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /InvalidParameterException.*not-an-arn/);
  });

  it('answers ResourceNotFoundException for an ARN whose resource does not exist', async () => {
    const unknown = [
      arns.cluster('nowhere'),
      arns.taskDefinition('nginx', 2),
      arns.taskDefinition('unregistered', 1),
      arns.containerInstance('tagged', newId()),
      arns.task('tagged', newId()),
      arns.task('nowhere', newId()),
      arns.service('tagged', 'web'),
    ];
    for (const resourceArn of unknown) {
      await failure(listTags(resourceArn), 'ResourceNotFoundException', /could not be found/);
      await failure(tag({ resourceArn, tags: [{ key: 'a', value: 'b' }] }), 'ResourceNotFoundException');
      await failure(untag({ resourceArn, tagKeys: ['a'] }), 'ResourceNotFoundException');
    }
    const cli = await t.aws([
      'ecs',
      'tag-resource',
      '--resource-arn',
      arns.task('tagged', 'f00d'),
      '--tags',
      'key=a,value=b',
    ]);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /ResourceNotFoundException.*f00d/);
  });

  it('does not tag a task definition whose deletion was requested', async () => {
    const doomed = arns.taskDefinition('deleting', 1);
    await t.server.store.taskDefinitions.put({
      taskDefinitionArn: doomed,
      family: 'deleting',
      revision: 1,
      status: 'DELETE_IN_PROGRESS',
    });
    await failure(
      tag({ resourceArn: doomed, tags: [{ key: 'a', value: 'b' }] }),
      'ResourceNotFoundException',
    );
  });

  it('refuses the resources of a deleted cluster as ECS does, and a re-created cluster starts untagged', async () => {
    await t.ecs.send(new CreateClusterCommand({ clusterName: 'doomed', tags: [{ key: 'x', value: '1' }] }));
    await t.ecs.send(new DeleteClusterCommand({ cluster: 'doomed' }));
    const doomed = arns.cluster('doomed');
    const inactive = /The specified cluster is inactive\. Specify an active cluster and try again\./;
    await failure(listTags(doomed), 'InvalidParameterException', inactive);
    await failure(
      tag({ resourceArn: doomed, tags: [{ key: 'a', value: 'b' }] }),
      'InvalidParameterException',
      inactive,
    );
    await failure(listTags(arns.task('doomed', newId())), 'InvalidParameterException', inactive);
    await t.ecs.send(new CreateClusterCommand({ clusterName: 'doomed' }));
    assert.deepEqual(await listTags(doomed), []);
  });

  it('refuses calls missing a required member', async () => {
    await failure(
      tag({ resourceArn: cluster } as TagResourceRequest),
      'InvalidParameterException',
      /Missing required parameter 'tags'/,
    );
    await failure(
      tag({ tags: [{ key: 'a', value: 'b' }] } as TagResourceRequest),
      'InvalidParameterException',
      /Missing required parameter 'resourceArn'/,
    );
    await failure(
      untag({ resourceArn: cluster } as UntagResourceRequest),
      'InvalidParameterException',
      /Missing required parameter 'tagKeys'/,
    );
    await failure(
      t.ecs.send(new ListTagsForResourceCommand({} as { resourceArn: string })),
      'InvalidParameterException',
      /Missing required parameter 'resourceArn'/,
    );
    const cli = await t.aws(['ecs', 'tag-resource', '--resource-arn', cluster]);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /--tags/);
  });

  it('refuses wrongly typed members', async () => {
    await failure(
      tag({ resourceArn: cluster, tags: { key: 'a', value: 'b' } as unknown as Tag[] }),
      'SerializationException',
    );
    await failure(
      untag({ resourceArn: cluster, tagKeys: 'team' as unknown as string[] }),
      'SerializationException',
    );
    await failure(listTags(42 as unknown as string), 'SerializationException');
    assert.deepEqual(await listTags(cluster), [{ key: 'team', value: 'edge' }]);
  });
});

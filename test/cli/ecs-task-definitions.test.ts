/**
 * Task definitions end to end, as users drive them: the AWS CLI (v1, as installed here), @aws-sdk/client-ecs
 * and boto3 against a real server. Register, describe in all three reference forms, list, list families,
 * deregister, delete, tags; every refusal names an ECS exception and says what to fix; nothing answers 500.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  type ContainerDefinition,
  type RegisterTaskDefinitionRequest,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import Database from 'better-sqlite3';
import { buildTaskDefinition } from '../../src/domain/task-definition/index.js';
import { kitchenSinkExternal, nginxAnnouncement } from '../../src/domain/task-definition/testing/fixtures.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { failure } from '../../src/ecs/testing/api-error.js';

const run = promisify(execFile);
const ACCOUNT = '123456789012';
const ANNOUNCEMENT_JSON =
  '{"requiresCompatibilities":["EXTERNAL"],"containerDefinitions":[{"name":"nginx","image":' +
  '"public.ecr.aws/nginx/nginx:latest","memory":256,"cpu":256,"essential":true,"portMappings":' +
  '[{"containerPort":80,"hostPort":8080,"protocol":"tcp"}]}],"networkMode":"bridge","family":"nginx"}';

/** A small valid definition of `family`. */
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

describe('task definitions', () => {
  let t: TestServer;
  const arn = (family: string, revision: number) =>
    `arn:aws:ecs:${t.region}:${ACCOUNT}:task-definition/${family}:${revision}`;
  const register = async (input: RegisterTaskDefinitionRequest): Promise<TaskDefinition> => {
    const out = await t.ecs.send(new RegisterTaskDefinitionCommand(input));
    assert.ok(out.taskDefinition);
    return out.taskDefinition;
  };
  const deregister = (taskDefinition: string) =>
    t.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition }));
  const describeTd = (taskDefinition: string, include?: 'TAGS'[]) =>
    t.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, ...(include && { include }) }));
  const remove = (taskDefinitions: string[]) =>
    t.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions }));

  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  describe('the ECS Anywhere announcement, through the AWS CLI', () => {
    it('registers with --cli-input-json and reads back by family, family:revision and ARN', async () => {
      const before = Date.now() / 1000;
      const registered = await t.awsJson<{ taskDefinition: Record<string, unknown>; tags?: unknown }>([
        'ecs',
        'register-task-definition',
        '--cli-input-json',
        ANNOUNCEMENT_JSON,
      ]);
      const td = registered.taskDefinition;
      assert.equal(td.taskDefinitionArn, arn('nginx', 1));
      assert.equal(td.family, 'nginx');
      assert.equal(td.revision, 1);
      assert.equal(td.status, 'ACTIVE');
      assert.equal(td.networkMode, 'bridge');
      assert.deepEqual(td.requiresCompatibilities, ['EXTERNAL']);
      assert.ok((td.compatibilities as string[]).includes('EXTERNAL'), 'EXTERNAL-compatible');
      assert.deepEqual(td.volumes, []);
      assert.deepEqual(td.placementConstraints, []);
      assert.ok(Array.isArray(td.requiresAttributes));
      // CLI v1 prints timestamps as received (cli_timestamp_format defaults to "none"): epoch seconds.
      assert.equal(typeof td.registeredAt, 'number');
      assert.ok(Math.abs((td.registeredAt as number) - before) < 60, 'registeredAt is now, in seconds');
      assert.match(String(td.registeredBy), /^arn:aws:iam::123456789012:/);
      assert.equal(td.deregisteredAt, undefined);
      assert.equal(registered.tags, undefined, 'no tags given, none returned');
      assert.deepEqual(td.containerDefinitions, [
        {
          name: 'nginx',
          image: 'public.ecr.aws/nginx/nginx:latest',
          cpu: 256,
          memory: 256,
          portMappings: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }],
          essential: true,
          environment: [],
          mountPoints: [],
          volumesFrom: [],
          systemControls: [],
        },
      ]);

      for (const ref of ['nginx', 'nginx:1', arn('nginx', 1)]) {
        const described = await t.awsJson<Record<string, unknown>>([
          'ecs',
          'describe-task-definition',
          '--task-definition',
          ref,
        ]);
        assert.deepEqual(described, { taskDefinition: td }, `describe ${ref}`);
      }
      const listed = await t.awsJson<{ taskDefinitionArns: string[] }>([
        'ecs',
        'list-task-definitions',
        '--family-prefix',
        'nginx',
      ]);
      assert.deepEqual(listed.taskDefinitionArns, [arn('nginx', 1)]);
    });

    it('tells the user, in the CLI, what is missing', async () => {
      const r = await t.aws(['ecs', 'describe-task-definition', '--task-definition', 'no-such-family']);
      assert.equal(r.code, 255);
      assert.match(
        r.stderr,
        /An error occurred \(ClientException\) when calling the DescribeTaskDefinition operation: Unable to describe task definition\./,
      );
      assert.match(r.stderr, /no-such-family/);
      const bad = await t.aws([
        'ecs',
        'register-task-definition',
        '--family',
        'my app',
        '--container-definitions',
        '[{"name":"app","image":"busybox","memory":64}]',
      ]);
      assert.equal(bad.code, 255);
      assert.match(bad.stderr, /\(InvalidParameterException\).*Family must be 1-255 characters.*'my app'/);
      const big = await t.aws([
        'ecs',
        'register-task-definition',
        '--family',
        'big',
        '--container-definitions',
        JSON.stringify(
          Array.from({ length: 11 }, (_, i) => ({ name: `c${i}`, image: 'busybox', memory: 8 })),
        ),
      ]);
      assert.match(big.stderr, /\(ClientException\).*Too many containers: 11 given/);
    });
  });

  describe('register and describe through the SDK', () => {
    it('round-trips a definition that uses every container field, with ECS defaults filled in', async () => {
      const input = kitchenSinkExternal();
      const out = await t.ecs.send(new RegisterTaskDefinitionCommand(input));
      const td = out.taskDefinition;
      assert.ok(td?.registeredAt instanceof Date);
      assert.deepEqual(out.tags, [{ key: 'team', value: 'edge' }]);
      const expected = buildTaskDefinition(input, {
        arn: arn('kitchen-sink', 1),
        revision: 1,
        registeredAt: td.registeredAt,
        registeredBy: td.registeredBy ?? '',
      });
      assert.deepEqual(td, expected);
      assert.equal(td.cpu, '1024', "'1 vCPU' is stored as CPU units");
      assert.equal(td.memory, '2048', "'2GB' is stored as MiB");
      const described = await describeTd('kitchen-sink:1', ['TAGS']);
      assert.deepEqual(described.taskDefinition, expected);
      assert.deepEqual(described.tags, [{ key: 'team', value: 'edge' }]);
    });

    it('numbers revisions from 1, and never reuses one, across deregister and delete', async () => {
      const revs = [];
      for (let i = 0; i < 3; i++) revs.push((await register(simple('revs'))).revision);
      assert.deepEqual(revs, [1, 2, 3]);
      await deregister('revs:3');
      assert.equal((await register(simple('revs'))).revision, 4);
      await deregister('revs:4');
      await remove(['revs:4']);
      assert.equal((await register(simple('revs'))).revision, 5);
      assert.equal((await describeTd('revs')).taskDefinition?.revision, 5);
      const concurrent = await Promise.all(Array.from({ length: 8 }, () => register(simple('revs'))));
      assert.deepEqual(
        concurrent.map((d) => d.revision).sort((a, b) => (a ?? 0) - (b ?? 0)),
        [6, 7, 8, 9, 10, 11, 12, 13],
      );
    });

    it('refuses the 1,000,001st revision of a family with LimitExceededException', async () => {
      await register(simple('limit'));
      // Reaching the quota honestly takes a million calls; move the family's counter instead.
      const db = new Database(join(t.dataDir, 'berth.db'));
      try {
        db.prepare('UPDATE task_definition_families SET last_revision = 999999 WHERE family = ?').run(
          'limit',
        );
      } finally {
        db.close();
      }
      assert.equal((await register(simple('limit'))).revision, 1_000_000);
      await failure(register(simple('limit')), 'LimitExceededException', 'new family name');
      assert.equal((await describeTd('limit')).taskDefinition?.revision, 1_000_000);
    });

    it('returns tags only when asked, and includes tags added later', async () => {
      const tags = [{ key: 'env', value: 'prod' }];
      const out = await t.ecs.send(new RegisterTaskDefinitionCommand(simple('tagged', { tags })));
      assert.deepEqual(out.tags, tags);
      assert.equal((await describeTd('tagged')).tags, undefined);
      await t.ecs.send(
        new TagResourceCommand({ resourceArn: arn('tagged', 1), tags: [{ key: 'team', value: 'edge' }] }),
      );
      assert.deepEqual((await describeTd('tagged', ['TAGS'])).tags, [
        { key: 'env', value: 'prod' },
        { key: 'team', value: 'edge' },
      ]);
      await register(simple('untagged'));
      assert.deepEqual((await describeTd('untagged', ['TAGS'])).tags, []);
      const cli = await t.awsJson<{ tags: unknown }>([
        'ecs',
        'describe-task-definition',
        '--task-definition',
        'tagged:1',
        '--include',
        'TAGS',
      ]);
      assert.deepEqual(cli.tags, [
        { key: 'env', value: 'prod' },
        { key: 'team', value: 'edge' },
      ]);
    });
  });

  describe('deregister and delete', () => {
    it('deregisters to INACTIVE, idempotently, and keeps the revision describable', async () => {
      await register(simple('dereg'));
      await register(simple('dereg'));
      const { taskDefinition: td } = await deregister(arn('dereg', 2));
      assert.equal(td?.status, 'INACTIVE');
      assert.ok(td?.deregisteredAt instanceof Date);
      const again = await deregister('dereg:2');
      assert.deepEqual(again.taskDefinition, td, 'deregistering again changes nothing');
      assert.deepEqual((await describeTd('dereg:2')).taskDefinition, td);
      assert.equal((await describeTd('dereg')).taskDefinition?.revision, 1, 'family = latest ACTIVE');
      await deregister('dereg:1');
      await failure(describeTd('dereg'), 'ClientException', 'Unable to describe task definition.');
    });

    it('deletes INACTIVE revisions, reports the rest as failures, and drops their tags', async () => {
      await register(simple('del', { tags: [{ key: 'k', value: 'v' }] }));
      await register(simple('del'));
      await deregister('del:1');
      const out = await remove([
        'del:1',
        'del:2',
        'del:9',
        'del',
        arn('del', 1).replace(ACCOUNT, '999999999999'),
      ]);
      assert.deepEqual(
        out.taskDefinitions?.map((d) => [d.taskDefinitionArn, d.status]),
        [[arn('del', 1), 'DELETE_IN_PROGRESS']],
      );
      const deleted = out.taskDefinitions?.[0];
      assert.ok(deleted?.deleteRequestedAt instanceof Date);
      assert.ok(deleted.deregisteredAt instanceof Date);
      assert.deepEqual(out.failures, [
        {
          arn: arn('del', 2),
          reason:
            'The specified task definition is still in ACTIVE status. Please deregister the target and try again.',
        },
        {
          arn: arn('del', 9),
          reason:
            'The specified task definition does not exist. Specify a valid account, family, revision and try again.',
        },
        {
          arn: 'del',
          reason:
            'The specified task definition identifier is invalid. Specify a valid name or ARN and try again.',
        },
        {
          arn: arn('del', 1).replace(ACCOUNT, '999999999999'),
          reason:
            'The specified task definition does not exist. Specify a valid account, family, revision and try again.',
        },
      ]);
      const described = await describeTd('del:1', ['TAGS']);
      assert.equal(described.taskDefinition?.status, 'DELETE_IN_PROGRESS', 'still describable');
      assert.deepEqual(described.tags, [], 'tags go with the resource');
      const again = await remove(['del:1']);
      assert.deepEqual(again.taskDefinitions, [deleted], 'deleting again returns it unchanged');
      assert.equal((await register(simple('del'))).revision, 3);
    });

    it('works from the CLI too', async () => {
      await t.awsJson([
        'ecs',
        'register-task-definition',
        '--cli-input-json',
        JSON.stringify(simple('cli-del')),
      ]);
      const dereg = await t.awsJson<{ taskDefinition: { status: string; deregisteredAt: number } }>([
        'ecs',
        'deregister-task-definition',
        '--task-definition',
        'cli-del:1',
      ]);
      assert.equal(dereg.taskDefinition.status, 'INACTIVE');
      assert.equal(typeof dereg.taskDefinition.deregisteredAt, 'number');
      const del = await t.awsJson<{ taskDefinitions: { status: string }[]; failures: unknown[] }>([
        'ecs',
        'delete-task-definitions',
        '--task-definitions',
        'cli-del:1',
        'cli-del:2',
      ]);
      assert.deepEqual(
        del.taskDefinitions.map((d) => d.status),
        ['DELETE_IN_PROGRESS'],
      );
      assert.equal(del.failures.length, 1);
      const r = await t.aws(['ecs', 'deregister-task-definition', '--task-definition', 'cli-del']);
      assert.equal(r.code, 255);
      assert.match(r.stderr, /\(ClientException\).*Revision is missing/);
    });
  });

  describe('listing', () => {
    const ids = (arns: readonly string[] | undefined, family: RegExp) =>
      (arns ?? []).map((a) => a.split('/').pop() ?? '').filter((id) => family.test(id));

    before(async () => {
      for (let i = 0; i < 11; i++) await register(simple('lst-a'));
      await register(simple('lst-b'));
      await register(simple('lst-a-x'));
      await deregister('lst-a:2');
      await deregister('lst-a:3');
      await remove(['lst-a:3']);
    });

    it('orders by family, then numeric revision, and DESC reverses both', async () => {
      const asc = await t.ecs.send(new ListTaskDefinitionsCommand({}));
      const activeA = [1, ...Array.from({ length: 8 }, (_, i) => i + 4)].map((r) => `lst-a:${r}`);
      assert.deepEqual(ids(asc.taskDefinitionArns, /^lst-/), [...activeA, 'lst-a-x:1', 'lst-b:1']);
      const desc = await t.ecs.send(new ListTaskDefinitionsCommand({ sort: 'DESC' }));
      assert.deepEqual(ids(desc.taskDefinitionArns, /^lst-/), ['lst-b:1', 'lst-a-x:1', ...activeA.reverse()]);
    });

    it('takes familyPrefix as the whole family name, as ECS does', async () => {
      const out = await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'lst-a' }));
      assert.equal(out.taskDefinitionArns?.length, 9);
      assert.ok(out.taskDefinitionArns?.every((a) => /task-definition\/lst-a:\d+$/.test(a)));
      const none = await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'lst' }));
      assert.deepEqual(none.taskDefinitionArns, []);
    });

    it('filters by status', async () => {
      const list = async (status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS') =>
        (await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'lst-a', status })))
          .taskDefinitionArns;
      assert.deepEqual(await list('INACTIVE'), [arn('lst-a', 2)]);
      assert.deepEqual(await list('DELETE_IN_PROGRESS'), [arn('lst-a', 3)]);
      assert.equal((await list('ACTIVE'))?.length, 9);
    });

    it('pages with maxResults and nextToken, by hand and through the CLI paginator', async () => {
      const all = (await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'lst-a', sort: 'DESC' })))
        .taskDefinitionArns;
      const paged: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const out = await t.ecs.send(
          new ListTaskDefinitionsCommand({ familyPrefix: 'lst-a', sort: 'DESC', maxResults: 2, nextToken }),
        );
        assert.ok((out.taskDefinitionArns?.length ?? 0) <= 2);
        paged.push(...(out.taskDefinitionArns ?? []));
        nextToken = out.nextToken;
        pages++;
      } while (nextToken !== undefined);
      assert.deepEqual(paged, all);
      assert.equal(pages, 5);
      const cli = await t.awsJson<{ taskDefinitionArns: string[] }>([
        'ecs',
        'list-task-definitions',
        '--family-prefix',
        'lst-a',
        '--sort',
        'DESC',
        '--page-size',
        '2',
      ]);
      assert.deepEqual(cli.taskDefinitionArns, all);
    });
  });

  describe('families', () => {
    before(async () => {
      await register(simple('fam-on'));
      await register(simple('fam-mixed'));
      await register(simple('fam-mixed'));
      await deregister('fam-mixed:1');
      await register(simple('fam-off'));
      await deregister('fam-off:1');
      await register(simple('fam-gone'));
      await deregister('fam-gone:1');
      await remove(['fam-gone:1']);
    });
    const families = async (status?: 'ACTIVE' | 'INACTIVE' | 'ALL', familyPrefix = 'fam-') =>
      (await t.ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix, ...(status && { status }) })))
        .families;

    it('lists ACTIVE families (an ACTIVE revision), INACTIVE ones (none), and both by default', async () => {
      const everyone = ['fam-gone', 'fam-mixed', 'fam-off', 'fam-on'];
      assert.deepEqual(await families(), everyone);
      assert.deepEqual(await families('ALL'), everyone);
      assert.deepEqual(await families('ACTIVE'), ['fam-mixed', 'fam-on']);
      assert.deepEqual(await families('INACTIVE'), ['fam-gone', 'fam-off']);
      assert.deepEqual(await families(undefined, 'fam-o'), ['fam-off', 'fam-on'], 'a real prefix here');
      await register(simple('fam-off'));
      assert.deepEqual(
        await families('ACTIVE'),
        ['fam-mixed', 'fam-off', 'fam-on'],
        'a new revision revives it',
      );
    });

    it('pages, and the CLI agrees', async () => {
      const paged: string[] = [];
      let nextToken: string | undefined;
      do {
        const out = await t.ecs.send(
          new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'fam-', maxResults: 1, nextToken }),
        );
        paged.push(...(out.families ?? []));
        nextToken = out.nextToken;
      } while (nextToken !== undefined);
      assert.deepEqual(paged, ['fam-gone', 'fam-mixed', 'fam-off', 'fam-on']);
      const cli = await t.awsJson<{ families: string[] }>([
        'ecs',
        'list-task-definition-families',
        '--family-prefix',
        'fam-',
        '--status',
        'INACTIVE',
      ]);
      assert.deepEqual(cli.families, ['fam-gone']);
    });
  });

  it('boto3 registers and describes', async () => {
    const script = `
import json, sys, boto3
url, region, key, secret, body = sys.argv[1:6]
ecs = boto3.client('ecs', endpoint_url=url, region_name=region,
                   aws_access_key_id=key, aws_secret_access_key=secret)
registered = ecs.register_task_definition(**json.loads(body))['taskDefinition']
described = ecs.describe_task_definition(taskDefinition='boto-nginx')['taskDefinition']
json.dump({'registered': registered, 'described': described,
           'registeredAtType': type(described['registeredAt']).__name__}, sys.stdout, default=str)
`;
    const body = JSON.stringify({ ...nginxAnnouncement(), family: 'boto-nginx' });
    const { stdout } = await run('python3', [
      '-c',
      script,
      t.url,
      t.region,
      t.keys.accessKeyId,
      t.keys.secretAccessKey,
      body,
    ]);
    const out = JSON.parse(stdout) as {
      registered: Record<string, unknown>;
      described: Record<string, unknown>;
      registeredAtType: string;
    };
    assert.deepEqual(out.described, out.registered);
    assert.equal(out.described.taskDefinitionArn, arn('boto-nginx', 1));
    assert.equal(out.described.status, 'ACTIVE');
    assert.equal(out.registeredAtType, 'datetime', 'boto3 parses registeredAt as a timestamp');
    const containers = out.described.containerDefinitions as ContainerDefinition[];
    assert.equal(containers[0]?.name, 'nginx');
  });
});

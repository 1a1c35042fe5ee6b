/**
 * Container instance records end to end, through @aws-sdk/client-ecs and the real AWS CLI: registering (as an
 * administrator, the way the agent will), re-registering after an agent restart, describing with derived task
 * counts and remaining resources, listing with the cluster query language and its pagination, draining, and
 * deregistering. RunTask does not exist yet, so tasks are written straight into the server's store.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DeregisterContainerInstanceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  ListContainerInstancesCommand,
  PutAttributesCommand,
  RegisterContainerInstanceCommand,
  UpdateContainerInstancesStateCommand,
  type Attribute,
  type ContainerInstance,
  type RegisterContainerInstanceRequest,
  type Resource,
} from '@aws-sdk/client-ecs';
import type { TaskRecord } from '../../src/domain/task-record.js';
import { Arns } from '../../src/ecs/arn.js';
import { failure } from '../../src/ecs/testing/api-error.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';

const arns = new Arns('us-east-1', '123456789012');

/** `aws ecs` arguments: the words of `command` (split on spaces), then `args` as they are. */
const ecs = (command: string, ...args: string[]): string[] => ['ecs', ...command.split(' '), ...args];

const RESOURCES: Resource[] = [
  { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
  { name: 'MEMORY', type: 'INTEGER', integerValue: 3768 },
  { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375', '2376', '51678', '51679'] },
  { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
];

/** What agent 1.105 sends on an external host: capabilities by name, os and architecture with values. */
const AGENT_ATTRIBUTES: Attribute[] = [
  { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.44' },
  { name: 'com.amazonaws.ecs.capability.logging-driver.json-file' },
  { name: 'com.amazonaws.ecs.capability.privileged-container' },
  { name: 'ecs.capability.container-health-check' },
  { name: 'ecs.capability.external' },
  { name: 'ecs.os-type', value: 'linux' },
  { name: 'ecs.os-family', value: 'LINUX' },
  { name: 'ecs.cpu-architecture', value: 'x86_64' },
];

/** The agent's own check: every attribute it sent must come back with the same value. */
function assertEchoed(sent: readonly Attribute[], got: readonly Attribute[] | undefined): void {
  const returned = new Map((got ?? []).map((a) => [a.name, a.value ?? '']));
  for (const a of sent) assert.equal(returned.get(a.name), a.value ?? '', `attribute ${a.name}`);
}

function task(cluster: string, instanceArn: string, spec: Partial<TaskRecord> = {}): TaskRecord {
  const id = randomUUID().replaceAll('-', '');
  const taskArn = arns.task(cluster, id);
  return {
    taskArn,
    clusterArn: arns.cluster(cluster),
    taskDefinitionArn: arns.taskDefinition('web', 1),
    containerInstanceArn: instanceArn,
    launchType: 'EXTERNAL',
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
    group: 'family:web',
    cpu: '256',
    memory: '512',
    createdAt: new Date(),
    version: 1,
    containers: [
      {
        containerArn: arns.container(cluster, id, 'web'),
        taskArn,
        name: 'web',
        lastStatus: 'RUNNING',
        networkBindings: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }],
      },
    ],
    ...spec,
  };
}

const resourceOf = (i: ContainerInstance | undefined, name: string, kind: 'remaining' | 'registered') =>
  (kind === 'remaining' ? i?.remainingResources : i?.registeredResources)?.find((r) => r.name === name);

describe('container instances', () => {
  let t: TestServer;
  const register = async (input: RegisterContainerInstanceRequest = {}): Promise<ContainerInstance> => {
    const out = await t.ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: 'edge',
        totalResources: RESOURCES,
        attributes: AGENT_ATTRIBUTES,
        versionInfo: { agentVersion: '1.105.1', agentHash: 'abc123', dockerVersion: '24.0.7' },
        ...input,
      }),
    );
    assert.ok(out.containerInstance);
    return out.containerInstance;
  };
  const describeOne = async (arn: string | undefined, include?: ('TAGS' | 'CONTAINER_INSTANCE_HEALTH')[]) => {
    const out = await t.ecs.send(
      new DescribeContainerInstancesCommand({ cluster: 'edge', containerInstances: [arn ?? ''], include }),
    );
    assert.deepEqual(out.failures, []);
    return out.containerInstances?.[0];
  };
  const list = async (extra: string[] = []): Promise<string[]> =>
    (
      await t.awsJson<{ containerInstanceArns: string[] }>(
        ecs('list-container-instances --cluster edge', ...extra),
      )
    ).containerInstanceArns;

  before(async () => {
    t = await startTestServer();
    for (const clusterName of ['edge', 'lab']) await t.ecs.send(new CreateClusterCommand({ clusterName }));
  });
  after(() => t.stop());

  describe('RegisterContainerInstance', () => {
    it('registers a new ACTIVE instance with the AWS CLI', async () => {
      const out = await t.awsJson<{ containerInstance: ContainerInstance & { registeredAt: number } }>(
        ecs(
          'register-container-instance --cluster edge --total-resources',
          JSON.stringify(RESOURCES),
          '--attributes',
          'name=ecs.os-type,value=linux',
          'name=ecs.capability.external',
          'name=site,value=factory 1',
          '--version-info',
          'agentVersion=1.105.1,agentHash=abc123,dockerVersion=24.0.7',
          '--instance-identity-document',
          '{"instanceId": "mi-0123456789abcdef0"}',
          '--tags',
          'key=team,value=plant',
        ),
      );
      const i = out.containerInstance;
      assert.match(
        i.containerInstanceArn ?? '',
        /^arn:aws:ecs:us-east-1:123456789012:container-instance\/edge\/[0-9a-f]{32}$/,
      );
      assert.equal(i.status, 'ACTIVE');
      assert.equal(i.agentConnected, false);
      assert.equal(i.version, 1);
      assert.equal(i.ec2InstanceId, 'mi-0123456789abcdef0');
      assert.deepEqual(i.attributes, [
        { name: 'ecs.os-type', value: 'linux' },
        { name: 'ecs.capability.external' },
        { name: 'site', value: 'factory 1' },
      ]);
      assert.deepEqual(i.remainingResources, i.registeredResources);
      assert.equal(resourceOf(i, 'CPU', 'registered')?.integerValue, 2048);
      assert.deepEqual(resourceOf(i, 'PORTS', 'registered')?.stringSetValue, RESOURCES[2]?.stringSetValue);
      assert.deepEqual(i.versionInfo, {
        agentVersion: '1.105.1',
        agentHash: 'abc123',
        dockerVersion: '24.0.7',
      });
      assert.equal(i.runningTasksCount, 0);
      assert.equal(i.pendingTasksCount, 0);
      assert.deepEqual(i.attachments, []);
      assert.equal(i.capacityProviderName, undefined);
      assert.deepEqual(i.tags, [{ key: 'team', value: 'plant' }]);
      assert.ok(Math.abs(i.registeredAt * 1000 - Date.now()) < 60_000);
      const cluster = await t.ecs.send(new DescribeClustersCommand({ clusters: ['edge'] }));
      assert.equal(cluster.clusters?.[0]?.registeredContainerInstancesCount, 1);
    });

    it('echoes every attribute the agent sends, as the agent checks, and shows GPUs as a resource', async () => {
      const i = await register({ platformDevices: [{ id: 'GPU-0', type: 'GPU' }] });
      assertEchoed(AGENT_ATTRIBUTES, i.attributes);
      assert.equal(i.attributes?.length, AGENT_ATTRIBUTES.length);
      assert.deepEqual(resourceOf(i, 'GPU', 'registered')?.stringSetValue, ['GPU-0']);
      assert.equal(i.ec2InstanceId, undefined);
    });

    it('re-registers the same instance after an agent restart, keeping status and custom attributes', async () => {
      const first = await register({ attributes: [...AGENT_ATTRIBUTES, { name: 'rack', value: 'r7' }] });
      const arn = first.containerInstanceArn;
      await t.ecs.send(
        new PutAttributesCommand({
          cluster: 'edge',
          attributes: [{ name: 'zone', value: 'north', targetId: arn }],
        }),
      );
      await t.ecs.send(
        new UpdateContainerInstancesStateCommand({
          cluster: 'edge',
          containerInstances: [arn ?? ''],
          status: 'DRAINING',
        }),
      );
      const resent = AGENT_ATTRIBUTES.filter((a) => a.name !== 'ecs.capability.container-health-check');
      const again = await register({
        containerInstanceArn: arn,
        attributes: resent,
        totalResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: 4096 },
          { name: 'MEMORY', type: 'INTEGER', integerValue: 7900 },
        ],
        versionInfo: { agentVersion: '1.106.0' },
      });
      assert.equal(again.containerInstanceArn, arn);
      assert.equal(again.status, 'DRAINING');
      assert.equal(again.version, 4);
      assert.deepEqual(again.registeredAt, first.registeredAt);
      assert.equal(again.versionInfo?.agentVersion, '1.106.0');
      assert.equal(resourceOf(again, 'CPU', 'remaining')?.integerValue, 4096);
      assertEchoed(
        [...resent, { name: 'rack', value: 'r7' }, { name: 'zone', value: 'north' }],
        again.attributes,
      );
      const names = again.attributes?.map((a) => a.name);
      assert.ok(
        !names?.includes('ecs.capability.container-health-check'),
        'a capability no longer sent is gone',
      );
    });

    it('refuses to re-register an unknown, foreign or deregistered instance', async () => {
      const unknown = arns.containerInstance('edge', 'f'.repeat(32));
      await failure(
        register({ containerInstanceArn: unknown }),
        'ClientException',
        'was not found in cluster edge',
      );
      const inLab = await register({ cluster: 'lab' });
      await failure(
        register({ containerInstanceArn: inLab.containerInstanceArn }),
        'ClientException',
        'not found',
      );
      const gone = await register();
      await t.ecs.send(
        new DeregisterContainerInstanceCommand({
          cluster: 'edge',
          containerInstance: gone.containerInstanceArn,
        }),
      );
      await failure(
        register({ containerInstanceArn: gone.containerInstanceArn }),
        'ClientException',
        'is inactive',
      );
    });

    it('needs an existing cluster, the default one when none is named', async () => {
      await failure(register({ cluster: 'nowhere' }), 'ClusterNotFoundException');
      await failure(register({ cluster: undefined }), 'ClusterNotFoundException');
      const r = await t.aws(ecs('register-container-instance --total-resources', JSON.stringify(RESOURCES)));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /ClusterNotFoundException/);
    });

    const ports = (values: string[]): RegisterContainerInstanceRequest => ({
      totalResources: [
        ...RESOURCES.slice(0, 2),
        { name: 'PORTS', type: 'STRINGSET', stringSetValue: values },
      ],
    });
    const withAttributes = (...extra: Attribute[]): RegisterContainerInstanceRequest => ({
      attributes: [...AGENT_ATTRIBUTES, ...extra],
    });
    const manyPorts = Array.from({ length: 101 }, (_, i) => String(10000 + i));
    const custom = Array.from({ length: 11 }, (_, i) => ({ name: `c${i}`, value: 'v' }));
    // Each rule is unit-tested in resources.test.ts; these show that a request breaking one is refused whole.
    const bad: [string, RegisterContainerInstanceRequest, string][] = [
      ['no resources', { totalResources: [] }, 'must include CPU'],
      ['a port that is no port', ports(['22', 'http']), "'http', which is not a port"],
      ['101 reserved ports', ports(manyPorts), 'at most 100'],
      ['a bad attribute name', withAttributes({ name: 'my attr', value: 'x' }), "name 'my attr'"],
      ['a 129-character attribute name', withAttributes({ name: 'a'.repeat(129) }), 'Invalid attribute name'],
      ['a value with a leading space', withAttributes({ name: 'site', value: ' x' }), "can't start or end"],
      ['a value with a bad character', withAttributes({ name: 'site', value: 'a#b' }), "Invalid value 'a#b'"],
      ['11 custom attributes', withAttributes(...custom), 'at most 10 custom attributes'],
      ['an identity document that is not JSON', { instanceIdentityDocument: '{nope' }, 'not valid JSON'],
      [
        'an identity document without instanceId',
        { instanceIdentityDocument: '{}' },
        "needs an 'instanceId'",
      ],
      ['a reserved tag key', { tags: [{ key: 'aws:owner', value: 'x' }] }, 'reserved'],
      [
        'a platform device of another type',
        { platformDevices: [{ id: 'x', type: 'FPGA' as 'GPU' }] },
        'FPGA',
      ],
    ];
    for (const [label, input, fragment] of bad) {
      it(`refuses ${label}`, async () => {
        await failure(register(input), 'InvalidParameterException', fragment);
      });
    }

    it('refuses a resource value of the wrong JSON type', async () => {
      const cpu = { name: 'CPU', type: 'INTEGER', integerValue: 'lots' as unknown as number };
      await failure(register({ totalResources: [cpu] }), 'SerializationException');
    });

    it('reports bad input through the CLI', async () => {
      const r = await t.aws(
        ecs(
          'register-container-instance --cluster edge --total-resources',
          JSON.stringify(RESOURCES),
          '--attributes',
          'name=bad!name',
        ),
      );
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /InvalidParameterException.*Invalid attribute name 'bad!name'/);
    });
  });

  describe('DescribeContainerInstances', () => {
    let busy: ContainerInstance;
    before(async () => {
      busy = await register({ tags: [{ key: 'role', value: 'busy' }] });
      const arn = busy.containerInstanceArn ?? '';
      const store = t.server.store;
      await store.tasks.put(task('edge', arn, { group: 'service:web' }));
      await store.tasks.put(
        task('edge', arn, { lastStatus: 'PENDING', cpu: '128', memory: '128', containers: [] }),
      );
      await store.tasks.put(task('edge', arn, { desiredStatus: 'STOPPED', lastStatus: 'STOPPED' }));
    });

    it('derives task counts and remaining resources from the tasks on the instance (CLI)', async () => {
      const out = await t.awsJson<{ containerInstances: ContainerInstance[]; failures: unknown[] }>(
        ecs(
          'describe-container-instances --cluster edge --container-instances',
          busy.containerInstanceArn ?? '',
        ),
      );
      const i = out.containerInstances[0];
      assert.equal(i?.runningTasksCount, 2);
      assert.equal(i?.pendingTasksCount, 1);
      assert.equal(resourceOf(i, 'CPU', 'remaining')?.integerValue, 2048 - 256 - 128);
      assert.equal(resourceOf(i, 'MEMORY', 'remaining')?.integerValue, 3768 - 512 - 128);
      assert.ok(resourceOf(i, 'PORTS', 'remaining')?.stringSetValue?.includes('8080'));
      assert.ok(!resourceOf(i, 'PORTS', 'registered')?.stringSetValue?.includes('8080'));
      assert.equal(i?.tags, undefined);
      assert.equal(i?.healthStatus, undefined);
    });

    it('accepts ids and ARNs, reports unknown ones as MISSING, and includes tags and health on request', async () => {
      const id = busy.containerInstanceArn?.split('/').pop() ?? '';
      const foreign = arns.containerInstance('lab', id);
      const out = await t.ecs.send(
        new DescribeContainerInstancesCommand({
          cluster: 'edge',
          containerInstances: [id, 'nope', foreign],
          include: ['TAGS', 'CONTAINER_INSTANCE_HEALTH'],
        }),
      );
      assert.equal(out.containerInstances?.[0]?.containerInstanceArn, busy.containerInstanceArn);
      assert.deepEqual(out.containerInstances?.[0]?.tags, [{ key: 'role', value: 'busy' }]);
      assert.deepEqual(out.containerInstances?.[0]?.healthStatus, {
        overallStatus: 'INSUFFICIENT_DATA',
        details: [],
      });
      assert.deepEqual(out.failures, [
        { arn: arns.containerInstance('edge', 'nope'), reason: 'MISSING' },
        { arn: foreign, reason: 'MISSING' },
      ]);
    });

    it('refuses an empty or oversized list, an unknown include and an unknown cluster', async () => {
      const send = (containerInstances: string[], extra = {}) =>
        t.ecs.send(new DescribeContainerInstancesCommand({ cluster: 'edge', containerInstances, ...extra }));
      await failure(send([]), 'InvalidParameterException', 'can not be empty');
      await failure(
        send(Array.from({ length: 101 }, (_, i) => `id${i}`)),
        'InvalidParameterException',
        'at most 100',
      );
      await failure(send(['x'], { include: ['EVERYTHING'] }), 'InvalidParameterException');
      await failure(send(['x'], { cluster: 'nowhere' }), 'ClusterNotFoundException');
      const r = await t.aws(['ecs', 'describe-container-instances', '--cluster', 'edge']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /container-instances/);
    });
  });

  describe('ListContainerInstances', () => {
    const fleet: string[] = [];
    before(async () => {
      // A cluster of its own, so the other tests' instances don't show up in these lists.
      await t.ecs.send(new CreateClusterCommand({ clusterName: 'fleet' }));
      for (let n = 0; n < 7; n++) {
        const i = await register({
          cluster: 'fleet',
          attributes: [...AGENT_ATTRIBUTES, { name: 'site', value: n % 2 === 0 ? 'north' : 'south' }],
          instanceIdentityDocument: JSON.stringify({ instanceId: `mi-0000000000000000${n}` }),
        });
        fleet.push(i.containerInstanceArn ?? '');
      }
      await t.server.store.tasks.put(task('fleet', fleet[3] ?? '', { group: 'service:ingest' }));
    });
    const fleetList = async (extra: string[]) =>
      (
        await t.awsJson<{ containerInstanceArns: string[] }>(
          ecs('list-container-instances --cluster fleet', ...extra),
        )
      ).containerInstanceArns;
    const north = () => fleet.filter((_, n) => n % 2 === 0).sort();

    it('filters with the cluster query language (CLI)', async () => {
      assert.deepEqual(await fleetList(['--filter', 'attribute:ecs.os-type == linux']), [...fleet].sort());
      assert.deepEqual(await fleetList(['--filter', 'attribute:site == north']), north());
      assert.deepEqual(
        await fleetList(['--filter', 'ec2InstanceId in [mi-00000000000000001, mi-00000000000000005]']),
        [fleet[1], fleet[5]].sort(),
      );
      assert.deepEqual(await fleetList(['--filter', 'task:group == service:ingest']), [fleet[3]]);
      assert.deepEqual(await fleetList(['--filter', 'runningTasksCount > 0 or attribute:site == nowhere']), [
        fleet[3],
      ]);
      assert.deepEqual(
        await fleetList(['--filter', 'agentVersion >= 1.100.0 and not agentConnected == true']),
        [...fleet].sort(),
      );
      assert.deepEqual(await fleetList(['--filter', 'attribute:ecs.cpu-architecture == arm64']), []);
    });

    it('pages a filtered list correctly, with the SDK and with the CLI', async () => {
      const seen: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const out = await t.ecs.send(
          new ListContainerInstancesCommand({
            cluster: 'fleet',
            filter: 'attribute:site == north',
            maxResults: 1,
            nextToken,
          }),
        );
        seen.push(...(out.containerInstanceArns ?? []));
        nextToken = out.nextToken;
        pages++;
      } while (nextToken !== undefined);
      assert.deepEqual(seen, north());
      assert.equal(pages, north().length, 'no empty trailing page');
      assert.deepEqual(await fleetList(['--filter', 'attribute:site == north', '--page-size', '3']), north());
      assert.deepEqual(await fleetList(['--page-size', '2']), [...fleet].sort());
    });

    it('lists ACTIVE and DRAINING instances by default, never INACTIVE ones', async () => {
      const [draining, gone] = [fleet[0] ?? '', fleet[6] ?? ''];
      await t.aws(
        ecs(
          'update-container-instances-state --cluster fleet --container-instances',
          draining,
          '--status',
          'DRAINING',
        ),
      );
      await t.aws(ecs('deregister-container-instance --cluster fleet --container-instance', gone));
      const all = await fleetList([]);
      assert.ok(all.includes(draining));
      assert.ok(!all.includes(gone));
      assert.deepEqual(await fleetList(['--status', 'DRAINING']), [draining]);
      assert.equal((await fleetList(['--status', 'ACTIVE'])).length, fleet.length - 2);
    });

    it('explains a bad filter, naming where it went wrong', async () => {
      const r = await t.aws(
        ecs('list-container-instances --cluster fleet --filter', 'attribute:site xyz north'),
      );
      assert.notEqual(r.code, 0);
      assert.match(
        r.stderr,
        /InvalidParameterException\).*Invalid filter expression: .*'xyz' at position 15/,
      );
      await failure(
        t.ecs.send(new ListContainerInstancesCommand({ cluster: 'fleet', filter: 'attribute:a == b and (' })),
        'InvalidParameterException',
        /^Invalid filter expression: .* at position \d+/,
      );
      await failure(
        t.ecs.send(
          new ListContainerInstancesCommand({
            cluster: 'fleet',
            filter: `attribute:a in [${'x,'.repeat(1000)}y]`,
          }),
        ),
        'InvalidParameterException',
        'too long',
      );
    });

    it('refuses bad statuses, page sizes and tokens, and unknown clusters', async () => {
      const send = (input: object) =>
        t.ecs.send(new ListContainerInstancesCommand({ cluster: 'fleet', ...input }));
      await failure(send({ status: 'INACTIVE' }), 'InvalidParameterException', 'INACTIVE');
      await failure(send({ maxResults: 0 }), 'InvalidParameterException');
      await failure(send({ maxResults: 101 }), 'InvalidParameterException');
      await failure(send({ nextToken: 'garbage' }), 'InvalidParameterException', 'nextToken');
      await failure(send({ cluster: 'nowhere' }), 'ClusterNotFoundException');
    });
  });

  describe('UpdateContainerInstancesState', () => {
    it('drains an ACTIVE instance and activates it again, bumping its version (CLI)', async () => {
      const i = await register();
      const arn = i.containerInstanceArn ?? '';
      const drain = await t.awsJson<{ containerInstances: ContainerInstance[]; failures: unknown[] }>(
        ecs(
          'update-container-instances-state --cluster edge --container-instances',
          arn,
          '--status',
          'DRAINING',
        ),
      );
      assert.equal(drain.containerInstances[0]?.status, 'DRAINING');
      assert.equal(drain.containerInstances[0]?.version, 2);
      assert.deepEqual(drain.failures, []);
      const again = await t.ecs.send(
        new UpdateContainerInstancesStateCommand({
          cluster: 'edge',
          containerInstances: [arn],
          status: 'DRAINING',
        }),
      );
      assert.equal(again.containerInstances?.[0]?.version, 2, 'no change, no new version');
      const back = await t.ecs.send(
        new UpdateContainerInstancesStateCommand({
          cluster: 'edge',
          containerInstances: [arn],
          status: 'ACTIVE',
        }),
      );
      assert.equal(back.containerInstances?.[0]?.status, 'ACTIVE');
      assert.equal((await describeOne(arn))?.version, 3);
    });

    it('reports unknown and deregistered instances in failures, and updates the rest', async () => {
      const ok = await register();
      const gone = await register();
      await t.ecs.send(
        new DeregisterContainerInstanceCommand({
          cluster: 'edge',
          containerInstance: gone.containerInstanceArn,
        }),
      );
      const out = await t.ecs.send(
        new UpdateContainerInstancesStateCommand({
          cluster: 'edge',
          containerInstances: [ok.containerInstanceArn ?? '', gone.containerInstanceArn ?? '', 'missing'],
          status: 'DRAINING',
        }),
      );
      assert.deepEqual(
        out.containerInstances?.map((i) => i.status),
        ['DRAINING'],
      );
      assert.deepEqual(
        out.failures?.map((f) => [f.arn, f.reason]),
        [
          [gone.containerInstanceArn, 'INACTIVE'],
          [arns.containerInstance('edge', 'missing'), 'MISSING'],
        ],
      );
      assert.equal((await describeOne(gone.containerInstanceArn))?.status, 'INACTIVE');
    });

    it('refuses statuses other than ACTIVE and DRAINING, and batches over 10', async () => {
      const send = (status: string, containerInstances = ['x']) =>
        t.ecs.send(
          new UpdateContainerInstancesStateCommand({
            cluster: 'edge',
            containerInstances,
            status: status as 'ACTIVE',
          }),
        );
      await failure(send('REGISTERING'), 'InvalidParameterException', 'only be set to ACTIVE or DRAINING');
      await failure(send('INACTIVE'), 'InvalidParameterException');
      await failure(
        send(
          'DRAINING',
          Array.from({ length: 11 }, (_, n) => `i${n}`),
        ),
        'InvalidParameterException',
        'at most 10',
      );
      await failure(send('DRAINING', []), 'InvalidParameterException', 'can not be empty');
      await failure(
        t.ecs.send(
          new UpdateContainerInstancesStateCommand({ cluster: 'edge', containerInstances: ['x'] } as never),
        ),
        'InvalidParameterException',
        'status',
      );
    });
  });

  describe('DeregisterContainerInstance', () => {
    it('refuses while tasks run, unless forced; the instance turns INACTIVE and loses its tags (CLI)', async () => {
      const i = await register({ tags: [{ key: 'team', value: 'x' }] });
      const arn = i.containerInstanceArn ?? '';
      await t.server.store.tasks.put(task('edge', arn));
      const refused = await t.aws(
        ecs('deregister-container-instance --cluster edge --container-instance', arn),
      );
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /InvalidParameterException\).*Found running tasks on the instance/);
      const before = (await list()).length;
      const out = await t.awsJson<{ containerInstance: ContainerInstance }>(
        ecs('deregister-container-instance --cluster edge --container-instance', arn, '--force'),
      );
      assert.equal(out.containerInstance.status, 'INACTIVE');
      assert.equal(out.containerInstance.agentConnected, false);
      assert.equal(out.containerInstance.version, 2);
      const described = await describeOne(arn, ['TAGS']);
      assert.equal(described?.status, 'INACTIVE');
      assert.deepEqual(described?.tags, []);
      assert.equal((await list()).length, before - 1);
      const again = await t.ecs.send(
        new DeregisterContainerInstanceCommand({ cluster: 'edge', containerInstance: arn }),
      );
      assert.equal(again.containerInstance?.version, 2, 'deregistering twice changes nothing');
    });

    it('deregisters an idle instance by id', async () => {
      const i = await register();
      const id = i.containerInstanceArn?.split('/').pop();
      const out = await t.ecs.send(
        new DeregisterContainerInstanceCommand({ cluster: 'edge', containerInstance: id }),
      );
      assert.equal(out.containerInstance?.status, 'INACTIVE');
    });

    it('refuses unknown instances, instances of another cluster, and a missing parameter', async () => {
      const send = (containerInstance?: string, cluster = 'edge') =>
        t.ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance }));
      await failure(send('f'.repeat(32)), 'InvalidParameterException', 'not found in cluster edge');
      const inLab = await register({ cluster: 'lab' });
      await failure(send(inLab.containerInstanceArn), 'InvalidParameterException', 'not found');
      await failure(send(undefined), 'InvalidParameterException', 'containerInstance');
      await failure(send('x', 'nowhere'), 'ClusterNotFoundException');
    });
  });
});

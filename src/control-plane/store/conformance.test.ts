/**
 * The store conformance suite: what every backend must do, run against each of them. A new backend
 * (PostgreSQL) joins by adding an entry to BACKENDS.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TaskDefinitionStatus } from '@aws-sdk/client-ecs';
import type { InstanceRecord } from '../../domain/instance-record.js';
import { EMPTY_SERVICE_STATE, type ServiceRecord } from '../../domain/service-record.js';
import type { TaskRecord } from '../../domain/task-record.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { StateChangeRecord, Store } from './types.js';

interface Backend {
  readonly name: string;
  /** Opens a store; opening the same `place` again must see everything committed before. */
  open(place: string): Promise<Store>;
  newPlace(): string;
  dispose(place: string): void;
}

const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    open: (place) => openSqliteStore(join(place, 'berth.db')),
    newPlace: () => mkdtempSync(join(tmpdir(), 'berth-store-')),
    dispose: (place) => rmSync(place, { recursive: true, force: true }),
  },
];

const A = 'arn:aws:ecs:us-east-1:123456789012';

function task(id: string, patch: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskArn: `${A}:task/c1/${id}`,
    clusterArn: `${A}:cluster/c1`,
    taskDefinitionArn: `${A}:task-definition/web:3`,
    containerInstanceArn: `${A}:container-instance/c1/i9`,
    version: 1,
    containers: [],
    desiredStatus: 'RUNNING',
    lastStatus: 'PENDING',
    launchType: 'EXTERNAL',
    createdAt: new Date(1_700_000_000_123),
    ...patch,
  };
}

function instance(containerInstanceArn: string): InstanceRecord {
  return {
    containerInstanceArn,
    status: 'ACTIVE',
    agentConnected: false,
    version: 1,
    registeredAt: new Date(1_700_000_000_000),
    registeredResources: [],
    attributes: [],
  };
}

for (const backend of BACKENDS) {
  describe(`store conformance: ${backend.name}`, () => {
    let place: string;
    let store: Store;
    before(async () => {
      place = backend.newPlace();
      store = await backend.open(place);
    });
    after(async () => {
      await store.close();
      backend.dispose(place);
    });

    it('keeps clusters and lists only ACTIVE ones, in ARN order, page by page', async () => {
      for (const name of ['b', 'a', 'd', 'c']) {
        await store.clusters.put({ clusterArn: `${A}:cluster/${name}`, clusterName: name, status: 'ACTIVE' });
      }
      await store.clusters.put({ clusterArn: `${A}:cluster/c`, clusterName: 'c', status: 'INACTIVE' });
      const first = await store.clusters.listActive({ limit: 2 });
      assert.deepEqual(
        first.items.map((c) => c.clusterName),
        ['a', 'b'],
      );
      assert.ok(first.nextKey !== undefined);
      const second = await store.clusters.listActive({ limit: 2, after: first.nextKey });
      assert.deepEqual(
        second.items.map((c) => c.clusterName),
        ['d'],
      );
      assert.equal(second.nextKey, undefined);
      assert.equal((await store.clusters.get(`${A}:cluster/c`))?.status, 'INACTIVE');
      assert.equal(await store.clusters.get(`${A}:cluster/zz`), undefined);
    });

    it('round-trips dates inside documents', async () => {
      await store.tasks.put(task('dates', { startedAt: new Date(1_700_000_100_456) }));
      const got = await store.tasks.get(`${A}:task/c1/dates`);
      assert.ok(got?.createdAt instanceof Date);
      assert.equal(got.createdAt.getTime(), 1_700_000_000_123);
      assert.equal(got.startedAt?.getTime(), 1_700_000_100_456);
    });

    it('never reuses a task definition revision, even under concurrency', async () => {
      const revisions = await Promise.all(
        Array.from({ length: 20 }, () =>
          store.transaction((tx) => tx.taskDefinitions.reserveRevision('fam')),
        ),
      );
      assert.deepEqual(
        [...revisions].sort((x, y) => x - y),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      assert.equal(await store.taskDefinitions.reserveRevision('other'), 1);
    });

    it('orders task definitions by family, then numeric revision, both ways, with exact prefixes', async () => {
      const defs: [string, number, TaskDefinitionStatus][] = [
        ['web', 2, 'ACTIVE'],
        ['web', 10, 'ACTIVE'],
        ['web', 9, 'INACTIVE'],
        ['web_x', 1, 'ACTIVE'],
        ['Web', 1, 'ACTIVE'],
        ['api', 1, 'INACTIVE'],
      ];
      for (const [family, revision, status] of defs) {
        await store.taskDefinitions.put({
          taskDefinitionArn: `${A}:task-definition/${family}:${revision}`,
          family,
          revision,
          status,
        });
      }
      const arns = async (prefix: string | undefined, status: string | undefined, desc: boolean) =>
        (await store.taskDefinitions.list({ familyPrefix: prefix, status }, desc, { limit: 100 })).items.map(
          (d) => `${d.family}:${d.revision}`,
        );
      assert.deepEqual(await arns('web', undefined, false), ['web:2', 'web:9', 'web:10', 'web_x:1']);
      assert.deepEqual(await arns('web', 'ACTIVE', true), ['web_x:1', 'web:10', 'web:2']);
      assert.deepEqual(await arns('we%', undefined, false), []);
      assert.deepEqual(await arns('Web', undefined, false), ['Web:1']);
      const page1 = await store.taskDefinitions.list({ familyPrefix: 'web' }, false, { limit: 3 });
      const page2 = await store.taskDefinitions.list({ familyPrefix: 'web' }, false, {
        limit: 3,
        after: page1.nextKey,
      });
      assert.deepEqual(
        page2.items.map((d) => d.revision),
        [1],
      );
      assert.equal((await store.taskDefinitions.latestActive('web'))?.revision, 10);
      assert.equal(await store.taskDefinitions.latestActive('api'), undefined);
      const families = await store.taskDefinitions.listFamilies(undefined, 'ACTIVE', { limit: 100 });
      assert.deepEqual(families.items, ['Web', 'web', 'web_x']);
    });

    it('filters and counts container instances and tasks', async () => {
      const cluster = `${A}:cluster/c1`;
      for (const [id, status, ec2] of [
        ['i1', 'ACTIVE', 'mi-00000000000000001'],
        ['i2', 'DRAINING', 'mi-00000000000000002'],
        ['i3', 'INACTIVE', 'mi-00000000000000003'],
      ] as const) {
        await store.containerInstances.put(cluster, {
          ...instance(`${A}:container-instance/c1/${id}`),
          status,
          ec2InstanceId: ec2,
        });
      }
      assert.equal(
        await store.containerInstances.count({ clusterArn: cluster, statuses: ['ACTIVE', 'DRAINING'] }),
        2,
      );
      assert.equal(await store.containerInstances.count({ clusterArn: `${A}:cluster/other` }), 0);
      const found = await store.containerInstances.findByEc2InstanceId(cluster, 'mi-00000000000000002');
      assert.equal(found?.status, 'DRAINING');
      assert.equal(
        await store.containerInstances.findByEc2InstanceId(cluster, 'mi-00000000000000003'),
        undefined,
      );

      await store.tasks.put(
        task('t1', { containerInstanceArn: `${A}:container-instance/c1/i1`, startedBy: 'me' }),
      );
      await store.tasks.put(task('t2', { lastStatus: 'RUNNING', group: 'service:web' }));
      await store.tasks.put(task('t3', { desiredStatus: 'STOPPED', lastStatus: 'STOPPED' }));
      assert.equal(await store.tasks.count({ clusterArn: cluster, desiredStatus: 'RUNNING' }), 3); // t1, t2, dates
      assert.equal(await store.tasks.count({ clusterArn: cluster, lastStatus: 'RUNNING' }), 1);
      const byInstance = await store.tasks.list(
        { clusterArn: cluster, containerInstanceArn: `${A}:container-instance/c1/i1` },
        { limit: 10 },
      );
      assert.deepEqual(
        byInstance.items.map((t) => t.taskArn),
        [`${A}:task/c1/t1`],
      );
      assert.equal(await store.tasks.count({ clusterArn: cluster, startedBy: 'me', family: 'web' }), 1);
      assert.equal(await store.tasks.count({ clusterArn: cluster, group: 'service:web' }), 1);
      assert.equal(await store.tasks.count({ clusterArn: cluster, family: 'we' }), 0);
    });

    it('deletes only STOPPED tasks that stopped before a time, up to a limit', async () => {
      const stoppedAt = (ms: number): Partial<TaskRecord> => ({
        desiredStatus: 'STOPPED',
        lastStatus: 'STOPPED',
        stoppedAt: new Date(ms),
      });
      await store.tasks.put(task('purge-old-1', stoppedAt(1_000)));
      await store.tasks.put(
        task('purge-old-2', {
          ...stoppedAt(2_000),
          taskArn: `${A}:task/c2/purge-old-2`,
          clusterArn: `${A}:cluster/c2`,
        }),
      );
      await store.tasks.put(task('purge-new', stoppedAt(9_000)));
      await store.tasks.put(task('purge-running', { lastStatus: 'RUNNING', createdAt: new Date(500) }));
      // No stoppedAt: its executionStoppedAt counts.
      await store.tasks.put(
        task('purge-exec', { lastStatus: 'STOPPED', executionStoppedAt: new Date(3_000) }),
      );
      const first = await store.tasks.deleteStoppedBefore(new Date(5_000), 2);
      assert.equal(first.length, 2);
      const second = await store.tasks.deleteStoppedBefore(new Date(5_000), 10);
      assert.deepEqual([...first, ...second].sort(), [
        `${A}:task/c1/purge-exec`,
        `${A}:task/c1/purge-old-1`,
        `${A}:task/c2/purge-old-2`,
      ]);
      assert.ok(await store.tasks.get(`${A}:task/c1/purge-new`));
      assert.ok(await store.tasks.get(`${A}:task/c1/purge-running`));
      assert.equal(await store.tasks.get(`${A}:task/c1/purge-old-1`), undefined);
    });

    it('adds, overwrites and removes tags', async () => {
      const arn = `${A}:cluster/tagged`;
      await store.tags.put(arn, [
        { key: 'b', value: '1' },
        { key: 'a', value: '' },
      ]);
      await store.tags.put(arn, [{ key: 'b', value: '2' }]);
      assert.deepEqual(await store.tags.list(arn), [
        { key: 'a', value: '' },
        { key: 'b', value: '2' },
      ]);
      await store.tags.remove(arn, ['a', 'missing']);
      assert.deepEqual(await store.tags.list(arn), [{ key: 'b', value: '2' }]);
    });

    it('keeps access keys with their expiry', async () => {
      const expiresAt = new Date(1_800_000_000_000);
      await store.accessKeys.put({
        accessKeyId: 'ASIATEST',
        encryptedSecret: 'sealed',
        principalArn: 'arn:aws:iam::123456789012:role/x',
        kind: 'instance',
        createdAt: new Date(1_700_000_000_000),
        expiresAt,
        sessionTokenHash: 'ab',
        instanceId: 'mi-0123456789abcdef0',
      });
      const got = await store.accessKeys.get('ASIATEST');
      assert.equal(got?.expiresAt?.getTime(), expiresAt.getTime());
      assert.equal(got?.sessionTokenHash, 'ab');
      assert.equal(got?.instanceId, 'mi-0123456789abcdef0');
      assert.equal(await store.accessKeys.countByKind('instance'), 1);
      await store.accessKeys.delete('ASIATEST');
      assert.equal(await store.accessKeys.get('ASIATEST'), undefined);
      await store.accessKeys.put({ ...got, accessKeyId: 'ASIA2' });
      await store.accessKeys.put({ ...got, accessKeyId: 'ASIA3', instanceId: 'mi-other000000000' });
      await store.accessKeys.deleteByInstance('mi-0123456789abcdef0');
      assert.equal(await store.accessKeys.get('ASIA2'), undefined);
      assert.equal((await store.accessKeys.get('ASIA3'))?.instanceId, 'mi-other000000000');
    });

    it('rolls a failed transaction back completely', async () => {
      const arn = `${A}:cluster/rolled-back`;
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.clusters.put({ clusterArn: arn, clusterName: 'rolled-back', status: 'ACTIVE' });
          assert.equal((await tx.clusters.get(arn))?.clusterName, 'rolled-back');
          await tx.tags.put(arn, [{ key: 'k', value: 'v' }]);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await store.clusters.get(arn), undefined);
      assert.deepEqual(await store.tags.list(arn), []);
    });

    it('still has every committed write after being closed and opened again', async () => {
      const arn = `${A}:cluster/durable`;
      await store.transaction(async (tx) => {
        await tx.clusters.put({ clusterArn: arn, clusterName: 'durable', status: 'ACTIVE' });
        await tx.tags.put(arn, [{ key: 'k', value: 'v' }]);
      });
      await store.close();
      store = await backend.open(place);
      assert.equal((await store.clusters.get(arn))?.clusterName, 'durable');
      assert.deepEqual(await store.tags.list(arn), [{ key: 'k', value: 'v' }]);
      assert.equal(await store.taskDefinitions.reserveRevision('fam'), 21);
    });

    it('keeps activations, counts registrations up to the limit, atomically, and filters them', async () => {
      const base = {
        codeHash: 'h',
        iamRole: 'ecsAnywhereRole',
        registrationLimit: 2,
        registrationsCount: 0,
        expirationDate: new Date(1_800_000_000_000),
      };
      const ids = ['00000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-00000000000a'];
      await store.activations.create({ ...base, activationId: ids[0] ?? '', createdDate: new Date(1000) });
      await store.activations.create({
        ...base,
        activationId: ids[1] ?? '',
        createdDate: new Date(2000),
        iamRole: 'other',
        defaultInstanceName: 'edge',
        description: 'second',
      });
      await assert.rejects(
        store.activations.create({ ...base, activationId: ids[0] ?? '', createdDate: new Date(3) }),
      );
      const counted = await Promise.all(
        Array.from({ length: 5 }, () =>
          store.transaction((tx) => tx.activations.countRegistration(ids[0] ?? '')),
        ),
      );
      assert.equal(counted.filter(Boolean).length, 2);
      assert.equal((await store.activations.get(ids[0] ?? ''))?.registrationsCount, 2);
      assert.equal(await store.activations.countRegistration('missing'), false);

      const all = await store.activations.list({}, { limit: 1 });
      assert.deepEqual(
        all.items.map((a) => a.activationId),
        [ids[0]],
      );
      const rest = await store.activations.list({}, { limit: 1, after: all.nextKey });
      assert.equal(rest.items[0]?.description, 'second');
      assert.equal(rest.items[0]?.defaultInstanceName, 'edge');
      assert.equal(rest.nextKey, undefined);
      const byRole = await store.activations.list({ iamRoles: ['other'] }, { limit: 10 });
      assert.deepEqual(
        byRole.items.map((a) => a.activationId),
        [ids[1]],
      );
      assert.equal((await store.activations.list({ activationIds: [] }, { limit: 10 })).items.length, 0);
      assert.equal(
        (
          await store.activations.list(
            { defaultInstanceNames: ['edge'], iamRoles: ['ecsAnywhereRole'] },
            { limit: 10 },
          )
        ).items.length,
        0,
      );
      assert.equal(await store.activations.delete(ids[1] ?? ''), true);
      assert.equal(await store.activations.delete(ids[1] ?? ''), false);
      assert.equal(await store.activations.get(ids[1] ?? ''), undefined);
    });

    it('keeps managed instances, their pings apart, and filters by ping, activation and registration', async () => {
      const mi = (n: number) => `mi-${String(n).padStart(17, '0')}`;
      const base = {
        activationId: 'act-1',
        iamRole: 'ecsAnywhereRole',
        publicKeyType: 'Ed25519',
        fingerprint: 'fp',
        registrationDate: new Date(1_700_000_000_000),
      };
      await store.managedInstances.put({
        ...base,
        instanceId: mi(2),
        publicKey: 'k2',
        agentVersion: '1.0.0',
      });
      await store.managedInstances.put({ ...base, instanceId: mi(1), publicKey: 'k1', computerName: 'h1' });
      await store.managedInstances.put({
        ...base,
        instanceId: mi(3),
        publicKey: 'k3',
        activationId: 'act-2',
      });
      await assert.rejects(store.managedInstances.put({ ...base, instanceId: mi(4), publicKey: 'k1' }));

      assert.equal(await store.managedInstances.recordPing(mi(1), new Date(5000)), true);
      assert.equal(await store.managedInstances.recordPing(mi(9), new Date(5000)), false);
      const one = await store.managedInstances.get(mi(1));
      assert.equal(one?.lastPingDateTime?.getTime(), 5000);
      assert.equal(one?.computerName, 'h1');
      assert.equal(one?.registrationDate.getTime(), 1_700_000_000_000);
      // Rewriting the record (e.g. deregistering it) keeps the ping it did not know about.
      await store.managedInstances.put({ ...base, instanceId: mi(1), publicKey: 'k1', computerName: 'h1b' });
      assert.equal((await store.managedInstances.get(mi(1)))?.lastPingDateTime?.getTime(), 5000);
      assert.equal((await store.managedInstances.findByPublicKey('k2'))?.instanceId, mi(2));

      const ids = async (filter: Parameters<Store['managedInstances']['list']>[0]) =>
        (await store.managedInstances.list(filter, { limit: 10 })).items.map((m) => m.instanceId);
      assert.deepEqual(await ids({}), [mi(1), mi(2), mi(3)]);
      assert.deepEqual(await ids({ activationIds: ['act-2'] }), [mi(3)]);
      assert.deepEqual(await ids({ agentVersions: ['1.0.0'] }), [mi(2)]);
      assert.deepEqual(await ids({ pinged: { since: new Date(4000), online: true } }), [mi(1)]);
      assert.deepEqual(await ids({ pinged: { since: new Date(6000), online: false } }), [
        mi(1),
        mi(2),
        mi(3),
      ]);
      assert.deepEqual(await ids({ pinged: { since: new Date(4000), online: false } }), [mi(2), mi(3)]);

      await store.managedInstances.put({
        ...base,
        instanceId: mi(2),
        publicKey: 'k2',
        deregisteredAt: new Date(9),
      });
      assert.deepEqual(await ids({}), [mi(1), mi(3)]);
      assert.deepEqual(await ids({ includeDeregistered: true, instanceIds: [mi(2)] }), [mi(2)]);
      assert.equal((await store.managedInstances.get(mi(2)))?.deregisteredAt?.getTime(), 9);
      assert.equal(await store.managedInstances.count({ iamRoles: ['ecsAnywhereRole'] }), 2);
      const page = await store.managedInstances.list({}, { limit: 1 });
      assert.deepEqual(
        (await store.managedInstances.list({}, { limit: 1, after: page.nextKey })).items.map(
          (m) => m.instanceId,
        ),
        [mi(3)],
      );
    });

    it('forgets only the expired keys of one instance', async () => {
      const key = {
        encryptedSecret: 'sealed',
        principalArn: 'arn:aws:sts::123456789012:assumed-role/r/mi-0000000000000000a',
        kind: 'instance' as const,
        createdAt: new Date(0),
      };
      const mi = 'mi-0000000000000000a';
      await store.accessKeys.put({
        ...key,
        accessKeyId: 'ASIAOLD',
        instanceId: mi,
        expiresAt: new Date(100),
      });
      await store.accessKeys.put({
        ...key,
        accessKeyId: 'ASIANEW',
        instanceId: mi,
        expiresAt: new Date(300),
      });
      await store.accessKeys.put({
        ...key,
        accessKeyId: 'ASIAOTHER',
        instanceId: 'mi-0000000000000000b',
        expiresAt: new Date(100),
      });
      assert.equal(await store.accessKeys.deleteExpiredByInstance(mi, new Date(200)), 1);
      assert.equal(await store.accessKeys.get('ASIAOLD'), undefined);
      assert.ok(await store.accessKeys.get('ASIANEW'));
      assert.ok(await store.accessKeys.get('ASIAOTHER'));
    });

    it('lists the tasks of a cluster that have not stopped', async () => {
      const cluster = `${A}:cluster/c9`;
      const inC9 = { clusterArn: cluster, taskDefinitionArn: `${A}:task-definition/web:1` };
      await store.tasks.put(task('n1', { ...inC9, taskArn: `${A}:task/c9/n1`, lastStatus: 'PENDING' }));
      await store.tasks.put(
        task('n2', { ...inC9, taskArn: `${A}:task/c9/n2`, lastStatus: 'RUNNING', desiredStatus: 'STOPPED' }),
      );
      await store.tasks.put(
        task('n3', { ...inC9, taskArn: `${A}:task/c9/n3`, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }),
      );
      const live = await store.tasks.list({ clusterArn: cluster, lastStatusNot: 'STOPPED' }, { limit: 10 });
      assert.deepEqual(
        live.items.map((t) => t.taskArn),
        [`${A}:task/c9/n1`, `${A}:task/c9/n2`],
      );
      assert.equal(await store.tasks.count({ clusterArn: cluster, lastStatusNot: 'PENDING' }), 2);
    });

    it('keeps services with their internal state, filters by status and strategy, page by page', async () => {
      const cluster = `${A}:cluster/svc`;
      const service = (name: string, patch: Partial<ServiceRecord> = {}): ServiceRecord => ({
        serviceArn: `${A}:service/svc/${name}`,
        serviceName: name,
        clusterArn: cluster,
        status: 'ACTIVE',
        schedulingStrategy: 'REPLICA',
        launchType: 'EXTERNAL',
        desiredCount: 1,
        runningCount: 0,
        pendingCount: 0,
        taskDefinition: `${A}:task-definition/web:1`,
        deployments: [],
        events: [],
        createdAt: new Date(1_700_000_000_000),
        controller: EMPTY_SERVICE_STATE,
        ...patch,
      });
      const state = { ...EMPTY_SERVICE_STATE, conditions: { steady: 1_700_000_000_500 } };
      await store.services.put(service('b', { controller: state }));
      await store.services.put(service('a', { status: 'DRAINING' }));
      await store.services.put(service('c', { schedulingStrategy: 'DAEMON' }));
      await store.services.put(service('d', { status: 'INACTIVE' }));
      assert.deepEqual(await store.services.get(`${A}:service/svc/b`), service('b', { controller: state }));
      assert.equal(await store.services.get(`${A}:service/svc/zz`), undefined);
      const first = await store.services.list(
        { clusterArn: cluster, statuses: ['ACTIVE', 'DRAINING'] },
        { limit: 2 },
      );
      assert.deepEqual(
        first.items.map((s) => s.serviceName),
        ['a', 'b'],
      );
      assert.ok(first.nextKey !== undefined);
      const second = await store.services.list(
        { clusterArn: cluster, statuses: ['ACTIVE', 'DRAINING'] },
        { limit: 2, after: first.nextKey },
      );
      assert.deepEqual(
        second.items.map((s) => s.serviceName),
        ['c'],
      );
      assert.equal(await store.services.count({ clusterArn: cluster, statuses: ['ACTIVE'] }), 2);
      assert.equal(await store.services.count({ clusterArn: cluster, schedulingStrategy: 'DAEMON' }), 1);
      assert.equal(await store.services.count({ clusterArn: cluster, launchType: 'EC2' }), 0);
      // Created again under the name of an INACTIVE one: the record is replaced.
      await store.services.put(service('d', { desiredCount: 3 }));
      assert.equal((await store.services.get(`${A}:service/svc/d`))?.status, 'ACTIVE');
      assert.equal(await store.services.count({ clusterArn: cluster }), 4);
    });

    it('records a client token once per scope, with its result', async () => {
      const record = {
        scope: 'RunTask',
        token: 'token-1',
        requestHash: 'h1',
        resourceIds: [`${A}:task/c1/a`, `${A}:task/c1/b`],
        failures: [{ arn: `${A}:container-instance/c1/i1`, reason: 'RESOURCE:MEMORY' }],
        createdAt: new Date(1_700_000_000_000),
      };
      assert.equal(await store.clientTokens.get('RunTask', 'token-1'), undefined);
      assert.equal(await store.clientTokens.create(record), true);
      assert.deepEqual(await store.clientTokens.get('RunTask', 'token-1'), record);
      // A second writer of the same token loses and changes nothing.
      assert.equal(await store.clientTokens.create({ ...record, requestHash: 'h2', resourceIds: [] }), false);
      assert.equal((await store.clientTokens.get('RunTask', 'token-1'))?.requestHash, 'h1');
      // Tokens are case-sensitive, and scopes keep operations apart.
      assert.equal(await store.clientTokens.get('RunTask', 'TOKEN-1'), undefined);
      assert.equal(await store.clientTokens.create({ ...record, scope: 'CreateService' }), true);
    });

    it('filters container instances by agentConnected (no flag counts as false)', async () => {
      const cluster = `${A}:cluster/flags`;
      const put = (id: string, agentConnected?: boolean) => {
        const { agentConnected: _flag, ...withoutFlag } = instance(`${A}:container-instance/flags/${id}`);
        // A document without the flag, as tools that wrote instances directly left them.
        return store.containerInstances.put(
          cluster,
          agentConnected === undefined ? (withoutFlag as InstanceRecord) : { ...withoutFlag, agentConnected },
        );
      };
      await put('a', true);
      await put('b', false);
      await put('c');
      const ids = async (agentConnected: boolean) =>
        (
          await store.containerInstances.list({ clusterArn: cluster, agentConnected }, { limit: 10 })
        ).items.map((i) => i.containerInstanceArn?.split('/').pop());
      assert.deepEqual(await ids(true), ['a']);
      assert.deepEqual(await ids(false), ['b', 'c']);
      assert.equal(
        await store.containerInstances.count({
          clusterArn: cluster,
          statuses: ['ACTIVE'],
          agentConnected: false,
        }),
        2,
      );
    });

    const change = (instance: string, seq: number, taskId: string): StateChangeRecord => ({
      containerInstanceArn: `${A}:container-instance/c1/${instance}`,
      seq,
      taskArn: `${A}:task/c1/${taskId}`,
      clusterArn: `${A}:cluster/c1`,
      status: 'RUNNING',
      containers: [{ containerName: 'web', status: 'RUNNING', restartCount: seq }],
      at: new Date(1_700_000_000_000 + seq),
      receivedAt: new Date(1_700_000_100_000 + seq),
    });

    it('records each state change once per (instance, seq), and lists them in seq order by task and instance', async () => {
      const first = change('sc1', 7, 'sc-a');
      assert.equal(await store.stateChanges.record(first), true);
      assert.deepEqual(await store.stateChanges.get(first.containerInstanceArn, 7), first);
      // The same report again changes nothing, whatever it says.
      assert.equal(await store.stateChanges.record({ ...first, status: 'STOPPED' }), false);
      assert.equal((await store.stateChanges.get(first.containerInstanceArn, 7))?.status, 'RUNNING');
      // Another instance's seq 7 is another report; a record without status or reason keeps neither.
      const bare: StateChangeRecord = { ...change('sc2', 7, 'sc-c'), containers: [] };
      const { status: _status, ...withoutStatus } = bare;
      assert.equal(await store.stateChanges.record(withoutStatus), true);
      assert.deepEqual(await store.stateChanges.get(bare.containerInstanceArn, 7), withoutStatus);
      for (const [seq, taskId] of [
        [3, 'sc-a'],
        [12, 'sc-b'],
        [9, 'sc-a'],
        [10, 'sc-a'],
      ] as const) {
        await store.stateChanges.record({ ...change('sc1', seq, taskId), reason: `r${seq}` });
      }
      const seqs = (items: readonly StateChangeRecord[]) => items.map((c) => c.seq);
      const page1 = await store.stateChanges.listByTask(`${A}:task/c1/sc-a`, { limit: 3 });
      assert.deepEqual(seqs(page1.items), [3, 7, 9]);
      assert.equal(page1.items[0]?.reason, 'r3');
      assert.ok(page1.nextKey !== undefined);
      const page2 = await store.stateChanges.listByTask(`${A}:task/c1/sc-a`, {
        limit: 3,
        after: page1.nextKey,
      });
      assert.deepEqual(seqs(page2.items), [10]);
      assert.equal(page2.nextKey, undefined);
      const byInstance = await store.stateChanges.listByContainerInstance(first.containerInstanceArn, {
        limit: 10,
      });
      assert.deepEqual(seqs(byInstance.items), [3, 7, 9, 10, 12]);
      assert.deepEqual(
        (await store.stateChanges.listByContainerInstance(`${A}:container-instance/c1/none`, { limit: 10 }))
          .items,
        [],
      );
    });

    it('records state changes inside a transaction with it, or not at all', async () => {
      const kept = change('sc3', 1, 'sc-tx');
      const lost = change('sc3', 2, 'sc-tx');
      await store.transaction(async (tx) => {
        await tx.tasks.put(task('sc-tx', { lastStatus: 'RUNNING' }));
        assert.equal(await tx.stateChanges.record(kept), true);
        // Seen inside the transaction that wrote it.
        assert.ok(await tx.stateChanges.get(kept.containerInstanceArn, 1));
      });
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.stateChanges.record(lost);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.ok(await store.stateChanges.get(kept.containerInstanceArn, 1));
      assert.equal(await store.stateChanges.get(lost.containerInstanceArn, 2), undefined);
    });

    it("deletes a purged task's state changes with it", async () => {
      const stopped = task('sc-purged', { lastStatus: 'STOPPED', stoppedAt: new Date(1_000) });
      await store.tasks.put(stopped);
      await store.tasks.put(task('sc-kept', { lastStatus: 'RUNNING' }));
      await store.stateChanges.record(change('sc4', 1, 'sc-purged'));
      await store.stateChanges.record(change('sc4', 2, 'sc-kept'));
      await store.stateChanges.record(change('sc4', 3, 'sc-purged'));
      const deleted = await store.transaction((tx) => tx.tasks.deleteStoppedBefore(new Date(2_000), 100));
      assert.ok(deleted.includes(stopped.taskArn));
      assert.deepEqual((await store.stateChanges.listByTask(stopped.taskArn, { limit: 10 })).items, []);
      assert.deepEqual(
        (
          await store.stateChanges.listByContainerInstance(`${A}:container-instance/c1/sc4`, { limit: 10 })
        ).items.map((c) => c.seq),
        [2],
      );
    });
  });
}

/**
 * The cached cluster snapshots must always equal a snapshot read afresh from the store, whatever mix of
 * writes, transactions (committed or rolled back) and concurrency led there, while reading the store only
 * when they must.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { InstanceRecord } from '../../domain/instance-record.js';
import type { TaskRecord } from '../../domain/task-record.js';
import fc from 'fast-check';
import { loadSnapshot } from './load.js';
import type { ClusterSnapshot } from '../../scheduler/index.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/types.js';
import { ClusterSnapshots } from './cache.js';

const A = 'arn:aws:ecs:us-east-1:123456789012';
const CLUSTERS = [`${A}:cluster/one`, `${A}:cluster/two`];
const DEFINITIONS = [`${A}:task-definition/web:1`, `${A}:task-definition/web:2`];

type Op =
  | {
      kind: 'instance';
      cluster: number;
      id: number;
      status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
      connected: boolean;
    }
  | {
      kind: 'task';
      cluster: number;
      id: number;
      instance: number;
      last: 'PENDING' | 'RUNNING' | 'STOPPED';
      desired: 'RUNNING' | 'STOPPED';
      definition: number;
    }
  | { kind: 'tx'; ops: Op[]; commit: boolean }
  | { kind: 'read'; cluster: number };

const instanceOp = fc.record({
  kind: fc.constant('instance' as const),
  cluster: fc.integer({ min: 0, max: 1 }),
  id: fc.integer({ min: 0, max: 4 }),
  status: fc.constantFrom('ACTIVE', 'DRAINING', 'INACTIVE'),
  connected: fc.boolean(),
});
const taskOp = fc.record({
  kind: fc.constant('task' as const),
  cluster: fc.integer({ min: 0, max: 1 }),
  id: fc.integer({ min: 0, max: 11 }),
  instance: fc.integer({ min: 0, max: 4 }),
  last: fc.constantFrom('PENDING', 'RUNNING', 'STOPPED'),
  desired: fc.constantFrom('RUNNING', 'STOPPED'),
  definition: fc.integer({ min: 0, max: 1 }),
});
const readOp = fc.record({ kind: fc.constant('read' as const), cluster: fc.integer({ min: 0, max: 1 }) });
const txOp = fc.record({
  kind: fc.constant('tx' as const),
  ops: fc.array(fc.oneof(instanceOp, taskOp, readOp), { maxLength: 6 }),
  commit: fc.boolean(),
});
const ops = fc.array(fc.oneof(instanceOp, taskOp, taskOp, readOp, txOp), { minLength: 1, maxLength: 30 });

const instanceArn = (cluster: number, id: number) => `${A}:container-instance/c${cluster}/i${id}`;

function instanceRecord(op: Extract<Op, { kind: 'instance' }>): InstanceRecord {
  return {
    containerInstanceArn: instanceArn(op.cluster, op.id),
    ec2InstanceId: `mi-0000000000000000${op.id}`,
    status: op.status,
    agentConnected: op.connected,
    version: 1,
    registeredAt: new Date(1_700_000_000_000),
    attributes: [{ name: 'zone', value: `z${op.id % 2}` }],
    registeredResources: [
      { name: 'CPU', type: 'INTEGER', integerValue: 4096 },
      { name: 'MEMORY', type: 'INTEGER', integerValue: 8192 },
    ],
  };
}

function taskRecord(op: Extract<Op, { kind: 'task' }>): TaskRecord {
  return {
    taskArn: `${A}:task/c${op.cluster}/t${op.id}`,
    clusterArn: CLUSTERS[op.cluster] ?? '',
    containerInstanceArn: instanceArn(op.cluster, op.instance),
    taskDefinitionArn: DEFINITIONS[op.definition] ?? '',
    createdAt: new Date(1_700_000_000_000),
    version: 1,
    containers: [],
    group: `family:web${op.id % 3}`,
    lastStatus: op.last,
    desiredStatus: op.desired,
    cpu: String(128 * (op.id + 1)),
    memory: String(256 * (op.id + 1)),
  };
}

class Rollback extends Error {}

async function run(store: Store, snapshots: ClusterSnapshots, op: Op, inTx = false): Promise<void> {
  if (op.kind === 'instance')
    await store.containerInstances.put(CLUSTERS[op.cluster] ?? '', instanceRecord(op));
  else if (op.kind === 'task') await store.tasks.put(taskRecord(op));
  else if (op.kind === 'read') {
    // As the appliers read: inside a transaction, so that the two reads compared see the same state.
    const read = (tx: Store) => agree(tx, snapshots, CLUSTERS[op.cluster] ?? '');
    await (inTx ? read(store) : store.transaction(read));
  } else {
    await store
      .transaction(async (tx) => {
        for (const inner of op.ops) await run(tx, snapshots, inner, true);
        if (!op.commit) throw new Rollback();
      })
      .catch((e: unknown) => {
        if (!(e instanceof Rollback)) throw e;
      });
  }
}

/** What a snapshot says, in an order that does not depend on how it was built. */
function normal(snapshot: ClusterSnapshot): unknown {
  return snapshot.instances.map((i) => ({
    arn: i.arn,
    status: i.status,
    agentConnected: i.agentConnected,
    attributes: [...i.attributes],
    cpu: i.used.cpu,
    memory: i.used.memory,
    tcp: [...i.used.tcpPorts].sort(),
    groups: [...i.groups].sort(),
    running: i.runningTasksCount,
    tasks: i.tasks.map((t) => t.taskArn).sort(),
  }));
}

async function agree(store: Store, snapshots: ClusterSnapshots, clusterArn: string): Promise<void> {
  const fresh = await loadSnapshot(store, clusterArn);
  assert.deepEqual(normal(await snapshots.get(store, clusterArn)), normal(fresh));
}

async function withStore(body: (store: Store, snapshots: ClusterSnapshots) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-snapshots-'));
  const raw = await openSqliteStore(join(dir, 'berth.db'));
  const snapshots = new ClusterSnapshots();
  const store = snapshots.observe(raw);
  try {
    await store.taskDefinitions.put({
      taskDefinitionArn: DEFINITIONS[1],
      family: 'web',
      revision: 2,
      status: 'ACTIVE',
      containerDefinitions: [
        { name: 'web', image: 'x', portMappings: [{ containerPort: 80, hostPort: 8080 }] },
      ],
    });
    await body(store, snapshots);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('ClusterSnapshots', () => {
  it('always equals a snapshot read from the store, after any writes, commits and rollbacks', async () => {
    await fc.assert(
      fc.asyncProperty(ops, async (sequence) => {
        await withStore(async (store, snapshots) => {
          for (const cluster of CLUSTERS) await agree(store, snapshots, cluster);
          for (const op of sequence) await run(store, snapshots, op);
          for (const cluster of CLUSTERS) await agree(store, snapshots, cluster);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('stays equal when writers and readers run concurrently', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ops, { minLength: 2, maxLength: 4 }), async (writers) => {
        await withStore(async (store, snapshots) => {
          await Promise.all(
            writers.map(async (sequence) => {
              for (const op of sequence) await run(store, snapshots, op);
            }),
          );
          for (const cluster of CLUSTERS) await agree(store, snapshots, cluster);
        });
      }),
      { numRuns: 30 },
    );
  });

  it('reads the store once per cluster while writes go through it one at a time', async () => {
    await withStore(async (store, snapshots) => {
      const cluster = CLUSTERS[0] ?? '';
      await store.containerInstances.put(
        cluster,
        instanceRecord({ kind: 'instance', cluster: 0, id: 1, status: 'ACTIVE', connected: true }),
      );
      await snapshots.get(store, cluster);
      // Changes to an instance the snapshot holds are followed, not re-read.
      await store.containerInstances.put(
        cluster,
        instanceRecord({ kind: 'instance', cluster: 0, id: 1, status: 'DRAINING', connected: true }),
      );
      for (let id = 0; id < 10; id++) {
        const task = { kind: 'task', cluster: 0, id, instance: 1, definition: 1 } as const;
        await store.transaction(async (tx) => {
          const before = await snapshots.get(tx, cluster);
          assert.equal(before.byArn.get(instanceArn(0, 1))?.tasks.length, id);
          await tx.tasks.put(taskRecord({ ...task, last: 'PENDING', desired: 'RUNNING' }));
        });
      }
      assert.equal(snapshots.loads, 1);
      const instance = (await snapshots.get(store, cluster)).byArn.get(instanceArn(0, 1));
      assert.deepEqual([...(instance?.used.tcpPorts ?? [])], [8080]);
      await agree(store, snapshots, cluster);
    });
  });
});

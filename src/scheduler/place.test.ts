/** Placement decisions on hand-made clusters: accounting within a batch, failures, strategies, StartTask. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NO_INSTANCES, placeOnInstances, placeTasks } from './place.js';
import type { StrategyRule } from './rank/ranker.js';
import { ARN, cluster, instance, requirements, running } from './testing/fixtures.js';

const ids = (arns: readonly { instanceArn: string }[]): string[] =>
  arns.map((p) => p.instanceArn.slice(ARN.length));

describe('placeTasks', () => {
  it('accounts for every task of a batch on one instance', () => {
    const snapshot = cluster(instance('a', { cpu: 2048, memory: 8192 }));
    const plan = placeTasks(snapshot, { task: requirements(), count: 10, strategies: [] }, 1);
    assert.equal(plan.placements.length, 8); // 8 x 256 CPU units
    assert.deepEqual(plan.failures, [{ arn: `${ARN}a`, reason: 'RESOURCE:CPU' }]);
    assert.equal(plan.snapshot.byArn.get(`${ARN}a`)?.used.cpu, 2048);
    // The input snapshot is untouched.
    assert.equal(snapshot.byArn.get(`${ARN}a`)?.used.cpu, 0);
  });

  it('lists every rejected instance once, with the first reason that rejected it', () => {
    const snapshot = cluster(
      instance('a', { memory: 100 }),
      instance('b', { agentConnected: false }),
      instance('c', { status: 'DRAINING' }),
      instance('d', { tasks: [running('x', { tcpPorts: [80] })] }),
    );
    const plan = placeTasks(
      snapshot,
      { task: requirements({ tcpPorts: [80] }), count: 1, strategies: [] },
      1,
    );
    assert.deepEqual(plan.placements, []);
    assert.deepEqual(
      plan.failures.map((f) => [f.arn?.slice(ARN.length), f.reason]),
      [
        ['a', 'RESOURCE:MEMORY'],
        ['b', 'AGENT'],
        ['c', 'DRAINING'],
        ['d', 'RESOURCE:PORTS'],
      ],
    );
  });

  it('reports MISSING with ECS sentence when the cluster has no instances', () => {
    const plan = placeTasks(cluster(), { task: requirements(), count: 1, strategies: [] }, 1);
    assert.deepEqual(plan.failures, [{ reason: 'MISSING', detail: NO_INSTANCES }]);
  });

  it('never gives one static host port twice', () => {
    const snapshot = cluster(instance('a'));
    const plan = placeTasks(
      snapshot,
      { task: requirements({ tcpPorts: [8080] }), count: 2, strategies: [] },
      1,
    );
    assert.equal(plan.placements.length, 1);
    assert.deepEqual(plan.failures, [{ arn: `${ARN}a`, reason: 'RESOURCE:PORTS' }]);
  });

  it('binpacks onto the fullest instance that still fits', () => {
    const snapshot = cluster(
      instance('a', { memory: 4096 }),
      instance('b', { memory: 4096, tasks: [running('x', { memory: 3000 })] }),
      instance('c', { memory: 4096, tasks: [running('x', { memory: 3700 })] }), // 396 left: too little
    );
    const strategies: StrategyRule[] = [{ type: 'binpack', field: 'memory' }];
    const plan = placeTasks(snapshot, { task: requirements(), count: 3, strategies }, 7);
    assert.deepEqual(ids(plan.placements), ['b', 'b', 'a']);
  });

  it('spreads over instances relative to the task group', () => {
    const snapshot = cluster(
      instance('a', { tasks: [running('family:web'), running('family:web')] }),
      instance('b', { tasks: [running('family:other'), running('family:other')] }),
      instance('c'),
    );
    const plan = placeTasks(
      snapshot,
      { task: requirements(), count: 4, strategies: [{ type: 'spread', field: 'instanceId' }] },
      3,
    );
    const counts = new Map<string, number>();
    for (const id of ids(plan.placements)) counts.set(id, (counts.get(id) ?? 0) + 1);
    // a starts with 2 of the group: the 4 new ones go 2 to b, 2 to c, leaving 2/2/2.
    assert.deepEqual([counts.get('a'), counts.get('b'), counts.get('c')], [undefined, 2, 2]);
  });

  it('spreads over attribute values, then breaks ties with the next strategy', () => {
    const zone = (z: string) => ({ 'ecs.availability-zone': z });
    const snapshot = cluster(
      instance('a1', { attributes: zone('a'), memory: 8192 }),
      instance('a2', { attributes: zone('a'), memory: 2048 }),
      instance('b1', { attributes: zone('b'), memory: 8192 }),
    );
    const strategies: StrategyRule[] = [
      { type: 'spread', field: 'attribute:ecs.availability-zone' },
      { type: 'binpack', field: 'memory' },
    ];
    const plan = placeTasks(snapshot, { task: requirements(), count: 4, strategies }, 11);
    // Zones alternate; within zone a, binpack prefers the smaller a2.
    assert.deepEqual(ids(plan.placements).sort(), ['a2', 'a2', 'b1', 'b1']);
  });

  it('is reproducible from its seed, and the seed matters', () => {
    const snapshot = cluster(...['a', 'b', 'c', 'd', 'e', 'f'].map((id) => instance(id, { cpu: 10240 })));
    const request = { task: requirements(), count: 10, strategies: [{ type: 'random' } as const] };
    const runs = [1, 1, 2].map((seed) => ids(placeTasks(snapshot, request, seed).placements).join(','));
    assert.equal(runs[0], runs[1]);
    assert.notEqual(runs[0], runs[2]);
  });

  it('keeps a batch on distinct instances with distinctInstance', () => {
    const snapshot = cluster(instance('a'), instance('b'), instance('c'));
    const plan = placeTasks(
      snapshot,
      { task: requirements({ distinctInstance: true }), count: 4, strategies: [] },
      5,
    );
    assert.deepEqual(ids(plan.placements).sort(), ['a', 'b', 'c']);
    assert.equal(plan.failures.length, 3);
    assert.ok(plan.failures.every((f) => f.reason === 'DistinctInstance placement constraint unsatisfied.'));
  });

  it('hands out distinct GPUs', () => {
    const snapshot = cluster(instance('a', { gpuIds: ['g0', 'g1', 'g2'] }));
    const plan = placeTasks(snapshot, { task: requirements({ gpus: 2 }), count: 2, strategies: [] }, 1);
    assert.deepEqual(
      plan.placements.map((p) => p.gpuIds),
      [['g0', 'g1']],
    );
    assert.deepEqual(plan.failures, [{ arn: `${ARN}a`, reason: 'RESOURCE:GPU' }]);
  });

  it('returns frozen plans', () => {
    const plan = placeTasks(cluster(instance('a')), { task: requirements(), count: 1, strategies: [] }, 1);
    assert.ok(
      Object.isFrozen(plan) && Object.isFrozen(plan.placements) && Object.isFrozen(plan.placements[0]),
    );
  });
});

describe('placeOnInstances (StartTask)', () => {
  it('places one task per named instance and explains the others', () => {
    const snapshot = cluster(
      instance('a'),
      instance('b', { agentConnected: false }),
      instance('c', { cpu: 300 }),
    );
    const plan = placeOnInstances(snapshot, requirements(), [
      `${ARN}a`,
      `${ARN}b`,
      `${ARN}nope`,
      `${ARN}c`,
      `${ARN}c`,
    ]);
    assert.deepEqual(ids(plan.placements), ['a', 'c']);
    assert.deepEqual(
      plan.failures.map((f) => [f.arn?.slice(ARN.length), f.reason]),
      [
        ['b', 'AGENT'],
        ['nope', 'MISSING'],
        ['c', 'RESOURCE:CPU'],
      ],
    );
  });
});

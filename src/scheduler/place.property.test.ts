/**
 * Properties of placement over generated clusters and requests (fast-check): it never over-commits CPU,
 * memory, ports or GPUs; it always honours memberOf, distinctInstance and requiresAttributes; it leaves a
 * task unplaced only when no instance could take it; spread keeps a group balanced; binpack packs; and a
 * seed reproduces a plan exactly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { firstRejection } from './feasible/checker.js';
import { placeTasks, type PlacementRequest } from './place.js';
import type { StrategyRule } from './rank/ranker.js';
import type { ClusterSnapshot, PlacedTask } from './snapshot.js';
import { CHECKERS } from './stack.js';
import { cluster, instance, requirements } from './testing/fixtures.js';

const COLORS = ['red', 'green', 'blue'] as const;
const GROUPS = ['family:web', 'family:db', 'service:api'] as const;

/** Tasks already on an instance, drawn so that together they fit (ports distinct, sums within capacity). */
function existingTasks(cpu: number, memory: number): fc.Arbitrary<PlacedTask[]> {
  return fc
    .array(
      fc.record({
        group: fc.constantFrom(...GROUPS),
        cpu: fc.integer({ min: 0, max: 512 }),
        memory: fc.integer({ min: 0, max: 1024 }),
        port: fc.option(fc.integer({ min: 8000, max: 8010 }), { nil: undefined }),
        desiredRunning: fc.boolean(),
      }),
      { maxLength: 4 },
    )
    .map((drawn) => {
      const tasks: PlacedTask[] = [];
      let usedCpu = 0;
      let usedMemory = 0;
      const ports = new Set<number>();
      drawn.forEach((t, n) => {
        if (usedCpu + t.cpu > cpu || usedMemory + t.memory > memory) return;
        if (t.port !== undefined && ports.has(t.port)) return;
        usedCpu += t.cpu;
        usedMemory += t.memory;
        if (t.port !== undefined) ports.add(t.port);
        tasks.push({
          taskArn: `existing-${n}`,
          group: t.group,
          desiredRunning: t.desiredRunning,
          held: {
            cpu: t.cpu,
            memory: t.memory,
            tcpPorts: t.port === undefined ? [] : [t.port],
            udpPorts: [],
            gpuIds: [],
          },
        });
      });
      return tasks;
    });
}

const instanceArb = fc
  .record({
    cpu: fc.integer({ min: 0, max: 4096 }),
    memory: fc.integer({ min: 0, max: 8192 }),
    status: fc.constantFrom('ACTIVE', 'ACTIVE', 'ACTIVE', 'DRAINING'),
    agentConnected: fc.constantFrom(true, true, false),
    color: fc.constantFrom(...COLORS),
    zone: fc.constantFrom('a', 'b', 'c'),
    capable: fc.boolean(),
    gpus: fc.integer({ min: 0, max: 3 }),
  })
  .chain((spec) => existingTasks(spec.cpu, spec.memory).map((tasks) => ({ ...spec, tasks })));

const clusterArb: fc.Arbitrary<ClusterSnapshot> = fc
  .array(instanceArb, { minLength: 1, maxLength: 6 })
  .map((specs) =>
    cluster(
      ...specs.map((s, n) =>
        instance(`i${n}`, {
          cpu: s.cpu,
          memory: s.memory,
          status: s.status,
          agentConnected: s.agentConnected,
          attributes: {
            color: s.color,
            'ecs.availability-zone': s.zone,
            ...(s.capable && { 'ecs.capability.container-health-check': undefined }),
          },
          gpuIds: Array.from({ length: s.gpus }, (_, g) => `gpu${g}`),
          tasks: s.tasks,
        }),
      ),
    ),
  );

const strategyArb: fc.Arbitrary<StrategyRule> = fc.oneof(
  fc.constantFrom('cpu', 'memory').map((field) => ({ type: 'binpack', field }) as const),
  fc
    .constantFrom('instanceId', 'host', 'attribute:ecs.availability-zone', 'attribute:color')
    .map((field) => ({ type: 'spread', field }) as const),
  fc.constant({ type: 'random' } as const),
);

const requestArb: fc.Arbitrary<PlacementRequest> = fc.record({
  task: fc
    .record({
      group: fc.constantFrom(...GROUPS),
      cpu: fc.integer({ min: 0, max: 1024 }),
      memory: fc.integer({ min: 0, max: 2048 }),
      tcpPorts: fc.uniqueArray(fc.integer({ min: 8000, max: 8010 }), { maxLength: 2 }),
      gpus: fc.integer({ min: 0, max: 2 }),
      color: fc.option(fc.constantFrom(...COLORS), { nil: undefined }),
      needsCapability: fc.boolean(),
      distinctInstance: fc.boolean(),
    })
    .map((t) =>
      requirements({
        group: t.group,
        cpu: t.cpu,
        memory: t.memory,
        tcpPorts: t.tcpPorts,
        gpus: t.gpus,
        distinctInstance: t.distinctInstance,
        requiresAttributes: t.needsCapability ? [{ name: 'ecs.capability.container-health-check' }] : [],
        memberOf: t.color === undefined ? [] : [`attribute:color != ${t.color}`],
      }),
    ),
  count: fc.integer({ min: 1, max: 10 }),
  strategies: fc.array(strategyArb, { maxLength: 5 }),
});

const seedArb = fc.integer({ min: 0, max: 0xffffffff });

describe('placement properties', () => {
  it('never over-commits CPU, memory, ports or GPUs', () => {
    fc.assert(
      fc.property(clusterArb, requestArb, seedArb, (snapshot, request, seed) => {
        const plan = placeTasks(snapshot, request, seed);
        for (const after of plan.snapshot.instances) {
          const before = snapshot.byArn.get(after.arn);
          if (before === undefined || after.tasks.length === before.tasks.length) continue;
          // Summed from the tasks themselves, not from the snapshot's running totals.
          const sum = (pick: (t: PlacedTask) => number): number =>
            after.tasks.reduce((total, t) => total + pick(t), 0);
          assert.ok(sum((t) => t.held.cpu) <= after.capacity.cpu, `cpu over on ${after.id}`);
          assert.ok(sum((t) => t.held.memory) <= after.capacity.memory, `memory over on ${after.id}`);
          const ports = after.tasks.flatMap((t) => t.held.tcpPorts);
          assert.equal(new Set(ports).size, ports.length, `a port held twice on ${after.id}`);
          assert.ok(!ports.some((p) => after.capacity.reservedTcpPorts.has(p)));
          const gpus = after.tasks.flatMap((t) => t.held.gpuIds);
          assert.equal(new Set(gpus).size, gpus.length, `a GPU given twice on ${after.id}`);
          assert.ok(gpus.every((g) => after.capacity.gpuIds.includes(g)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('honours status, agent, requiresAttributes, memberOf and distinctInstance', () => {
    fc.assert(
      fc.property(clusterArb, requestArb, seedArb, (snapshot, request, seed) => {
        const plan = placeTasks(snapshot, request, seed);
        const perInstance = new Map<string, number>();
        for (const p of plan.placements) {
          const i = snapshot.byArn.get(p.instanceArn);
          assert.ok(i !== undefined);
          assert.equal(i.status, 'ACTIVE');
          assert.ok(i.agentConnected);
          for (const required of request.task.requiresAttributes) assert.ok(i.attributes.has(required.name));
          for (const c of request.task.memberOf) {
            const color = /!= (\w+)$/.exec(c.expression)?.[1];
            assert.notEqual(i.attributes.get('color'), color);
          }
          perInstance.set(p.instanceArn, (perInstance.get(p.instanceArn) ?? 0) + 1);
          if (request.task.distinctInstance) {
            assert.equal(perInstance.get(p.instanceArn), 1);
            assert.equal(i.groups.get(request.task.group) ?? 0, 0);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('leaves tasks unplaced only when no instance can take one more', () => {
    fc.assert(
      fc.property(clusterArb, requestArb, seedArb, (snapshot, request, seed) => {
        const plan = placeTasks(snapshot, request, seed);
        if (plan.placements.length === request.count) {
          assert.deepEqual(plan.failures, []);
          return;
        }
        for (const i of plan.snapshot.instances) {
          assert.notEqual(firstRejection(CHECKERS, i, request.task), undefined);
        }
        assert.equal(plan.failures.length, snapshot.instances.length);
      }),
      { numRuns: 300 },
    );
  });

  it('reproduces a plan from its seed', () => {
    fc.assert(
      fc.property(clusterArb, requestArb, seedArb, (snapshot, request, seed) => {
        assert.deepEqual(
          placeTasks(snapshot, request, seed).placements,
          placeTasks(snapshot, request, seed).placements,
        );
      }),
      { numRuns: 100 },
    );
  });

  it('keeps a group balanced across instances with spread', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 10 }),
        fc.constantFrom('instanceId', 'host'),
        seedArb,
        (instances, count, field, seed) => {
          const snapshot = cluster(
            ...Array.from({ length: instances }, (_, n) =>
              instance(`i${n}`, { cpu: 100_000, memory: 100_000 }),
            ),
          );
          const plan = placeTasks(
            snapshot,
            { task: requirements(), count, strategies: [{ type: 'spread', field }] },
            seed,
          );
          assert.equal(plan.placements.length, count);
          const counts = plan.snapshot.instances.map((i) => i.groups.get('family:web') ?? 0);
          assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `unbalanced: ${counts.join(',')}`);
        },
      ),
    );
  });

  it('packs with binpack: as few instances as the tasks need', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 10 }),
        fc.constantFrom('cpu', 'memory'),
        seedArb,
        (instances, perInstance, count, field, seed) => {
          const snapshot = cluster(
            ...Array.from({ length: instances }, (_, n) =>
              instance(`i${n}`, { cpu: 256 * perInstance, memory: 512 * perInstance }),
            ),
          );
          const plan = placeTasks(
            snapshot,
            { task: requirements(), count, strategies: [{ type: 'binpack', field }] },
            seed,
          );
          const placed = Math.min(count, instances * perInstance);
          assert.equal(plan.placements.length, placed);
          assert.equal(
            new Set(plan.placements.map((p) => p.instanceArn)).size,
            Math.ceil(placed / perInstance),
          );
        },
      ),
    );
  });
});

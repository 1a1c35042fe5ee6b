/**
 * Properties of the reconciler over generated services and generated agent behaviour (fast-check):
 * - during a rollout it never places above maximumPercent (rounded down) and never stops a healthy task when
 *   that leaves fewer healthy tasks than minimumHealthyPercent (rounded up);
 * - with agents that do what they are told, it converges: exactly the desired count of tasks of the newest
 *   revision, one deployment, COMPLETED;
 * - a DAEMON service ends with exactly one task on each matching ACTIVE instance and none elsewhere.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { maxTasks, minHealthyTasks } from './health.js';
import { World } from './testing/world.js';
import type { ServiceTask } from './types.js';

const HEALTHY_MS = 40_000;

/** What the agents do between two passes: start some pending tasks, stop some stopping ones, let time pass. */
const agentTurn = fc.record({
  start: fc.double({ min: 0, max: 1, noNaN: true }),
  stop: fc.double({ min: 0, max: 1, noNaN: true }),
  wait: fc.constantFrom(0, 10_000, HEALTHY_MS),
});

const rollout = fc.record({
  desired: fc.integer({ min: 1, max: 8 }),
  minimumHealthyPercent: fc.integer({ min: 0, max: 100 }),
  maximumPercent: fc.integer({ min: 100, max: 200 }),
  instances: fc.integer({ min: 2, max: 5 }),
  turns: fc.array(agentTurn, { minLength: 1, maxLength: 30 }),
});

function healthyCount(w: World): number {
  return w
    .live()
    .filter(
      (t) => t.lastStatus === 'RUNNING' && t.startedAt !== undefined && w.now - t.startedAt >= HEALTHY_MS,
    ).length;
}

/** A fraction of the matching tasks, chosen by position so runs are reproducible. */
function some(tasks: readonly ServiceTask[], fraction: number): Set<string> {
  const n = Math.round(tasks.length * fraction);
  return new Set(tasks.slice(0, n).map((t) => t.arn));
}

describe('reconcile properties', () => {
  it('never goes above maximumPercent or below minimumHealthyPercent during a rollout', () => {
    fc.assert(
      fc.property(rollout, (r) => {
        // A configuration that allows no move at all is stuck by design (and says so; see the unit tests).
        fc.pre(
          maxTasks(r.desired, r.maximumPercent) > r.desired ||
            minHealthyTasks(r.desired, r.minimumHealthyPercent) < r.desired,
        );
        // Plenty of room: limits, not capacity, are what is under test.
        const w = new World({
          instances: Array.from({ length: r.instances }, () => ({ cpu: 100_000, memory: 100_000 })),
          service: {
            desiredCount: r.desired,
            minimumHealthyPercent: r.minimumHealthyPercent,
            maximumPercent: r.maximumPercent,
          },
        });
        w.settle();
        w.deploy('td:2');
        const max = maxTasks(r.desired, r.maximumPercent);
        const min = minHealthyTasks(r.desired, r.minimumHealthyPercent);
        for (const turn of r.turns) {
          const liveBefore = w.live().length;
          const healthyBefore = healthyCount(w);
          const runningBefore = w.live().filter((t) => t.lastStatus === 'RUNNING').length;
          const plan = w.step();
          if (plan.place.length > 0) {
            assert.ok(
              liveBefore + plan.place.length <= max,
              `placed above ${max}: ${liveBefore} + ${plan.place.length}`,
            );
          }
          const healthyAfter = healthyCount(w);
          assert.ok(
            healthyAfter >= Math.min(min, healthyBefore),
            `healthy fell to ${healthyAfter} (min ${min}, before ${healthyBefore})`,
          );
          const runningAfter = w.live().filter((t) => t.lastStatus === 'RUNNING').length;
          assert.ok(
            runningAfter >= Math.min(min, runningBefore),
            `running fell to ${runningAfter} (min ${min}, before ${runningBefore})`,
          );
          const pending = w.live().filter((t) => t.lastStatus === 'PENDING');
          const started = some(pending, turn.start);
          w.agentStartAll((t) => started.has(t.arn));
          const stopping = w.tasks.filter((t) => t.desiredStatus === 'STOPPED' && t.lastStatus !== 'STOPPED');
          const stopped = some(stopping, turn.stop);
          w.tasks = w.tasks.map((t) => (stopped.has(t.arn) ? { ...t, lastStatus: 'STOPPED' } : t));
          w.advance(turn.wait);
        }
        w.settle(100);
        assert.equal(w.live().length, r.desired);
        assert.ok(w.live().every((t) => t.taskDefinition === 'td:2'));
        assert.deepEqual(
          w.deployments.map((d) => [d.taskDefinition, d.rolloutState]),
          [['td:2', 'COMPLETED']],
        );
      }),
      { numRuns: 150 },
    );
  });

  it('converges to the desired count from any scale change', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }), (from, to) => {
        const w = new World({
          instances: [
            { cpu: 100_000, memory: 100_000 },
            { cpu: 100_000, memory: 100_000 },
          ],
          service: { desiredCount: from },
        });
        w.settle();
        assert.equal(w.live().length, from);
        w.service = { ...w.service, desiredCount: to };
        w.settle();
        assert.equal(w.live().length, to);
        // Spread keeps the two instances within one task of each other.
        const counts = [...w.perInstance().values()];
        if (counts.length === 2) assert.ok(Math.abs((counts[0] ?? 0) - (counts[1] ?? 0)) <= 1);
      }),
    );
  });

  it('runs a DAEMON exactly once on each matching ACTIVE instance', () => {
    const instanceSpec = fc.record({
      role: fc.constantFrom('web', 'db'),
      status: fc.constantFrom('ACTIVE', 'ACTIVE', 'DRAINING'),
    });
    fc.assert(
      fc.property(
        fc.array(instanceSpec, { minLength: 1, maxLength: 6 }),
        fc.array(instanceSpec, { maxLength: 3 }),
        (initial, later) => {
          const w = new World({
            instances: initial.map((i, n) => ({
              id: `i${n}`,
              status: i.status,
              attributes: { role: i.role },
            })),
            memberOf: ['attribute:role == web'],
            service: {
              schedulingStrategy: 'DAEMON',
              minimumHealthyPercent: 0,
              maximumPercent: 100,
              strategies: [],
            },
          });
          w.settle();
          later.forEach((i, n) =>
            w.instances.set(`j${n}`, { status: i.status, attributes: { role: i.role } }),
          );
          w.settle();
          const expected = [...w.instances]
            .filter(([, s]) => (s.status ?? 'ACTIVE') === 'ACTIVE' && s.attributes?.role === 'web')
            .map(([id]) => id)
            .sort();
          assert.deepEqual([...w.perInstance().keys()].sort(), expected);
          assert.ok([...w.perInstance().values()].every((n) => n === 1));
        },
      ),
    );
  });
});

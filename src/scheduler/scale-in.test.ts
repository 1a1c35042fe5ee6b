/** Scale-in: which tasks a service stops first, by its strategies. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseTasksToStop, type StopCandidate } from './scale-in.js';
import { ARN, cluster, instance } from './testing/fixtures.js';
import type { PlacedTask } from './snapshot.js';

const GROUP = 'service:web';

function on(id: string, n: number, cpu = 256): { placed: PlacedTask[]; candidates: StopCandidate[] } {
  const placed: PlacedTask[] = [];
  const candidates: StopCandidate[] = [];
  for (let i = 0; i < n; i++) {
    const taskArn = `task-${id}-${i}`;
    placed.push({
      taskArn,
      group: GROUP,
      desiredRunning: true,
      held: { cpu, memory: 0, tcpPorts: [], udpPorts: [], gpuIds: [] },
    });
    candidates.push({
      taskArn,
      instanceArn: `${ARN}${id}`,
      createdAt: 1000 + i,
      startedAt: 2000 + i,
      running: true,
    });
  }
  return { placed, candidates };
}

describe('chooseTasksToStop', () => {
  const a = on('a', 3);
  const b = on('b', 1);
  const c = on('c', 2, 1024);
  const snapshot = cluster(
    instance('a', { tasks: a.placed, attributes: { zone: 'z1' } }),
    instance('b', { tasks: b.placed, attributes: { zone: 'z1' } }),
    instance('c', { tasks: c.placed, attributes: { zone: 'z2' } }),
  );
  const all = [...a.candidates, ...b.candidates, ...c.candidates];
  const choose = (
    count: number,
    strategies: Parameters<typeof chooseTasksToStop>[2]['strategies'],
    newestFirst = false,
  ) => chooseTasksToStop(snapshot, all, { group: GROUP, strategies, count, newestFirst }, 7);

  it('spread by instance takes from the most loaded instance, newest first, and rebalances', () => {
    assert.deepEqual(choose(2, [{ type: 'spread', field: 'instanceId' }]), ['task-a-2', 'task-a-1']);
    // a: 3, c: 2, b: 1 -> a; then a and c tie at 2 (and in age), then c, the most loaded again.
    assert.deepEqual(choose(3, [{ type: 'spread', field: 'instanceId' }]), [
      'task-a-2',
      'task-a-1',
      'task-c-1',
    ]);
  });

  it('spread by attribute empties the crowded value first', () => {
    // z1 holds 4 tasks, z2 holds 2.
    assert.deepEqual(choose(2, [{ type: 'spread', field: 'attribute:zone' }]), ['task-a-2', 'task-a-1']);
  });

  it('binpack stops on the instance with the most room left', () => {
    // b has the most cpu left (2048 - 256), then a (2048 - 768); c is full-ish (2048 - 2048).
    assert.deepEqual(choose(1, [{ type: 'binpack', field: 'cpu' }]), ['task-b-0']);
  });

  it('stops tasks that are not running first, and can put the newest first above any strategy', () => {
    const pending: StopCandidate = {
      taskArn: 'task-b-9',
      instanceArn: `${ARN}b`,
      createdAt: 1,
      running: false,
    };
    assert.deepEqual(
      chooseTasksToStop(
        snapshot,
        [...all, pending],
        { group: GROUP, strategies: [{ type: 'spread', field: 'instanceId' }], count: 1 },
        1,
      ),
      ['task-b-9'],
    );
    assert.deepEqual(choose(1, [{ type: 'spread', field: 'instanceId' }], true), ['task-a-2']);
    const newest = chooseTasksToStop(
      snapshot,
      [...all, { taskArn: 'late', instanceArn: `${ARN}b`, createdAt: 5000, startedAt: 9000, running: true }],
      { group: GROUP, strategies: [{ type: 'spread', field: 'instanceId' }], count: 1, newestFirst: true },
      1,
    );
    assert.deepEqual(newest, ['late']);
  });

  it('is reproducible with random for a given seed', () => {
    const once = choose(3, [{ type: 'random' }]);
    assert.deepEqual(choose(3, [{ type: 'random' }]), once);
    assert.equal(new Set(once).size, 3);
  });
});

/** Each ranker's scores on its own (lower is better). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../random.js';
import { cluster, instance, requirements, running } from '../testing/fixtures.js';
import { binpack } from './binpack.js';
import { randomRanker } from './random.js';
import type { RankContext } from './ranker.js';
import { spread } from './spread.js';

const zone = (z: string) => ({ 'ecs.availability-zone': z });

describe('rankers', () => {
  const a = instance('a', { cpu: 1024, memory: 2048, attributes: zone('x'), tasks: [running('family:web')] });
  const b = instance('b', { cpu: 4096, memory: 1024, attributes: zone('x') });
  const c = instance('c', { cpu: 2048, memory: 4096, attributes: zone('y') });
  const d = instance('d', { tasks: [running('family:web'), running('family:web', {}, false)] });
  const snapshot = cluster(a, b, c, d);
  const ctx: RankContext = {
    snapshot,
    task: requirements({ cpu: 256, memory: 512 }),
    random: seededRandom(1),
  };

  it('binpack scores what would be left', () => {
    assert.deepEqual(binpack('cpu').score([a, b, c], ctx), [768, 3840, 1792]);
    assert.deepEqual(binpack('memory').score([a, b, c], ctx), [1536, 512, 3584]);
  });

  it('spread by instance counts the group’s desired-RUNNING tasks on each', () => {
    assert.deepEqual(spread('instanceId').score([a, b, c, d], ctx), [1, 0, 0, 1]);
    assert.deepEqual(spread('host').score([a, b, c, d], ctx), [1, 0, 0, 1]);
  });

  it('spread by attribute counts per value over the whole cluster, absent values apart', () => {
    // zone x: a's task; zone y: none; d has no zone and one running task of the group.
    assert.deepEqual(spread('attribute:ecs.availability-zone').score([a, b, c, d], ctx), [1, 1, 0, 1]);
  });

  it('random draws from the seeded generator', () => {
    const first = randomRanker.score([a, b, c], { ...ctx, random: seededRandom(9) });
    const again = randomRanker.score([a, b, c], { ...ctx, random: seededRandom(9) });
    assert.deepEqual(first, again);
    assert.ok(first.every((x) => x >= 0 && x < 1));
  });
});

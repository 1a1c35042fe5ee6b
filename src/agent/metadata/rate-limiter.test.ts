import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ECS_METADATA_RATE_LIMIT, RateLimiter, SWEEP_INTERVAL_MS } from './rate-limiter.js';

function takeMany(limiter: RateLimiter, key: string, count: number, at: number): number {
  let allowed = 0;
  for (let i = 0; i < count; i++) if (limiter.take(key, at)) allowed++;
  return allowed;
}

void describe('rate limiter', () => {
  void it("allows ECS's burst of 60 at once, then 40 a second", () => {
    const limiter = new RateLimiter(ECS_METADATA_RATE_LIMIT);
    assert.equal(takeMany(limiter, 'a', 100, 0), 60);
    assert.equal(limiter.take('a', 0), false);
    assert.equal(limiter.retryAfterSeconds('a', 0), 1);
    // 500 ms later: 20 tokens back.
    assert.equal(takeMany(limiter, 'a', 100, 500), 20);
    // A steady 40 per second keeps going.
    let allowed = 0;
    for (let t = 1_000; t < 3_000; t += 25) if (limiter.take('a', t)) allowed++;
    assert.equal(allowed, 80);
  });

  void it('keeps one bucket per key', () => {
    const limiter = new RateLimiter({ steadyPerSecond: 1, burst: 2 });
    assert.equal(takeMany(limiter, 'a', 5, 0), 2);
    assert.equal(takeMany(limiter, 'b', 5, 0), 2);
    assert.equal(limiter.take('a', 999), false);
    assert.equal(limiter.take('a', 1_000), true);
    assert.equal(limiter.retryAfterSeconds('a', 1_000), 1);
    assert.equal(limiter.retryAfterSeconds('unknown', 0), 0);
  });

  void it('never fills beyond the burst, and forgets refilled buckets', () => {
    const limiter = new RateLimiter({ steadyPerSecond: 10, burst: 3 });
    limiter.take('a', 0);
    limiter.take('b', SWEEP_INTERVAL_MS / 2);
    assert.equal(takeMany(limiter, 'b', 10, 3_600_000), 3, 'an hour idle still gives only the burst');
    assert.equal(limiter.size, 1, 'a was full and forgotten; b is in use');
  });

  void it('refuses nonsense limits', () => {
    assert.throws(() => new RateLimiter({ steadyPerSecond: 0, burst: 1 }), RangeError);
    assert.throws(() => new RateLimiter({ steadyPerSecond: 1, burst: 0 }), RangeError);
  });
});

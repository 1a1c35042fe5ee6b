import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BACKOFF_MAX_MS,
  BACKOFF_MIN_MS,
  DEFAULT_BACKOFF,
  ExponentialBackoff,
  withJitter,
} from './backoff.js';

describe('ExponentialBackoff', () => {
  it('grows by 1.5 from 250 ms and stops at 2 minutes (no jitter drawn)', () => {
    const b = new ExponentialBackoff(DEFAULT_BACKOFF, () => 0);
    const delays = Array.from({ length: 20 }, () => b.next());
    assert.deepEqual(delays.slice(0, 4), [250, 375, 563, 844]);
    assert.equal(Math.max(...delays), BACKOFF_MAX_MS);
    assert.equal(delays.at(-1), BACKOFF_MAX_MS);
    assert.equal(delays.indexOf(BACKOFF_MAX_MS), 16, 'the 17th attempt waits the full cap');
  });

  it('adds at most 20% jitter', () => {
    const b = new ExponentialBackoff(DEFAULT_BACKOFF, () => 0.999999);
    assert.equal(b.next(), Math.round(BACKOFF_MIN_MS * 1.2));
    const random = new ExponentialBackoff();
    for (let i = 0; i < 200; i += 1) {
      const d = random.next();
      assert.ok(d >= BACKOFF_MIN_MS && d <= BACKOFF_MAX_MS * 1.2, `delay ${d}`);
    }
  });

  it('starts over after reset', () => {
    const b = new ExponentialBackoff(DEFAULT_BACKOFF, () => 0);
    b.next();
    b.next();
    b.reset();
    assert.equal(b.next(), BACKOFF_MIN_MS);
  });

  it('refuses settings that cannot back off', () => {
    assert.throws(() => new ExponentialBackoff({ ...DEFAULT_BACKOFF, minMs: 0 }), RangeError);
    assert.throws(() => new ExponentialBackoff({ ...DEFAULT_BACKOFF, multiplier: 0.5 }), RangeError);
  });
});

describe('withJitter', () => {
  it('adds between nothing and the whole jitter', () => {
    assert.equal(
      withJitter(60_000, 60_000, () => 0),
      60_000,
    );
    assert.equal(
      withJitter(60_000, 60_000, () => 0.5),
      90_000,
    );
  });
});

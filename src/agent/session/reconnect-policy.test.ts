import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SESSION_CLOSE_CODES } from '../../acs/messages.js';
import { BACKOFF_MIN_MS, DEFAULT_BACKOFF, ExponentialBackoff } from './backoff.js';
import { reconnectDelay } from './reconnect-policy.js';

const HOUR = 3_600_000;
const fresh = () => new ExponentialBackoff(DEFAULT_BACKOFF, () => 0);

describe('reconnectDelay', () => {
  it('waits long after InactiveInstanceException, from a handshake or a message', () => {
    const error = { type: 'InactiveInstanceException', message: 'deregistered' } as const;
    assert.deepEqual(reconnectDelay({ kind: 'refused', error }, fresh(), HOUR), {
      delayMs: HOUR,
      unretriable: error,
    });
    const closed = reconnectDelay({ kind: 'closed', code: SESSION_CLOSE_CODES.error, error }, fresh(), HOUR);
    assert.equal(closed.delayMs, HOUR);
  });

  it('retries credential refusals on the normal backoff (fresh credentials next time)', () => {
    const error = { type: 'AccessDeniedException', message: 'ExpiredTokenException: ...' } as const;
    assert.deepEqual(reconnectDelay({ kind: 'refused', error }, fresh(), HOUR), { delayMs: BACKOFF_MIN_MS });
  });

  it('reconnects at once after a clean close, and starts the backoff over', () => {
    const backoff = fresh();
    backoff.next();
    backoff.next();
    for (const code of [SESSION_CLOSE_CODES.normal, SESSION_CLOSE_CODES.goingAway]) {
      assert.deepEqual(reconnectDelay({ kind: 'closed', code }, backoff, HOUR), { delayMs: 0 });
    }
    assert.equal(backoff.next(), BACKOFF_MIN_MS);
  });

  it('backs off after an abnormal close, a replacement or a failed connection', () => {
    const backoff = fresh();
    const delays = [
      reconnectDelay({ kind: 'closed', code: 1006 }, backoff, HOUR).delayMs,
      reconnectDelay({ kind: 'closed', code: SESSION_CLOSE_CODES.replaced }, backoff, HOUR).delayMs,
      reconnectDelay({ kind: 'failed', cause: new Error('ECONNREFUSED') }, backoff, HOUR).delayMs,
    ];
    assert.deepEqual(delays, [250, 375, 563]);
  });

  it('backs off after a clean close that came with an error message', () => {
    const error = { type: 'ServerException', message: 'boom' } as const;
    const d = reconnectDelay({ kind: 'closed', code: SESSION_CLOSE_CODES.normal, error }, fresh(), HOUR);
    assert.equal(d.delayMs, BACKOFF_MIN_MS);
  });
});

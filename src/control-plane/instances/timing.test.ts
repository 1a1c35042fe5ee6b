import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_SESSION_TIMEOUT, sessionTimings } from './timing.js';

describe('sessionTimings', () => {
  it('accepts the defaults: 20 s heartbeats, 60 s timeout', () => {
    assert.deepEqual(sessionTimings(DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_SESSION_TIMEOUT), {
      heartbeatIntervalMs: 20_000,
      sessionTimeoutMs: 60_000,
    });
  });

  it('accepts short test timings', () => {
    assert.deepEqual(sessionTimings('200ms', '1s'), { heartbeatIntervalMs: 200, sessionTimeoutMs: 1000 });
  });

  it('refuses a heartbeat the agent would not wait for', () => {
    assert.match(sessionTimings('60s', '120s') as string, /must be below 1m: agents close a session/);
  });

  it('refuses a timeout that is not longer than the heartbeat interval', () => {
    assert.match(sessionTimings('20s', '20s') as string, /--session-timeout '20s' must be .* longer/);
  });

  it('refuses what is not a duration', () => {
    assert.match(sessionTimings('often', '60s') as string, /--heartbeat-interval 'often'/);
    assert.match(sessionTimings('0', '60s') as string, /--heartbeat-interval '0'/);
    assert.match(sessionTimings('20s', 'later') as string, /--session-timeout 'later'/);
  });
});

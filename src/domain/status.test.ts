import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backendStatus, KNOWN_STATUSES, knownIsAfter, lastIsAfter, nextKnown } from './status.js';

describe('statuses', () => {
  it('orders the agent statuses and steps through them one at a time', () => {
    assert.ok(knownIsAfter('RUNNING', 'CREATED'));
    assert.ok(!knownIsAfter('PULLED', 'PULLED'));
    const walk = ['NONE'];
    for (let s = nextKnown('NONE'); s !== undefined; s = nextKnown(s)) walk.push(s);
    assert.deepEqual(walk, [...KNOWN_STATUSES]);
  });
  it('maps agent statuses onto the three the control plane hears', () => {
    assert.deepEqual(KNOWN_STATUSES.map(backendStatus), [
      'PENDING',
      'PENDING',
      'PENDING',
      'RUNNING',
      'STOPPED',
    ]);
  });
  it('orders ECS last statuses', () => {
    assert.ok(lastIsAfter('STOPPED', 'RUNNING'));
    assert.ok(lastIsAfter('RUNNING', 'PENDING'));
    assert.ok(!lastIsAfter('PENDING', 'STOPPING'));
  });
});

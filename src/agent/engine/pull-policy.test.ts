import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IMAGE_PULL_BEHAVIORS } from './engine-config.js';
import { shouldPull, useCachedAfterFailedPull } from './pull-policy.js';

void describe('image pull behaviour', () => {
  // [behaviour, present, pulledBefore] -> pull?
  const table: Record<(typeof IMAGE_PULL_BEHAVIORS)[number], [boolean, boolean, boolean][]> = {
    default: [
      [false, false, true],
      [true, false, true],
      [true, true, true],
    ],
    always: [
      [false, false, true],
      [true, false, true],
      [true, true, true],
    ],
    once: [
      [false, false, true],
      [true, false, true],
      [true, true, false],
      [false, true, true],
    ],
    'prefer-cached': [
      [false, false, true],
      [true, false, false],
      [true, true, false],
    ],
  };
  for (const behavior of IMAGE_PULL_BEHAVIORS) {
    for (const [present, pulledBefore, pull] of table[behavior]) {
      void it(`${behavior}: present=${present} pulledBefore=${pulledBefore} -> ${pull ? 'pull' : 'use the local copy'}`, () =>
        assert.equal(shouldPull(behavior, { present, pulledBefore }), pull));
    }
  }
  void it('only default falls back to a cached copy after a failed pull', () => {
    assert.equal(useCachedAfterFailedPull('default', true), true);
    assert.equal(useCachedAfterFailedPull('default', false), false);
    assert.equal(useCachedAfterFailedPull('always', true), false);
    assert.equal(useCachedAfterFailedPull('once', true), false);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from './duration.js';

describe('durations', () => {
  it('reads units and bare seconds', () => {
    assert.equal(parseDuration('30m'), 1_800_000);
    assert.equal(parseDuration('90'), 90_000);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('2h'), 7_200_000);
  });
  it('refuses what is not a duration', () => {
    for (const bad of ['', 'm', '-5s', '5 minutes', '1e9', 'NaN'])
      assert.equal(parseDuration(bad), undefined, bad);
  });
  it('prints the largest whole unit', () => {
    assert.equal(formatDuration(1_800_000), '30m');
    assert.equal(formatDuration(90_000), '90s');
    assert.equal(formatDuration(1500), '1500ms');
  });
});

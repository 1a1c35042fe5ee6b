import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extensionOf } from './report-extension.js';

describe("the agent's state change extension", () => {
  it('reads times, seq, health and restart counts', () => {
    const e = extensionOf({
      berth: {
        at: 1_700_000_000.5,
        startedAt: 1_699_999_990,
        seq: 42,
        containers: [
          { containerName: 'web', healthStatus: 'HEALTHY', restartCount: 3 },
          { containerName: 'side', restartCount: 0 },
        ],
      },
    });
    assert.equal(e.at?.getTime(), 1_700_000_000_500);
    assert.equal(e.startedAt?.getTime(), 1_699_999_990_000);
    assert.equal(e.seq, 42);
    assert.deepEqual([...e.health], [['web', 'HEALTHY']]);
    assert.deepEqual(
      [...e.restartCounts],
      [
        ['web', 3],
        ['side', 0],
      ],
    );
  });

  it('ignores what is malformed, member by member, and works without the member (stock ECS agents)', () => {
    const e = extensionOf({
      berth: {
        at: 'soon',
        seq: -1,
        containers: [
          { containerName: 'web', healthStatus: 'GREAT', restartCount: 1.5 },
          null,
          { restartCount: 2 },
        ],
      },
    });
    assert.equal(e.at, undefined);
    assert.equal(e.seq, undefined);
    assert.equal(e.health.size, 0);
    assert.equal(e.restartCounts.size, 0);
    assert.equal(extensionOf({ berth: { seq: '7' } }).seq, undefined);
    assert.equal(extensionOf({}).seq, undefined);
    assert.equal(extensionOf({ berth: null }).health.size, 0);
  });
});

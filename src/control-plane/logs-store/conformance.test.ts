/**
 * What any LogStore must do, run against the SQLite one: byte accounting, ordering by (timestamp, ingestion),
 * the batch marks, retention and the size cap. A second backend runs the same suite through `suite()`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { FakeClock } from '../../util/testing/fake-clock.js';
import { openSqliteLogStore } from './sqlite.js';
import { startLogSweeper } from './sweeper.js';
import type { LogStore } from './types.js';

const DAY = 86_400_000;

function suite(name: string, open: () => LogStore): void {
  describe(`LogStore conformance: ${name}`, () => {
    it('accounts stored bytes per stream and group, and gives them back on deletion', async () => {
      const s = open();
      await s.groups.create('g', 1, {});
      assert.equal(await s.streams.create('g', 'a', 1), 'created');
      assert.equal(await s.streams.create('g', 'a', 1), 'exists');
      assert.equal(await s.streams.create('missing', 'a', 1), 'no-group');
      await s.streams.create('g', 'b', 1);
      await s.events.append('g', 'a', [{ timestamp: 10, message: 'héllo' }], 100);
      await s.events.append('g', 'b', [{ timestamp: 11, message: 'x' }], 100);
      assert.equal((await s.groups.get('g'))?.storedBytes, 6 + 26 + 1 + 26);
      assert.equal(await s.totalBytes(), 6 + 26 + 1 + 26);
      assert.equal(await s.streams.delete('g', 'a'), 'deleted');
      assert.equal((await s.groups.get('g'))?.storedBytes, 1 + 26);
      assert.equal(await s.groups.delete('g'), true);
      assert.equal(await s.totalBytes(), 0);
      assert.equal(
        await s.events.read('g', 'b', { direction: 'forward', cursor: undefined, limit: 10, maxBytes: 1e6 }),
        undefined,
      );
      await s.close();
    });

    it('reads and scans by timestamp, ties in ingestion order, across streams', async () => {
      const s = open();
      await s.groups.create('g', 1, {});
      await s.streams.create('g', 'a', 1);
      await s.streams.create('g', 'b', 1);
      await s.events.append(
        'g',
        'a',
        [
          { timestamp: 5, message: 'a5' },
          { timestamp: 7, message: 'a7' },
        ],
        1,
      );
      await s.events.append(
        'g',
        'b',
        [
          { timestamp: 5, message: 'b5' },
          { timestamp: 6, message: 'b6' },
        ],
        2,
      );
      await s.events.append('g', 'a', [{ timestamp: 1, message: 'a1' }], 3);
      const read = await s.events.read('g', 'a', {
        direction: 'forward',
        cursor: undefined,
        limit: 10,
        maxBytes: 1e6,
      });
      assert.deepEqual(
        read?.map((e) => e.message),
        ['a1', 'a5', 'a7'],
      );
      const all: string[] = [];
      let after;
      do {
        const page = await s.events.scan('g', { after, maxRows: 2 });
        all.push(...(page?.events.map((e) => e.message) ?? []));
        after = page?.next;
      } while (after);
      assert.deepEqual(all, ['a1', 'a5', 'b5', 'b6', 'a7']);
      const onlyB = await s.events.scan('g', { streams: ['b'], after: undefined, maxRows: 10 });
      assert.deepEqual(
        onlyB?.events.map((e) => e.message),
        ['b5', 'b6'],
      );
      await s.close();
    });

    it('stores a batch once per (stream, sender, seq) and only growing seqs', async () => {
      const s = open();
      await s.groups.create('g', 1, {});
      await s.streams.create('g', 'a', 1);
      const put = (seq: number, sender = 'mi-1') =>
        s.events.append('g', 'a', [{ timestamp: 1, message: `m${seq}` }], 1, { sender, seq });
      assert.equal((await put(3)).result, 'stored');
      assert.equal((await put(3)).result, 'duplicate');
      assert.equal((await put(2)).result, 'duplicate');
      assert.equal((await put(4)).result, 'stored');
      assert.equal((await put(3, 'mi-2')).result, 'stored');
      const read = await s.events.read('g', 'a', {
        direction: 'forward',
        cursor: undefined,
        limit: 10,
        maxBytes: 1e6,
      });
      assert.deepEqual(
        read?.map((e) => e.message),
        ['m3', 'm4', 'm3'],
      );
      await s.close();
    });

    it('deletes in chunks of at most the limit it is given', async () => {
      const s = open();
      await s.groups.create('g', 1, {});
      await s.groups.setRetention('g', 1);
      await s.streams.create('g', 'x', 1);
      const old = Array.from({ length: 5 }, (_, i) => ({ timestamp: i, message: `m${i}` }));
      await s.events.append('g', 'x', old, 1);
      const counts = [];
      for (let i = 0; i < 4; i++) counts.push(await s.expire(10 * DAY, 2));
      assert.deepEqual(counts, [2, 2, 1, 0]);
      assert.equal(await s.totalBytes(), 0);
      await s.close();
    });

    it('expires events past retention and evicts the oldest over the cap', async () => {
      const s = open();
      await s.groups.create('kept', 1, {});
      await s.groups.create('short', 1, {});
      await s.groups.setRetention('short', 1);
      for (const g of ['kept', 'short']) {
        await s.streams.create(g, 'x', 1);
        await s.events.append(
          g,
          'x',
          [
            { timestamp: 10 * DAY, message: 'old' },
            { timestamp: 12 * DAY, message: 'new' },
          ],
          1,
        );
      }
      assert.equal(await s.expire(12 * DAY + 1, 100), 1);
      assert.equal(await s.expire(12 * DAY + 1, 100), 0);
      assert.equal((await s.groups.get('short'))?.storedBytes, 3 + 26);
      assert.equal((await s.groups.get('kept'))?.storedBytes, 2 * (3 + 26));
      // Over the cap by one event: the oldest ingested one (kept/old) goes.
      assert.equal(await s.evictOver(2 * (3 + 26), 100), 1);
      assert.equal(await s.evictOver(2 * (3 + 26), 100), 0);
      const kept = await s.events.read('kept', 'x', {
        direction: 'forward',
        cursor: undefined,
        limit: 10,
        maxBytes: 1e6,
      });
      assert.deepEqual(
        kept?.map((e) => e.message),
        ['new'],
      );
      await s.close();
    });
  });
}

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempFile(): string {
  const d = mkdtempSync(join(tmpdir(), 'berth-logs-'));
  dirs.push(d);
  return join(d, 'logs.db');
}

suite('sqlite', () => openSqliteLogStore(tempFile()));

describe('LogStore sweeper', () => {
  it('enforces retention on its interval, by the injected clock, and counts expired events in a metric', async () => {
    const clock = new FakeClock(20 * DAY);
    const store = openSqliteLogStore(tempFile());
    await store.groups.create('g', 1, {});
    await store.groups.setRetention('g', 1);
    await store.streams.create('g', 's', 1);
    await store.events.append('g', 's', [{ timestamp: 20 * DAY - 1000, message: 'fresh' }], 1);
    const registry = new Registry();
    const sweeper = startLogSweeper({
      store,
      maxBytes: 1e9,
      log: pino({ level: 'silent' }),
      registry,
      clock,
      intervalMs: 60_000,
    });
    await sweeper.sweep();
    assert.equal((await store.groups.get('g'))?.storedBytes, 5 + 26);
    await clock.advance(DAY + 60_000);
    // Queued behind the sweep the interval started, so this waits for it.
    await sweeper.checkCap();
    assert.equal((await store.groups.get('g'))?.storedBytes, 0);
    assert.match(await registry.metrics(), /berth_logs_events_expired_total 1/);
    await sweeper.stop();
    await store.close();
  });

  it('enforces the size cap after an append, oldest first, and counts evicted events in a metric', async () => {
    const store = openSqliteLogStore(tempFile());
    await store.groups.create('g', 1, {});
    await store.streams.create('g', 's', 1);
    const registry = new Registry();
    const sweeper = startLogSweeper({ store, maxBytes: 40, log: pino({ level: 'silent' }), registry });
    await store.events.append(
      'g',
      's',
      [
        { timestamp: 1, message: 'first' },
        { timestamp: 2, message: 'secnd' },
      ],
      1,
    );
    await sweeper.checkCap();
    const left = await store.events.read('g', 's', {
      direction: 'forward',
      cursor: undefined,
      limit: 10,
      maxBytes: 1e6,
    });
    assert.deepEqual(
      left?.map((e) => e.message),
      ['secnd'],
    );
    assert.match(await registry.metrics(), /berth_logs_events_evicted_total 1/);
    await sweeper.stop();
    await store.close();
  });
});

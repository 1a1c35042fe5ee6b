import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MIN_SPOOL_BYTES, Spool, type SpoolRecord, type SpoolTarget } from './spool.js';

const target: SpoolTarget = {
  group: 'g',
  stream: 'app/web/1',
  createGroup: false,
  region: undefined,
  endpoint: undefined,
};

function records(from: number, count: number, size = 10, container = 'c1'): SpoolRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    t: 1_000 + from + i,
    m: `${String(from + i).padStart(6, '0')} ${'x'.repeat(size)}`,
    c: container,
    p: String(BigInt(1_000 + from + i) * 1_000_000n),
    n: 0,
  }));
}

const messages = (spool: Spool, key: string, max = 1_000_000) =>
  spool.read(key, max).map((e) => e.record.m.slice(0, 6));

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'berth-spool-'));
}

describe('Spool', () => {
  it('keeps appended records only once flushed, and reads them in order', () => {
    const dir = freshDir();
    const spool = new Spool({ dir, limitBytes: MIN_SPOOL_BYTES });
    const key = spool.open(target);
    spool.append(key, records(0, 3));
    assert.deepEqual(messages(spool, key), []);
    // What was appended but not flushed is gone after a crash; the position says where to read again.
    assert.deepEqual(new Spool({ dir, limitBytes: MIN_SPOOL_BYTES }).position(key, 'c1'), undefined);
    spool.flush();
    assert.deepEqual(messages(spool, key), ['000000', '000001', '000002']);
    const reopened = new Spool({ dir, limitBytes: MIN_SPOOL_BYTES });
    assert.deepEqual(messages(reopened, key), ['000000', '000001', '000002']);
    assert.deepEqual(reopened.position(key, 'c1'), { ns: 1_002_000_000n, n: 0 });
    assert.deepEqual(reopened.target(key), target);
  });

  it('resends exactly the batch in flight, under its number, after a restart', () => {
    const dir = freshDir();
    const spool = new Spool({ dir, limitBytes: MIN_SPOOL_BYTES });
    const key = spool.open(target);
    spool.append(key, records(0, 5));
    spool.flush();
    const batch = spool.read(key, 2);
    const seq = spool.begin(key, batch[1]!.end, 0);
    spool.append(key, records(5, 2));
    spool.flush();

    const after = new Spool({ dir, limitBytes: MIN_SPOOL_BYTES });
    assert.deepEqual(after.inflight(key)?.seq, seq);
    assert.deepEqual(messages(after, key), ['000000', '000001']);
    after.ack(key);
    assert.deepEqual(messages(after, key), ['000002', '000003', '000004', '000005', '000006']);
    const next = after.begin(key, after.read(key, 10).at(-1)!.end, 0);
    assert.ok(next > seq, 'batch numbers grow');
    after.ack(key);
    assert.deepEqual(messages(after, key), []);
    assert.equal(after.usedBytes, 0);
    assert.deepEqual(
      readdirSync(join(dir, key)).filter((f) => f.endsWith('.seg')),
      [],
      'acknowledged segments are removed',
    );
    // Positions outlive the records that carried them.
    assert.deepEqual(new Spool({ dir, limitBytes: MIN_SPOOL_BYTES }).position(key, 'c1'), {
      ns: 1_006_000_000n,
      n: 0,
    });
  });

  it('drops the oldest lines when full, counts them, and never drops the batch in flight', () => {
    const dir = freshDir();
    const dropped: number[] = [];
    const spool = new Spool({ dir, limitBytes: MIN_SPOOL_BYTES, onDropped: (_k, n) => dropped.push(n) });
    const key = spool.open(target);
    spool.append(key, records(0, 100, 1000));
    spool.flush();
    spool.begin(key, spool.read(key, 10).at(-1)!.end, 0);
    // Far more than the limit, in flushes of 100 records (~100 KiB).
    for (let i = 100; i < 10_000; i += 100) {
      spool.append(key, records(i, 100, 1000));
      spool.flush();
    }
    assert.ok(spool.usedBytes <= MIN_SPOOL_BYTES, `${spool.usedBytes} bytes used`);
    const total = dropped.reduce((a, b) => a + b, 0);
    assert.equal(spool.dropped(key), total);
    const inflight = messages(spool, key);
    assert.deepEqual(
      inflight,
      records(0, 10).map((r) => r.m.slice(0, 6)),
      'the batch in flight is intact',
    );
    spool.ack(key);
    const rest = messages(spool, key);
    // What is left is the newest lines, in order, and what is missing is exactly what was counted.
    assert.equal(rest.at(-1), '009999');
    assert.equal(10 + total + rest.length, 10_000);
    assert.deepEqual(rest, [...rest].sort());
  });

  it('cuts a torn last line left by a crash', () => {
    const dir = freshDir();
    const spool = new Spool({ dir, limitBytes: MIN_SPOOL_BYTES });
    const key = spool.open(target);
    spool.append(key, records(0, 2));
    spool.flush();
    const segment = readdirSync(join(dir, key)).find((f) => f.endsWith('.seg'))!;
    appendFileSync(join(dir, key, segment), '{"t":1,"m":"torn');
    const reopened = new Spool({ dir, limitBytes: MIN_SPOOL_BYTES });
    assert.deepEqual(messages(reopened, key), ['000000', '000001']);
    reopened.append(key, records(2, 1));
    reopened.flush();
    assert.deepEqual(messages(reopened, key), ['000000', '000001', '000002']);
  });

  it('removes a finished stream of removed containers, and never reuses a batch number', () => {
    const dir = freshDir();
    const spool = new Spool({ dir, limitBytes: MIN_SPOOL_BYTES });
    const key = spool.open(target);
    spool.append(key, records(0, 2));
    spool.flush();
    assert.equal(spool.removeIfFinished(key, new Set()), false, 'not while lines wait');
    const seq = spool.begin(key, spool.read(key, 10).at(-1)!.end, 0);
    spool.ack(key);
    assert.equal(spool.removeIfFinished(key, new Set(['c1'])), false, 'not while its container exists');
    assert.equal(spool.removeIfFinished(key, new Set()), true);
    assert.deepEqual(readdirSync(dir), ['next-batch.json']);

    const later = new Spool({ dir, limitBytes: MIN_SPOOL_BYTES });
    const again = later.open(target);
    assert.equal(again, key, 'the same stream, opened anew');
    assert.equal(later.position(again, 'c1'), undefined);
    later.append(again, records(2, 1));
    later.flush();
    assert.ok(later.begin(again, later.read(again, 10).at(-1)!.end, 0) > seq);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { FakeClock } from '../../util/testing/fake-clock.js';
import type { FetchLike } from '../aws-json.js';
import { BATCH_HEADER, LogsClient } from './client.js';
import { StreamShipper } from './shipper.js';
import { MIN_SPOOL_BYTES, Spool, type SpoolRecord } from './spool.js';

interface Call {
  readonly target: string;
  readonly batch: string | undefined;
  readonly body: { logEvents?: { timestamp: number; message: string }[]; logGroupName?: string };
}

/** A Logs endpoint that records calls and answers from a script (default: success). */
function fakeLogs(
  answer: (call: Call) => { status: number; body: unknown } | 'network' = () => ({ status: 200, body: {} }),
) {
  const calls: Call[] = [];
  const fetch: FetchLike = (_url, init) => {
    const headers = init.headers as Record<string, string>;
    const call: Call = {
      target: headers['x-amz-target']?.split('.')[1] ?? '',
      batch: headers[BATCH_HEADER],
      body: JSON.parse(init.body as string) as Call['body'],
    };
    calls.push(call);
    assert.match(headers.authorization ?? '', /Credential=AKID\/\d{8}\/us-east-1\/logs\/aws4_request/);
    const a = answer(call);
    if (a === 'network') return Promise.reject(new TypeError('fetch failed'));
    return Promise.resolve(new Response(JSON.stringify(a.body), { status: a.status }));
  };
  return { calls, fetch, puts: () => calls.filter((c) => c.target === 'PutLogEvents') };
}

function setUp(fetch: FetchLike, createGroup = false) {
  const clock = new FakeClock();
  const spool = new Spool({ dir: mkdtempSync(join(tmpdir(), 'berth-ship-')), limitBytes: MIN_SPOOL_BYTES });
  const key = spool.open({ group: 'g', stream: 's', createGroup, region: undefined, endpoint: undefined });
  const client = new LogsClient({
    endpoint: 'http://127.0.0.1:4650',
    region: 'us-east-1',
    credentials: () => Promise.resolve({ accessKeyId: 'AKID', secretAccessKey: 'secret' }),
    fetch,
  });
  const shipper = new StreamShipper({
    spool,
    key,
    client,
    sender: 'mi-0123456789abcdef0',
    clock,
    log: pino({ level: 'silent' }),
  });
  const add = (records: SpoolRecord[]) => {
    spool.append(key, records);
    spool.flush();
    shipper.wake();
  };
  return { clock, spool, key, shipper, add };
}

function records(from: number, count: number, t = (i: number) => 1_000 + i): SpoolRecord[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return { t: t(i), m: `line ${i}`, c: 'c1', p: String(BigInt(t(i)) * 1_000_000n), n: 0 };
  });
}

describe('StreamShipper', () => {
  it('creates the stream, then sends a batch after the flush interval, numbered per sender', async () => {
    const logs = fakeLogs();
    const { clock, spool, key, shipper, add } = setUp(logs.fetch);
    add(records(0, 3));
    await clock.advance(4_000);
    assert.equal(logs.puts().length, 0, 'a batch waits for company');
    add(records(3, 2));
    await clock.advance(1_000);
    assert.deepEqual(
      logs.calls.map((c) => c.target),
      ['CreateLogStream', 'PutLogEvents'],
    );
    assert.equal(logs.puts()[0]?.batch, 'mi-0123456789abcdef0/0');
    assert.deepEqual(
      logs.puts()[0]?.body.logEvents?.map((e) => e.message),
      ['line 0', 'line 1', 'line 2', 'line 3', 'line 4'],
    );
    assert.equal(spool.unsentBytes(key), 0);
    add(records(5, 1));
    await clock.advance(5_000);
    assert.equal(logs.puts()[1]?.batch, 'mi-0123456789abcdef0/1');
    await shipper.stop();
  });

  it('resends a failed batch unchanged under the same number, with backoff', async () => {
    let failures = 2;
    const logs = fakeLogs((c) =>
      c.target === 'PutLogEvents' && failures-- > 0 ? 'network' : { status: 200, body: {} },
    );
    const { clock, shipper, add } = setUp(logs.fetch);
    add(records(0, 2));
    await clock.advance(5_000);
    add(records(2, 2)); // arrives while the first batch is being retried: not part of it
    await clock.advance(1_000);
    await clock.advance(2_000);
    const puts = logs.puts();
    assert.equal(puts.length, 3);
    assert.deepEqual(
      puts.map((p) => p.batch),
      Array(3).fill('mi-0123456789abcdef0/0'),
    );
    assert.deepEqual(
      puts.map((p) => p.body.logEvents?.length),
      [2, 2, 2],
    );
    await clock.advance(5_000);
    assert.equal(logs.puts()[3]?.batch, 'mi-0123456789abcdef0/1');
    assert.deepEqual(
      logs.puts()[3]?.body.logEvents?.map((e) => e.message),
      ['line 2', 'line 3'],
    );
    await shipper.stop();
  });

  it('creates a missing group when awslogs-create-group says so', async () => {
    let groupExists = false;
    const logs = fakeLogs((c) => {
      if (c.target === 'CreateLogGroup') groupExists = true;
      if (c.target === 'CreateLogStream' && !groupExists) {
        return {
          status: 400,
          body: { __type: 'ResourceNotFoundException', message: 'The specified log group does not exist.' },
        };
      }
      return { status: 200, body: {} };
    });
    const { clock, shipper, add } = setUp(logs.fetch, true);
    add(records(0, 1));
    await clock.advance(5_000);
    assert.deepEqual(
      logs.calls.map((c) => c.target),
      ['CreateLogStream', 'CreateLogGroup', 'CreateLogStream', 'PutLogEvents'],
    );
    await shipper.stop();
  });

  it('splits at 10,000 events and at 24 hours; what a limit left behind goes at once', async () => {
    const logs = fakeLogs();
    const { clock, shipper, add } = setUp(logs.fetch);
    add(records(0, 10_001));
    await clock.advance(5_000);
    assert.deepEqual(
      logs.puts().map((p) => p.body.logEvents?.length),
      [10_000, 1],
    );
    add(records(0, 2, (i) => 1_000 + i * 25 * 3_600_000));
    await clock.advance(5_000);
    assert.deepEqual(
      logs.puts().map((p) => p.body.logEvents?.length),
      [10_000, 1, 1, 1],
    );
    await shipper.stop();
  });

  it('reports lines the spool dropped as an event of the stream', async () => {
    const logs = fakeLogs();
    const { clock, spool, key, shipper, add } = setUp(logs.fetch);
    // A spool of 4 MiB holding 6 MiB: the oldest lines go.
    for (let i = 0; i < 60; i++) {
      spool.append(
        key,
        Array.from({ length: 100 }, (_, k) => ({
          t: 1_000,
          m: 'x'.repeat(1_000),
          c: 'c1',
          p: '1',
          n: i * 100 + k,
        })),
      );
      spool.flush();
    }
    const dropped = spool.dropped(key);
    assert.ok(dropped > 0);
    add([]);
    for (let i = 0; i < 10 && spool.unsentBytes(key) > 0; i++) await clock.advance(5_000);
    const notes = logs
      .puts()
      .flatMap((p) => p.body.logEvents ?? [])
      .filter((e) => e.message.startsWith('berth:'));
    assert.deepEqual(
      notes.map((e) => e.message),
      [`berth: ${dropped} log events dropped while the spool was full`],
    );
    assert.equal(spool.dropped(key), 0);
    await shipper.stop();
  });
});

describe('StreamShipper with much to send', () => {
  it('sends batches of at most 1 MiB back to back', async () => {
    const logs = fakeLogs();
    const { clock, shipper, add } = setUp(logs.fetch);
    const big = Array.from({ length: 3_000 }, (_, i): SpoolRecord => ({
      t: 1_000,
      m: `${i} ${'y'.repeat(1_000)}`,
      c: 'c1',
      p: '1',
      n: i,
    }));
    add(big);
    await clock.advance(0);
    const sizes = logs
      .puts()
      .map((p) => (p.body.logEvents ?? []).reduce((sum, e) => sum + Buffer.byteLength(e.message) + 26, 0));
    assert.ok(sizes.length >= 3, `${sizes.length} batches before the flush interval`);
    for (const size of sizes) assert.ok(size <= 1_048_576);
    await clock.advance(5_000);
    const sent = logs
      .puts()
      .flatMap((p) => p.body.logEvents ?? [])
      .map((e) => e.message);
    assert.deepEqual(
      sent,
      big.map((r) => r.m),
    );
    await shipper.stop();
  });
});

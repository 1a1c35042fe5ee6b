import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EventAssembler,
  FrameDecoder,
  LineNumbering,
  LineSplitter,
  MAX_EVENT_BYTES,
  parseTimestamped,
  sinceParameter,
  type DockerLine,
} from './lines.js';

function frame(type: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

const line = (ns: bigint, text: string, n = 0): DockerLine => ({ ns, n, text });

describe('Docker log stream', () => {
  it('demultiplexes stdout and stderr frames in order, across chunk boundaries', () => {
    const bytes = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]);
    const decoder = new FrameDecoder(true);
    const payloads = [
      ...decoder.push(bytes.subarray(0, 5)),
      ...decoder.push(bytes.subarray(5, 17)),
      ...decoder.push(bytes.subarray(17)),
    ];
    assert.deepEqual(
      payloads.map((p) => p.toString()),
      ['out 1\n', 'err 1\n', 'out 2\n'],
    );
  });

  it('passes a TTY stream through', () => {
    assert.equal(new FrameDecoder(false).push(Buffer.from('raw\n'))[0]?.toString(), 'raw\n');
  });

  it('splits lines, keeping a partial line (and a split UTF-8 character) for the next chunk', () => {
    const splitter = new LineSplitter();
    const text = Buffer.from('a\nhé');
    assert.deepEqual(splitter.push(text.subarray(0, 4)), ['a']);
    assert.deepEqual(splitter.push(Buffer.concat([text.subarray(4), Buffer.from('llo\nb')])), ['héllo']);
  });

  it('reads Docker timestamps to the nanosecond, and writes them back as `since`', () => {
    const parsed = parseTimestamped('2024-05-01T00:00:01.000000042Z hello world');
    assert.deepEqual(parsed, { ns: 1_714_521_601_000_000_042n, text: 'hello world' });
    assert.equal(sinceParameter(1_714_521_601_000_000_042n), '1714521601.000000042');
    assert.equal(parseTimestamped('no timestamp here'), undefined);
    assert.equal(parseTimestamped('2024-05-01T00:00:01Z ')?.text, '');
  });
});

describe('LineNumbering', () => {
  it('resumes after the last captured line: equal timestamps by ordinal, earlier ones skipped', () => {
    const numbering = new LineNumbering({ ns: 10n, n: 1 });
    const seen = [
      numbering.number(9n, 'old'),
      numbering.number(10n, 'a'),
      numbering.number(10n, 'b'),
      numbering.number(10n, 'c'),
      numbering.number(11n, 'd'),
    ].map((l) => l?.text);
    assert.deepEqual(seen, [undefined, undefined, undefined, 'c', 'd']);
  });
});

describe('EventAssembler', () => {
  it('makes one event per non-empty line without a pattern, keeping the line time in ms', () => {
    const a = new EventAssembler(undefined);
    assert.deepEqual(a.push(line(1_500_000n, 'x')), [
      { timestamp: 1, message: 'x', last: { ns: 1_500_000n, n: 0 } },
    ]);
    assert.deepEqual(a.push(line(2_000_000n, '')), []);
  });

  it('joins lines until the next one matching the pattern; the event takes its first line time', () => {
    const a = new EventAssembler(/^\d{4}-/);
    assert.deepEqual(a.push(line(1_000_000n, '2024-05-01 boom')), []);
    assert.deepEqual(a.push(line(2_000_000n, '  at f()')), []);
    const out = a.push(line(3_000_000n, '2024-05-01 next'));
    assert.deepEqual(out, [
      { timestamp: 1, message: '2024-05-01 boom\n  at f()', last: { ns: 2_000_000n, n: 0 } },
    ]);
    assert.deepEqual(
      a.flush().map((e) => e.message),
      ['2024-05-01 next'],
    );
  });

  it('cuts events over 256 KiB as moby does, never inside a character', () => {
    const big = 'é'.repeat(MAX_EVENT_BYTES);
    const events = new EventAssembler(undefined).push(line(0n, big));
    assert.ok(events.length === 2);
    assert.equal(events.map((e) => e.message).join(''), big);
    for (const e of events) assert.ok(Buffer.byteLength(e.message) <= MAX_EVENT_BYTES);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { FakeClock } from '../../util/testing/fake-clock.js';
import { CONTAINER_NAME_LABEL, TASK_ARN_LABEL } from '../engine/labels.js';
import { LogCapture } from './capture.js';
import type { LogContainer, LogDocker } from './docker-source.js';
import { AWSLOGS_LABEL } from './options.js';
import { MIN_SPOOL_BYTES, Spool } from './spool.js';

const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/edge/0123456789abcdef';

/** A container's json-file log as dockerd serves it: every line with its timestamp, from `since` on. */
class FakeLogDocker implements LogDocker {
  readonly lines: { ns: bigint; text: string; stream: 1 | 2 }[] = [];
  running = true;
  readonly follows: (string | undefined)[] = [];
  #starts: ((id: string) => void) | undefined;
  readonly #open = new Set<PassThrough>();

  constructor(readonly options: Record<string, string>) {}

  list(): Promise<string[]> {
    return Promise.resolve(['c1']);
  }
  inspect(id: string): Promise<LogContainer | undefined> {
    return Promise.resolve({
      id,
      running: this.running,
      tty: false,
      labels: {
        [AWSLOGS_LABEL]: JSON.stringify(this.options),
        [CONTAINER_NAME_LABEL]: 'web',
        [TASK_ARN_LABEL]: TASK,
      },
    });
  }
  watchStarts(_label: string, onStart: (id: string) => void): { close(): void } {
    this.#starts = onStart;
    return { close: () => (this.#starts = undefined) };
  }
  follow(_id: string, since: string | undefined, signal: AbortSignal): Promise<NodeJS.ReadableStream> {
    this.follows.push(since);
    const stream = new PassThrough();
    const from = since === undefined ? 0n : BigInt(since.replace('.', ''));
    for (const l of this.lines) if (l.ns >= from) stream.write(frame(l));
    if (this.running) this.#open.add(stream);
    else stream.end();
    signal.addEventListener('abort', () => stream.destroy(), { once: true });
    return Promise.resolve(stream);
  }
  /** The container writes a line (seconds since the epoch, for readability). */
  write(seconds: number, text: string, stream: 1 | 2 = 1): void {
    const line = { ns: BigInt(seconds) * 1_000_000_000n, text, stream };
    this.lines.push(line);
    for (const s of this.#open) s.write(frame(line));
  }
  exit(): void {
    this.running = false;
    for (const s of this.#open) s.end();
    this.#open.clear();
  }
  start(): void {
    this.running = true;
    this.#starts?.('c1');
  }
}

function frame(l: { ns: bigint; text: string; stream: 1 | 2 }): Buffer {
  const seconds = Number(l.ns / 1_000_000_000n);
  const payload = Buffer.from(
    `${new Date(seconds * 1000).toISOString().replace('.000Z', '.000000000Z')} ${l.text}\n`,
  );
  const header = Buffer.alloc(8);
  header[0] = l.stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function setUp(docker: FakeLogDocker, dir = mkdtempSync(join(tmpdir(), 'berth-capture-'))) {
  const clock = new FakeClock();
  const spool = new Spool({ dir, limitBytes: MIN_SPOOL_BYTES });
  const streams: string[] = [];
  const capture = new LogCapture({
    docker,
    spool,
    clock,
    log: pino({ level: 'silent' }),
    onStream: (k) => streams.push(k),
  });
  return { clock, spool, capture, streams, dir };
}

const spooled = (spool: Spool) =>
  spool.keys().flatMap((k) => spool.read(k, 1_000_000).map((e) => `${e.record.t / 1000} ${e.record.m}`));

/** Lets the fake streams' data events run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('LogCapture', () => {
  it('spools stdout and stderr lines with the container timestamps into the stream its options name', async () => {
    const docker = new FakeLogDocker({ 'awslogs-group': 'g', 'awslogs-stream-prefix': 'app' });
    docker.write(100, 'one');
    docker.write(101, 'two', 2);
    const { spool, capture, streams } = setUp(docker);
    await capture.start();
    docker.write(102, 'three');
    await settle();
    spool.flush();
    assert.deepEqual(spooled(spool), ['100 one', '101 two', '102 three']);
    assert.equal(spool.target(streams[0]!).stream, 'app/web/0123456789abcdef');
    await capture.stop();
  });

  it('resumes after a restart from the last durable line: nothing twice, nothing missing', async () => {
    const docker = new FakeLogDocker({ 'awslogs-group': 'g' });
    for (const [i, s] of [100, 100, 100, 101].entries()) docker.write(s, `line ${i}`);
    const first = setUp(docker);
    await first.capture.start();
    await settle();
    first.spool.flush();
    // Captured but never flushed (the agent is killed): not durable, so the next run reads it again.
    docker.write(101, 'line 4');
    await settle();
    await first.capture.stop();
    // Written while the agent is down.
    docker.write(102, 'line 5');
    const second = setUp(docker, first.dir);
    await second.capture.start();
    await settle();
    second.spool.flush();
    assert.deepEqual(spooled(second.spool), [
      '100 line 0',
      '100 line 1',
      '100 line 2',
      '101 line 3',
      '101 line 4',
      '102 line 5',
    ]);
    assert.equal(docker.follows.at(-1), '101.000000000');
    await second.capture.stop();
  });

  it('reads an exited container to its end, and again from there when it restarts', async () => {
    const docker = new FakeLogDocker({ 'awslogs-group': 'g' });
    docker.write(100, 'before exit');
    docker.exit();
    const { spool, capture, clock } = setUp(docker);
    await capture.start();
    await settle();
    docker.write(200, 'after restart');
    docker.start();
    await clock.advance(0);
    await settle();
    spool.flush();
    assert.deepEqual(spooled(spool), ['100 before exit', '200 after restart']);
    await capture.stop();
  });

  it('joins multi-line events and ends a waiting one after 5 s without lines', async () => {
    const docker = new FakeLogDocker({ 'awslogs-group': 'g', 'awslogs-multiline-pattern': '^ERROR|^INFO' });
    docker.write(100, 'ERROR boom');
    docker.write(100, '  at one');
    docker.write(101, 'INFO fine');
    const { spool, capture, clock } = setUp(docker);
    await capture.start();
    await settle();
    spool.flush();
    assert.deepEqual(spooled(spool), ['100 ERROR boom\n  at one']);
    await clock.advance(5_000);
    spool.flush();
    assert.deepEqual(spooled(spool), ['100 ERROR boom\n  at one', '101 INFO fine']);
    await capture.stop();
  });
});

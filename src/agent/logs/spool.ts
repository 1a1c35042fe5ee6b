/**
 * One durable spool per host between the containers' output and the control plane
 * (`<data dir>/logs/spool/`). Each log stream has a folder: `target.json` (where it ships), `state.json` (what
 * was acknowledged, the batch in flight, lines lost, capture positions) and segment files of JSON lines,
 * numbered host-wide so the oldest segment of any stream is known.
 *
 * Durability: `append` only buffers; `flush` (every 200 ms, or at 1 MiB buffered) writes and fdatasyncs, and
 * only flushed records count: the shipper reads files, and a capture position becomes durable with the
 * record that carries it. A `kill -9` loses the unflushed buffer, and the restarted capture reads those lines
 * from Docker again, from the last durable position: nothing is lost or doubled.
 *
 * Shipping: `read` gives the records from the acknowledged position (or exactly the batch in flight after a
 * restart); `begin` records the batch's extent and number durably before it is sent, so a resend after a
 * crash is the same batch with the same number; `ack` moves past it and removes finished segments.
 *
 * Bound: before a flush would pass the limit, the oldest segments go (never one a batch in flight reads);
 * their unsent events are counted in the stream's `dropped`, which the shipper reports as an event.
 */
import { createHash } from 'node:crypto';
import { readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsLogsTarget } from './options.js';
import {
  appendDurably,
  ensureDirSync,
  readFrom,
  readJson,
  removeFile,
  writeJsonDurably,
} from './spool-files.js';

/** One event as spooled, with the capture position of its last line. */
export interface SpoolRecord {
  /** Event time, epoch ms (the container's own, from Docker). */
  readonly t: number;
  readonly m: string;
  /** Container id. */
  readonly c: string;
  /** Docker's timestamp of the event's last line, ns since the epoch, as decimal text. */
  readonly p: string;
  /** That line's ordinal among the container's lines with the same timestamp. */
  readonly n: number;
}

/** Where a stream is shipped: what a spool stream needs to outlive the container. */
export type SpoolTarget = Pick<AwsLogsTarget, 'group' | 'stream' | 'createGroup' | 'region' | 'endpoint'>;

export interface Pos {
  readonly seg: number;
  readonly off: number;
}

export interface CapturePosition {
  readonly ns: bigint;
  readonly n: number;
}

export interface SpooledEvent {
  readonly record: SpoolRecord;
  /** The position just after it. */
  readonly end: Pos;
}

interface Inflight {
  readonly seq: number;
  readonly end: Pos;
  /** The dropped-events count the batch reports. */
  readonly dropped: number;
}

interface StreamState {
  lastSeq: number;
  acked: Pos;
  inflight: Inflight | undefined;
  dropped: number;
  positions: Record<string, { p: string; n: number }>;
}

interface Segment {
  readonly no: number;
  size: number;
}

class SpoolStream {
  readonly segments: Segment[] = [];
  current: Segment | undefined;
  buffer: Buffer[] = [];
  buffered = 0;
  /** Positions of what was appended, flushed or not. */
  readonly latest = new Map<string, CapturePosition>();
  /** Positions of what is on disk. */
  readonly durable = new Map<string, CapturePosition>();
  pendingPositions = new Map<string, CapturePosition>();
  constructor(
    readonly key: string,
    readonly dir: string,
    readonly target: SpoolTarget,
    public state: StreamState,
  ) {}
}

export const DEFAULT_FLUSH_INTERVAL_MS = 200;
const FLUSH_AT_BYTES = 1024 * 1024;
/** The next batch number, kept when a stream folder is removed. */
const SEQ_FLOOR_FILE = 'next-batch.json';
const READ_CHUNK_BYTES = 4 * 1024 * 1024;
export const MIN_SPOOL_BYTES = 4 * 1024 * 1024;

export interface SpoolOptions {
  readonly dir: string;
  readonly limitBytes: number;
  /** Called after a flush put new records of these streams on disk. */
  readonly onFlushed?: (keys: readonly string[]) => void;
  /** Called when the spool dropped events of a stream to stay within its limit. */
  readonly onDropped?: (key: string, events: number) => void;
}

export class Spool {
  readonly #dir: string;
  readonly #limit: number;
  readonly #segmentBytes: number;
  readonly #streams = new Map<string, SpoolStream>();
  readonly #options: SpoolOptions;
  #nextSegment = 1;
  #nextSeq = 0;
  #used = 0;

  constructor(options: SpoolOptions) {
    this.#options = options;
    this.#dir = options.dir;
    this.#limit = Math.max(options.limitBytes, MIN_SPOOL_BYTES);
    this.#segmentBytes = Math.min(8 * 1024 * 1024, Math.max(64 * 1024, Math.floor(this.#limit / 16)));
    ensureDirSync(this.#dir);
    const floor = readJson(join(this.#dir, SEQ_FLOOR_FILE)) as { next?: number } | undefined;
    this.#nextSeq = floor?.next ?? 0;
    for (const key of readdirSync(this.#dir)) if (key !== SEQ_FLOOR_FILE) this.#load(key);
  }

  get usedBytes(): number {
    return this.#used;
  }

  keys(): string[] {
    return [...this.#streams.keys()];
  }

  target(key: string): SpoolTarget {
    return this.#get(key).target;
  }

  /** The stream for `target`, created (durably) when new. */
  open(given: SpoolTarget): string {
    const target = spoolTarget(given);
    const key = streamKey(target);
    if (this.#streams.has(key)) return key;
    const dir = join(this.#dir, key);
    ensureDirSync(dir);
    writeJsonDurably(dir, 'target.json', target);
    const state: StreamState = {
      lastSeq: -1,
      acked: { seg: 0, off: 0 },
      inflight: undefined,
      dropped: 0,
      positions: {},
    };
    writeJsonDurably(dir, 'state.json', state);
    this.#streams.set(key, new SpoolStream(key, dir, target, state));
    return key;
  }

  /** Where the capture of `container` resumes: after the last event it spooled. */
  position(key: string, container: string): CapturePosition | undefined {
    return this.#get(key).latest.get(container);
  }

  /** Buffers records in order; they become durable with the next flush. Never blocks. */
  append(key: string, records: readonly SpoolRecord[]): void {
    const s = this.#get(key);
    for (const r of records) {
      const line = Buffer.from(`${JSON.stringify(r)}\n`);
      s.buffer.push(line);
      s.buffered += line.length;
      const position = { ns: BigInt(r.p), n: r.n };
      s.latest.set(r.c, position);
      s.pendingPositions.set(r.c, position);
    }
    if (this.#bufferedBytes() >= FLUSH_AT_BYTES) this.flush();
  }

  /** Writes every stream's buffer and makes it durable. */
  flush(): void {
    const flushed: string[] = [];
    for (const s of this.#streams.values()) {
      if (s.buffered === 0) continue;
      const data = Buffer.concat(s.buffer);
      const events = s.buffer.length;
      s.buffer = [];
      s.buffered = 0;
      if (!this.#makeRoom(data.length)) {
        this.#countDropped(s, events);
        continue;
      }
      if (s.current === undefined || s.current.size >= this.#segmentBytes) {
        s.current = { no: this.#nextSegment++, size: 0 };
        s.segments.push(s.current);
      }
      appendDurably(join(s.dir, segmentName(s.current.no)), data);
      s.current.size += data.length;
      this.#used += data.length;
      for (const [c, p] of s.pendingPositions) s.durable.set(c, p);
      s.pendingPositions.clear();
      flushed.push(s.key);
    }
    if (flushed.length > 0) this.#options.onFlushed?.(flushed);
  }

  /**
   * Removes a stream that has nothing left to send and whose containers are all gone (their positions are no
   * longer needed). Batch numbers are host-wide; the next one is kept first, so a stream of the same name
   * later never reuses a number the control plane has seen.
   */
  removeIfFinished(key: string, existing: ReadonlySet<string>): boolean {
    const s = this.#get(key);
    const containers = [...s.latest.keys()];
    const finished =
      s.segments.length === 0 &&
      s.buffered === 0 &&
      s.state.inflight === undefined &&
      s.state.dropped === 0 &&
      containers.length > 0 &&
      containers.every((c) => !existing.has(c));
    if (!finished) return false;
    writeJsonDurably(this.#dir, SEQ_FLOOR_FILE, { next: this.#nextSeq });
    rmSync(s.dir, { recursive: true, force: true });
    this.#streams.delete(key);
    return true;
  }

  /** Events lost to a full spool and not yet reported by a shipped batch. */
  dropped(key: string): number {
    const state = this.#get(key).state;
    return state.dropped - (state.inflight?.dropped ?? 0);
  }

  /** Bytes on disk not yet acknowledged (records and their spool framing), cheaply, without reading. */
  unsentBytes(key: string): number {
    const s = this.#get(key);
    const acked = s.state.acked;
    let n = 0;
    for (const seg of s.segments) {
      if (seg.no > acked.seg) n += seg.size;
      else if (seg.no === acked.seg) n += Math.max(0, seg.size - acked.off);
    }
    return n;
  }

  /** The batch in flight, if a send was begun and not acknowledged. */
  inflight(key: string): Inflight | undefined {
    return this.#get(key).state.inflight;
  }

  /**
   * Up to `max` durable records from the acknowledged position on; with a batch in flight, exactly its
   * records (it must be sent again as it was).
   */
  read(key: string, max: number): SpooledEvent[] {
    const s = this.#get(key);
    return this.#scan(s, s.state.acked, s.state.inflight?.end, max);
  }

  /** Records a batch (records up to `end`, reporting `dropped` lost events) durably; returns its number. */
  begin(key: string, end: Pos, dropped: number): number {
    const s = this.#get(key);
    if (s.state.inflight !== undefined) return s.state.inflight.seq;
    const seq = this.#nextSeq++;
    s.state = { ...s.state, lastSeq: seq, inflight: { seq, end, dropped } };
    this.#saveState(s);
    return seq;
  }

  /** The batch in flight was stored: move past it and remove what is finished. */
  ack(key: string): void {
    const s = this.#get(key);
    const inflight = s.state.inflight;
    if (inflight === undefined) return;
    s.state = {
      ...s.state,
      acked: inflight.end,
      inflight: undefined,
      dropped: s.state.dropped - inflight.dropped,
    };
    this.#saveState(s);
    this.#removeFinished(s);
  }

  #scan(s: SpoolStream, from: Pos, until: Pos | undefined, max: number): SpooledEvent[] {
    const out: SpooledEvent[] = [];
    for (const seg of s.segments) {
      if (seg.no < from.seg) continue;
      if (until !== undefined && seg.no > until.seg) break;
      let off = seg.no === from.seg ? from.off : 0;
      const stop = until !== undefined && seg.no === until.seg ? until.off : seg.size;
      while (off < stop && out.length < max) {
        const chunk = readFrom(join(s.dir, segmentName(seg.no)), off, Math.min(READ_CHUNK_BYTES, stop - off));
        let start = 0;
        for (let nl = chunk.indexOf(10); nl >= 0 && out.length < max; nl = chunk.indexOf(10, start)) {
          const record = JSON.parse(chunk.toString('utf8', start, nl)) as SpoolRecord;
          start = nl + 1;
          out.push({ record, end: { seg: seg.no, off: off + start } });
        }
        if (start === 0) throw new Error(`spool segment ${seg.no} in ${s.dir} has a line over 4 MiB`);
        off += start;
      }
      if (out.length >= max) break;
    }
    return out;
  }

  #get(key: string): SpoolStream {
    const s = this.#streams.get(key);
    if (s === undefined) throw new Error(`no spool stream ${key}`);
    return s;
  }

  #bufferedBytes(): number {
    let n = 0;
    for (const s of this.#streams.values()) n += s.buffered;
    return n;
  }

  #saveState(s: SpoolStream): void {
    s.state.positions = Object.fromEntries(
      [...s.durable].map(([c, p]) => [c, { p: p.ns.toString(), n: p.n }]),
    );
    writeJsonDurably(s.dir, 'state.json', s.state);
  }

  #countDropped(s: SpoolStream, events: number): void {
    s.state.dropped += events;
    this.#options.onDropped?.(s.key, events);
  }

  /** Drops the oldest segments until `bytes` more fit; false when they cannot (all pinned, or too big). */
  #makeRoom(bytes: number): boolean {
    while (this.#used + bytes > this.#limit) {
      const oldest = this.#oldestDroppable();
      if (oldest === undefined) return false;
      this.#drop(oldest.stream, oldest.segment);
    }
    return true;
  }

  #oldestDroppable(): { stream: SpoolStream; segment: Segment } | undefined {
    let best: { stream: SpoolStream; segment: Segment } | undefined;
    for (const stream of this.#streams.values()) {
      const inflight = stream.state.inflight;
      for (const segment of stream.segments) {
        const pinned =
          inflight !== undefined && segment.no >= stream.state.acked.seg && segment.no <= inflight.end.seg;
        if (pinned) continue;
        if (best === undefined || segment.no < best.segment.no) best = { stream, segment };
        break;
      }
    }
    return best;
  }

  #drop(s: SpoolStream, seg: Segment): void {
    const path = join(s.dir, segmentName(seg.no));
    const acked = s.state.acked;
    const from = seg.no === acked.seg ? acked.off : 0;
    const lost = countLines(readFrom(path, from, seg.size - from));
    if (lost > 0) this.#countDropped(s, lost);
    this.#saveState(s);
    this.#forget(s, seg);
  }

  #removeFinished(s: SpoolStream): void {
    const acked = s.state.acked;
    for (const seg of [...s.segments]) {
      if (seg.no < acked.seg || (seg.no === acked.seg && acked.off >= seg.size)) this.#forget(s, seg);
    }
  }

  #forget(s: SpoolStream, seg: Segment): void {
    removeFile(join(s.dir, segmentName(seg.no)));
    this.#used -= seg.size;
    s.segments.splice(s.segments.indexOf(seg), 1);
    if (s.current === seg) s.current = undefined;
  }

  #load(key: string): void {
    const dir = join(this.#dir, key);
    const target = readJson(join(dir, 'target.json')) as SpoolTarget | undefined;
    const state = readJson(join(dir, 'state.json')) as StreamState | undefined;
    if (target === undefined || state === undefined) return;
    const s = new SpoolStream(key, dir, spoolTarget(target), state);
    for (const [c, p] of Object.entries(state.positions)) {
      const position = { ns: BigInt(p.p), n: p.n };
      s.latest.set(c, position);
      s.durable.set(c, position);
    }
    const numbers = readdirSync(dir)
      .map((name) => /^(\d+)\.seg$/.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    for (const no of numbers) {
      const path = join(dir, segmentName(no));
      const size = completeSize(path);
      this.#nextSegment = Math.max(this.#nextSegment, no + 1);
      if (size === 0 || no < state.acked.seg || (no === state.acked.seg && state.acked.off >= size)) {
        removeFile(path);
        continue;
      }
      s.segments.push({ no, size });
      this.#used += size;
    }
    // Positions of records not yet acknowledged are in the records themselves (state.json has the older ones).
    for (const { record } of this.#scan(s, state.acked, undefined, Number.MAX_SAFE_INTEGER)) {
      const position = { ns: BigInt(record.p), n: record.n };
      if (isAfter(position, s.latest.get(record.c))) {
        s.latest.set(record.c, position);
        s.durable.set(record.c, position);
      }
    }
    this.#nextSegment = Math.max(this.#nextSegment, state.acked.seg + 1, (state.inflight?.end.seg ?? 0) + 1);
    this.#nextSeq = Math.max(this.#nextSeq, state.lastSeq + 1);
    this.#streams.set(key, s);
  }
}

/** Only what shipping needs, the same whether just given or read back from target.json. */
function spoolTarget(t: SpoolTarget): SpoolTarget {
  return {
    group: t.group,
    stream: t.stream,
    createGroup: t.createGroup,
    region: t.region ?? undefined,
    endpoint: t.endpoint ?? undefined,
  };
}

function segmentName(no: number): string {
  return `${String(no).padStart(12, '0')}.seg`;
}

export function streamKey(target: SpoolTarget): string {
  return createHash('sha256')
    .update(JSON.stringify([target.endpoint ?? '', target.region ?? '', target.group, target.stream]))
    .digest('hex')
    .slice(0, 24);
}

export function isAfter(a: CapturePosition, b: CapturePosition | undefined): boolean {
  return b === undefined || a.ns > b.ns || (a.ns === b.ns && a.n > b.n);
}

function countLines(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) n++;
  return n;
}

/** A segment's size without a torn last line (a crash mid-write), which is cut off. */
function completeSize(path: string): number {
  const size = statSync(path).size;
  if (size === 0) return 0;
  const tail = readFrom(path, Math.max(0, size - READ_CHUNK_BYTES), Math.min(size, READ_CHUNK_BYTES));
  const lastNewline = tail.lastIndexOf(10);
  const complete = lastNewline < 0 ? 0 : size - tail.length + lastNewline + 1;
  if (complete !== size) truncateSync(path, complete);
  return complete;
}

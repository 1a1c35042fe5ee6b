/**
 * From Docker's log stream to events, pure: the stream's 8-byte frame headers (stdout / stderr multiplexed,
 * unless the container has a TTY), lines with Docker's timestamp prefix, and the awslogs rules that cut
 * lines into events (a multi-line pattern, moby's 256 KiB event limit, no empty events).
 */

/** One line as Docker stored it. */
export interface DockerLine {
  /** Docker's timestamp, ns since the epoch. */
  readonly ns: bigint;
  /** Its ordinal among this container's lines with the same timestamp, so a resume can skip exactly those seen. */
  readonly n: number;
  readonly text: string;
}

/** An event, with the position of its last line. */
export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly last: { readonly ns: bigint; readonly n: number };
}

/** moby's awslogs limit: 256 KiB per event less PutLogEvents' 26 bytes of overhead. */
export const MAX_EVENT_BYTES = 262_144 - 26;

/**
 * Splits Docker's multiplexed stream (`[type, 0, 0, 0, size32be] payload`) or a TTY's raw one into the
 * payload bytes, in order. stdout and stderr share one line buffer: Docker writes each line as one frame.
 */
export class FrameDecoder {
  #pending: Buffer = Buffer.alloc(0);
  constructor(readonly multiplexed: boolean) {}

  push(chunk: Buffer): Buffer[] {
    if (!this.multiplexed) return [chunk];
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const out: Buffer[] = [];
    while (this.#pending.length >= 8) {
      const size = this.#pending.readUInt32BE(4);
      if (this.#pending.length < 8 + size) break;
      out.push(this.#pending.subarray(8, 8 + size));
      this.#pending = this.#pending.subarray(8 + size);
    }
    return out;
  }
}

/** Splits bytes into complete lines (without the newline); a partial last line waits for the rest. */
export class LineSplitter {
  #rest = '';
  readonly #decoder = new TextDecoder('utf-8');

  push(data: Buffer): string[] {
    const text = this.#rest + this.#decoder.decode(data, { stream: true });
    const lines = text.split('\n');
    this.#rest = lines.pop() ?? '';
    return lines;
  }
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}) ?/;

/** `2024-05-01T00:00:00.123456789Z text` → ns and text; undefined for a line without Docker's prefix. */
export function parseTimestamped(line: string): { ns: bigint; text: string } | undefined {
  const m = TIMESTAMP.exec(line);
  if (m === null) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  const fraction = BigInt((m[2] ?? '').padEnd(9, '0'));
  return { ns: BigInt(seconds) * 1_000_000n + fraction, text: line.slice(m[0].length) };
}

/** Docker's `since` for a position: `seconds.nanoseconds`; Docker includes lines at exactly that time. */
export function sinceParameter(ns: bigint): string {
  return `${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
}

/**
 * Numbers lines by timestamp and skips those up to a resume position: Docker's `since` includes lines at
 * exactly that time, and lines before it may come too when its clock went back.
 */
export class LineNumbering {
  #lastNs: bigint | undefined;
  #n = 0;
  constructor(readonly after: { readonly ns: bigint; readonly n: number } | undefined) {}

  /** The line numbered, or undefined when the capture has it already. */
  number(ns: bigint, text: string): DockerLine | undefined {
    this.#n = ns === this.#lastNs ? this.#n + 1 : 0;
    this.#lastNs = ns;
    const line = { ns, n: this.#n, text };
    const a = this.after;
    if (a !== undefined && (ns < a.ns || (ns === a.ns && this.#n <= a.n))) return undefined;
    return line;
  }
}

/**
 * Lines into events. Without a pattern each non-empty line is an event; with one, a matching line starts a
 * new event and the others join the current one (moby keeps unmatched leading lines as their own event).
 * Events over MAX_EVENT_BYTES are cut, as moby does.
 */
export class EventAssembler {
  #pending: { first: DockerLine; last: DockerLine; lines: string[]; bytes: number } | undefined;
  constructor(readonly pattern: RegExp | undefined) {}

  get pendingSince(): bigint | undefined {
    return this.#pending?.first.ns;
  }

  push(line: DockerLine): LogEvent[] {
    if (this.pattern === undefined) return line.text === '' ? [] : split(line, line, line.text);
    const out: LogEvent[] = [];
    const p = this.#pending;
    const size = Buffer.byteLength(line.text) + 1;
    if (p === undefined || this.pattern.test(line.text) || p.bytes + size > MAX_EVENT_BYTES) {
      out.push(...this.flush());
      this.#pending = { first: line, last: line, lines: [line.text], bytes: size };
    } else {
      p.lines.push(line.text);
      p.last = line;
      p.bytes += size;
    }
    return out;
  }

  /** The event being assembled, ended now (the stream ended, or it waited long enough for more lines). */
  flush(): LogEvent[] {
    const p = this.#pending;
    this.#pending = undefined;
    if (p === undefined) return [];
    const message = p.lines.join('\n');
    return message.trim() === '' ? [] : split(p.first, p.last, message);
  }
}

function split(first: DockerLine, last: DockerLine, message: string): LogEvent[] {
  const timestamp = Number(first.ns / 1_000_000n);
  const position = { ns: last.ns, n: last.n };
  if (Buffer.byteLength(message) <= MAX_EVENT_BYTES) return [{ timestamp, message, last: position }];
  const out: LogEvent[] = [];
  const bytes = Buffer.from(message);
  for (let i = 0; i < bytes.length;) {
    let end = Math.min(bytes.length, i + MAX_EVENT_BYTES);
    // Never cut inside a UTF-8 sequence.
    while (end < bytes.length && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    out.push({ timestamp, message: bytes.toString('utf8', i, end), last: position });
    i = end;
  }
  return out;
}

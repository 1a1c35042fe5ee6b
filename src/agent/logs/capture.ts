/**
 * Captures the output of every awslogs container on the host into the spool. Docker writes each container's
 * lines to its json-file log whatever the agent does, so the container never waits for the agent: the capture
 * reads behind it, from the position the spool last made durable, and appends without waiting for anything.
 *
 * Containers are found by their label (options.ts): those that exist when the capture starts (an exited one
 * is read to its end) and each start after that (a restart policy's restarts included). One reader per
 * container; a start seen while one reads is picked up when it ends.
 */
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../util/clock.js';
import { CONTAINER_NAME_LABEL, TASK_ARN_LABEL } from '../engine/labels.js';
import type { LogDocker } from './docker-source.js';
import {
  EventAssembler,
  FrameDecoder,
  LineNumbering,
  LineSplitter,
  parseTimestamped,
  sinceParameter,
  type LogEvent,
} from './lines.js';
import { AWSLOGS_LABEL, awsLogsTarget, type AwsLogsTarget } from './options.js';
import type { Spool } from './spool.js';

/** A multi-line event waits this long for its next line before it is spooled as it is. */
export const MULTILINE_WAIT_MS = 5_000;
/** Before reading again after dockerd's stream failed or ended early. */
export const RETRY_MS = 1_000;

export interface CaptureDeps {
  readonly docker: LogDocker;
  readonly spool: Spool;
  readonly clock: Clock;
  readonly log: Logger;
  /** A spool stream got a writer (the shipper for it must run). */
  readonly onStream: (key: string) => void;
}

interface Reader {
  readonly abort: AbortController;
  again: boolean;
  readonly done: Promise<void>;
}

export class LogCapture {
  readonly #d: CaptureDeps;
  readonly #readers = new Map<string, Reader>();
  #watch: { close(): void } | undefined;
  #retry: Timer | undefined;
  #stopped = false;

  constructor(deps: CaptureDeps) {
    this.#d = deps;
  }

  /** Watches starts first, then lists, so no start between the two is missed. */
  async start(): Promise<void> {
    if (this.#stopped) return;
    this.#watch = this.#d.docker.watchStarts(
      AWSLOGS_LABEL,
      (id) => this.#capture(id),
      () => this.#later(() => void this.start()),
    );
    try {
      for (const id of await this.#d.docker.list(AWSLOGS_LABEL)) this.#capture(id);
    } catch (e) {
      this.#d.log.warn({ err: e }, 'cannot list awslogs containers; trying again');
      this.#watch.close();
      this.#later(() => void this.start());
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#watch?.close();
    this.#d.clock.clearTimeout(this.#retry);
    const readers = [...this.#readers.values()];
    for (const r of readers) r.abort.abort();
    await Promise.all(readers.map((r) => r.done));
  }

  #later(fn: () => void): void {
    if (this.#stopped) return;
    this.#d.clock.clearTimeout(this.#retry);
    this.#retry = this.#d.clock.setTimeout(fn, RETRY_MS);
  }

  #capture(id: string): void {
    if (this.#stopped) return;
    const running = this.#readers.get(id);
    if (running !== undefined) {
      running.again = true;
      return;
    }
    const abort = new AbortController();
    const reader: Reader = {
      abort,
      again: false,
      done: this.#read(id, abort.signal)
        .catch((e: unknown) => {
          if (!abort.signal.aborted) this.#d.log.warn({ err: e, container: id }, 'log capture failed');
          return 'retry' as const;
        })
        .then((outcome) => {
          this.#readers.delete(id);
          if (abort.signal.aborted || this.#stopped) return;
          if (reader.again || outcome === 'retry') {
            this.#d.clock.setTimeout(() => this.#capture(id), reader.again ? 0 : RETRY_MS);
          }
        }),
    };
    this.#readers.set(id, reader);
  }

  /** Reads one container's log from its position until dockerd ends the stream. */
  async #read(id: string, signal: AbortSignal): Promise<'ended' | 'retry' | 'gone'> {
    const { docker, spool, clock } = this.#d;
    const container = await docker.inspect(id);
    if (container === undefined) return 'gone';
    let target: AwsLogsTarget;
    try {
      target = awsLogsTarget(parseOptions(container.labels[AWSLOGS_LABEL]), {
        id,
        name: container.labels[CONTAINER_NAME_LABEL] ?? id,
        taskArn: container.labels[TASK_ARN_LABEL] ?? '',
      });
    } catch (e) {
      // Checked at create; a label changed since cannot be fixed by reading again.
      this.#d.log.error({ err: e, container: id }, 'awslogs options unusable; this container is not shipped');
      return 'gone';
    }
    const key = spool.open(target);
    this.#d.onStream(key);
    const position = spool.position(key, id);
    const stream = await docker.follow(
      id,
      position === undefined ? undefined : sinceParameter(position.ns),
      signal,
    );
    const frames = new FrameDecoder(!container.tty);
    const lines = new LineSplitter();
    const numbering = new LineNumbering(position);
    const events = new EventAssembler(target.multiline);
    const put = (out: readonly LogEvent[]) => {
      if (out.length === 0) return;
      spool.append(
        key,
        out.map((e) => ({ t: e.timestamp, m: e.message, c: id, p: e.last.ns.toString(), n: e.last.n })),
      );
    };
    const wait =
      target.multiline === undefined
        ? undefined
        : clock.setTimeout(() => put(events.flush()), MULTILINE_WAIT_MS);
    await new Promise<void>((resolve) => {
      stream.on('data', (chunk: Buffer) => {
        for (const payload of frames.push(chunk)) {
          for (const line of lines.push(payload)) {
            const parsed = parseTimestamped(line);
            if (parsed === undefined) continue;
            const numbered = numbering.number(parsed.ns, parsed.text);
            if (numbered !== undefined) put(events.push(numbered));
          }
        }
        wait?.refresh();
      });
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', () => resolve());
    });
    clock.clearTimeout(wait);
    if (signal.aborted) return 'ended';
    put(events.flush());
    // dockerd ends a followed stream when the container stops; an early end is a dropped connection.
    const after = await docker.inspect(id);
    return after?.running === true ? 'retry' : 'ended';
  }
}

function parseOptions(label: string | undefined): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(label ?? '{}');
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  return Object.fromEntries(
    Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

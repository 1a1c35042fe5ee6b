/**
 * Ships one spooled stream, in order, one batch at a time: CreateLogStream once (CreateLogGroup first when
 * the group is missing and `awslogs-create-group` is set), then batches of up to 10,000 events / 1 MiB /
 * 24 h, sent when full or when their first event has waited `flushIntervalMs`. Each batch is recorded in the
 * spool (its extent and number) before it is sent and acknowledged there once stored, so a batch cut short by
 * a crash is sent again, the same, under the same `x-berth-log-batch` number. Failures are retried with
 * backoff for as long as it takes: lines wait in the spool, which bounds them.
 */
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../util/clock.js';
import {
  batchLength,
  droppedNote,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  sortedEvents,
  type InputLogEvent,
} from './batches.js';
import { AwsJsonCallError } from '../aws-json.js';
import type { LogsClient } from './client.js';
import type { Spool } from './spool.js';

/** How long the first line of a batch may wait for company: moby's default force-flush interval. */
export const DEFAULT_FLUSH_INTERVAL_MS = 5_000;
/** Spooled bytes (records with their framing) past which a batch is as full as it gets: send it now. */
const FULL_BATCH_SPOOL_BYTES = MAX_BATCH_BYTES;
export const RETRY_MIN_MS = 1_000;
export const RETRY_MAX_MS = 30_000;

export interface ShipperDeps {
  readonly spool: Spool;
  readonly key: string;
  readonly client: LogsClient;
  /** This host's managed instance id: the batch numbers' sender. */
  readonly sender: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly flushIntervalMs?: number;
}

export class StreamShipper {
  readonly #d: ShipperDeps;
  readonly #abort = new AbortController();
  #wake: (() => void) | undefined;
  #created = false;
  #waitingSince: number | undefined;
  #retryMs = RETRY_MIN_MS;
  readonly #done: Promise<void>;

  constructor(deps: ShipperDeps) {
    this.#d = deps;
    this.#done = this.#run();
  }

  /** New records are on disk. */
  wake(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    this.#wake?.();
    await this.#done;
  }

  async #run(): Promise<void> {
    const { spool, key, clock } = this.#d;
    const flushMs = this.#d.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    while (!this.#abort.signal.aborted) {
      // Counting bytes is cheap; reading records is not: a waiting batch is only read when it is sent.
      const unsent = spool.unsentBytes(key);
      if (unsent === 0) {
        this.#waitingSince = undefined;
        await this.#sleep(undefined);
        continue;
      }
      this.#waitingSince ??= clock.now();
      const due = this.#waitingSince + flushMs;
      if (spool.inflight(key) === undefined && unsent < FULL_BATCH_SPOOL_BYTES && clock.now() < due) {
        await this.#sleep(due - clock.now());
        continue;
      }
      try {
        const more = await this.#ship();
        this.#retryMs = RETRY_MIN_MS;
        // A batch cut short by a limit leaves a full one behind: it goes at once.
        this.#waitingSince = more ? clock.now() - flushMs : undefined;
      } catch (e) {
        if (this.#abort.signal.aborted) return;
        this.#d.log.warn(
          { err: e, retryInMs: this.#retryMs },
          'could not ship log events; they wait in the spool',
        );
        await this.#sleep(this.#retryMs, false);
        this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
      }
    }
  }

  /** Sends one batch; true when a limit cut it short of what is spooled. */
  async #ship(): Promise<boolean> {
    const { spool, key, client } = this.#d;
    const target = spool.target(key);
    if (!this.#created) await this.#create();
    const inflight = spool.inflight(key);
    const spooled = spool.read(key, MAX_BATCH_EVENTS);
    const first = spooled[0];
    if (first === undefined) return false;
    const dropped = inflight?.dropped ?? spool.dropped(key);
    const extra: InputLogEvent[] = dropped > 0 ? [droppedNote(dropped, first.record.t)] : [];
    const records = spooled.map((s) => s.record);
    const n = inflight === undefined ? Math.max(1, batchLength(records, extra)) : records.length;
    const last = spooled[n - 1] ?? first;
    const seq = spool.begin(key, last.end, dropped);
    const events = sortedEvents(records.slice(0, n), extra);
    try {
      await client.putLogEvents(
        target.group,
        target.stream,
        events,
        `${this.#d.sender}/${seq}`,
        this.#abort.signal,
      );
    } catch (e) {
      if (!(e instanceof AwsJsonCallError)) throw e;
      if (e.code === 'ResourceNotFoundException') this.#created = false;
      if (e.code !== 'InvalidParameterException') throw e;
      // The batch can never be stored (its events break a rule the capture did not foresee): skip it.
      this.#d.log.error(
        { err: e, group: target.group, stream: target.stream, events: n },
        'log events refused; dropped',
      );
    }
    spool.ack(key);
    return n < spooled.length || spooled.length >= MAX_BATCH_EVENTS;
  }

  async #create(): Promise<void> {
    const { spool, key, client } = this.#d;
    const target = spool.target(key);
    const signal = this.#abort.signal;
    try {
      await client.createLogStream(target.group, target.stream, signal);
    } catch (e) {
      if (!(e instanceof AwsJsonCallError) || e.code !== 'ResourceNotFoundException' || !target.createGroup)
        throw e;
      await client.createLogGroup(target.group, signal);
      await client.createLogStream(target.group, target.stream, signal);
    }
    this.#created = true;
  }

  /** Until woken, or `ms` passed; `wakeable` false: only the time (a retry's backoff) or stop ends it. */
  #sleep(ms: number | undefined, wakeable = true): Promise<void> {
    if (this.#abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: Timer | undefined;
      const done = () => {
        this.#d.clock.clearTimeout(timer);
        this.#wake = undefined;
        this.#abort.signal.removeEventListener('abort', done);
        resolve();
      };
      if (ms !== undefined) timer = this.#d.clock.setTimeout(done, ms);
      if (wakeable) this.#wake = done;
      this.#abort.signal.addEventListener('abort', done, { once: true });
    });
  }
}

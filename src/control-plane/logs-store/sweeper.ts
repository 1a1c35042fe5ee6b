/**
 * Keeps the logs store within its promises: events past their group's retention are deleted every
 * SWEEP_INTERVAL_MS, and when the stored bytes exceed `--logs-max-size` the oldest events of the whole store
 * (in ingestion order) are deleted until they fit, counted in `berth_logs_events_evicted_total`. The cap is
 * also checked after every append, so a burst cannot outgrow it by more than one batch.
 */
import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { systemClock, type Clock, type Timer } from '../../util/clock.js';
import type { LogStore } from './types.js';

/** Retention is a promise in days: a few minutes of lag is far inside AWS's own ("up to 72 hours"). */
export const SWEEP_INTERVAL_MS = 5 * 60_000;
/** Events deleted per transaction. */
export const SWEEP_CHUNK = 5000;

export interface LogSweeperOptions {
  readonly store: LogStore;
  readonly maxBytes: number;
  readonly log: Logger;
  readonly registry: Registry;
  readonly clock?: Clock;
  readonly intervalMs?: number;
}

export interface LogSweeper {
  /** Runs the cap check after the ones in progress; resolves when it is done. */
  checkCap(): Promise<void>;
  /** Runs a retention sweep and a cap check now. */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

export function startLogSweeper(o: LogSweeperOptions): LogSweeper {
  const clock = o.clock ?? systemClock;
  const evicted = new Counter({
    name: 'berth_logs_events_evicted_total',
    help: 'Log events deleted because the logs store exceeded --logs-max-size (oldest first).',
    registers: [o.registry],
  });
  const expired = new Counter({
    name: 'berth_logs_events_expired_total',
    help: "Log events deleted because they were older than their log group's retention.",
    registers: [o.registry],
  });
  let running: Promise<void> = Promise.resolve();
  const queue = (work: () => Promise<void>): Promise<void> => {
    running = running.then(async () => {
      try {
        await work();
      } catch (err) {
        o.log.error({ err }, 'logs store sweep failed');
      }
    });
    return running;
  };
  // Chunk by chunk, letting requests run in between, so a sweep after a long downtime never stalls the API.
  const drain = async (step: () => Promise<number>): Promise<number> => {
    let total = 0;
    for (;;) {
      const n = await step();
      total += n;
      if (n < SWEEP_CHUNK) return total;
      await yieldToIo();
    }
  };
  const cap = async () => {
    const n = await drain(() => o.store.evictOver(o.maxBytes, SWEEP_CHUNK));
    if (n > 0) {
      evicted.inc(n);
      o.log.warn(
        { evicted: n, maxBytes: o.maxBytes },
        'logs store over --logs-max-size: deleted the oldest events',
      );
    }
  };
  const sweep = () =>
    queue(async () => {
      const now = clock.now();
      const n = await drain(() => o.store.expire(now, SWEEP_CHUNK));
      if (n > 0) {
        expired.inc(n);
        o.log.info({ expired: n }, 'deleted log events past their retention');
      }
      await cap();
    });
  void sweep();
  const timer: Timer = clock.setInterval(() => void sweep(), o.intervalMs ?? SWEEP_INTERVAL_MS).unref();
  return {
    checkCap: () => queue(cap),
    sweep,
    async stop() {
      clock.clearInterval(timer);
      await running;
    },
  };
}

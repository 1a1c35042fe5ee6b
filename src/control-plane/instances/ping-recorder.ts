/**
 * Heartbeat acks arrive from every agent every heartbeat interval; writing each one to the database
 * (a durable commit, an fsync) would tie the event loop to the disk — the fleet benchmark saw 1 s stalls
 * with 1,000 agents on a busy disk. Pings only feed PingStatus, which tolerates seconds of delay, so the
 * latest ping per instance is kept in memory and flushed in one transaction every `intervalMs`.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/types.js';

export class PingRecorder {
  readonly #pending = new Map<string, Date>();
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    /** Must be well under the ping timeout, or an instance would look ConnectionLost between flushes. */
    intervalMs: number,
  ) {
    this.#timer = setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  record(instanceId: string, at: Date): void {
    this.#pending.set(instanceId, at);
  }

  /** Writes what is pending; concurrent calls queue behind each other. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending];
    this.#pending.clear();
    try {
      await this.store.transaction(async (tx) => {
        for (const [instanceId, at] of batch) await tx.managedInstances.recordPing(instanceId, at);
      });
    } catch (err) {
      this.log.warn({ err, instances: batch.length }, 'could not record pings');
    }
  }
}

/** A quarter of the ping timeout, at most 5 s: several flushes fit in the window PingStatus allows. */
export function pingFlushInterval(pingTimeoutMs: number): number {
  return Math.max(50, Math.min(5000, Math.floor(pingTimeoutMs / 4)));
}

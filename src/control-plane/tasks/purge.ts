/**
 * Stopped tasks stay describable for `--stopped-task-retention` (at least an hour, as ECS promises), then
 * are deleted with their tags and their recorded state changes (`tasks.deleteStoppedBefore` takes those in
 * the same transaction), so no table grows with every task ever run. A sweep runs at
 * start-up and every PURGE_INTERVAL_MS; a task is thus deleted between the retention and the retention plus
 * one interval after it stopped.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/types.js';

/** Five minutes: frequent enough that a stopped task lingers at most a little past its retention. */
export const PURGE_INTERVAL_MS = 5 * 60_000;
/** Deleted per transaction, so a sweep after a long downtime never holds the database for long. */
export const PURGE_BATCH = 500;

/** Deletes the STOPPED tasks that stopped before `before`, their tags and state changes; returns how many. */
export async function purgeStoppedTasks(store: Store, before: Date): Promise<number> {
  let purged = 0;
  for (;;) {
    const deleted = await store.transaction(async (tx) => {
      const arns = await tx.tasks.deleteStoppedBefore(before, PURGE_BATCH);
      for (const arn of arns) {
        const tags = await tx.tags.list(arn);
        if (tags.length > 0)
          await tx.tags.remove(
            arn,
            tags.map((t) => t.key),
          );
      }
      return arns.length;
    });
    purged += deleted;
    if (deleted < PURGE_BATCH) return purged;
  }
}

export interface StoppedTaskPurgeOptions {
  readonly store: Store;
  readonly retentionMs: number;
  readonly now: () => Date;
  readonly log: Logger;
  /** @default PURGE_INTERVAL_MS */
  readonly intervalMs?: number;
}

/** Starts the periodic sweep; `stop()` ends it and waits for a sweep in progress. */
export function startStoppedTaskPurge(o: StoppedTaskPurgeOptions): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = running.then(async () => {
      try {
        const purged = await purgeStoppedTasks(o.store, new Date(o.now().getTime() - o.retentionMs));
        if (purged > 0) o.log.info({ purged }, 'deleted stopped tasks past their retention');
      } catch (err) {
        o.log.error({ err }, 'could not delete stopped tasks past their retention');
      }
    });
  };
  sweep();
  const timer = setInterval(sweep, o.intervalMs ?? PURGE_INTERVAL_MS).unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

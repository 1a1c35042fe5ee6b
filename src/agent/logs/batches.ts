/**
 * PutLogEvents' rules for one batch, pure: at most 10,000 events and 1,048,576 bytes (each event's UTF-8
 * message plus 26), events in chronological order, and no more than 24 hours between the first and the last.
 * Spooled records keep the order they were captured in; a batch is sorted by time (stably), as moby does.
 */
import type { SpoolRecord } from './spool.js';

export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_BYTES = 1_048_576;
export const EVENT_OVERHEAD_BYTES = 26;
export const MAX_BATCH_SPAN_MS = 24 * 3_600_000;

export interface InputLogEvent {
  readonly timestamp: number;
  readonly message: string;
}

export function eventBytes(message: string): number {
  return Buffer.byteLength(message) + EVENT_OVERHEAD_BYTES;
}

/** How many of `records` (from the first) fit one batch beside `extra` events (the dropped-lines note). */
export function batchLength(
  records: readonly Pick<SpoolRecord, 't' | 'm'>[],
  extra: readonly InputLogEvent[],
): number {
  let events = extra.length;
  let bytes = extra.reduce((sum, e) => sum + eventBytes(e.message), 0);
  let min = Math.min(...extra.map((e) => e.timestamp));
  let max = Math.max(...extra.map((e) => e.timestamp));
  let n = 0;
  for (const r of records) {
    const size = eventBytes(r.m);
    const lo = Math.min(min, r.t);
    const hi = Math.max(max, r.t);
    if (events + 1 > MAX_BATCH_EVENTS || bytes + size > MAX_BATCH_BYTES || hi - lo > MAX_BATCH_SPAN_MS) break;
    events++;
    bytes += size;
    min = lo;
    max = hi;
    n++;
  }
  return n;
}

/** The note a batch carries when the spool dropped lines, timed like the batch's first event. */
export function droppedNote(dropped: number, at: number): InputLogEvent {
  return { timestamp: at, message: `berth: ${dropped} log events dropped while the spool was full` };
}

/** The request's events: sorted by time, equal times keeping their captured order. */
export function sortedEvents(
  records: readonly Pick<SpoolRecord, 't' | 'm'>[],
  extra: readonly InputLogEvent[],
): InputLogEvent[] {
  const events = [...extra, ...records.map((r) => ({ timestamp: r.t, message: r.m }))];
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.timestamp - b.e.timestamp || a.i - b.i)
    .map(({ e }) => e);
}

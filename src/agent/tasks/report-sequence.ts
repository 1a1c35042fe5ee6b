/**
 * The floor of the report queue's numbers, `<dataDir>/report-sequence.json`: the lowest number that may be
 * given to a new report. A report's number is its `seq` at the control plane, which records each change
 * once by it, so a number must never be used twice in the life of the data directory — not after the queue
 * empties, not across restarts.
 *
 * While a report's file is on disk it holds its number itself (the queue starts after the highest file); the
 * floor covers the numbers whose files are gone: the queue raises it durably before it deletes the last
 * file, and before it sends a report whose file could not be written. Outside `reports/`, whose files are
 * exactly the queue.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from './durable-file.js';

export const REPORT_SEQUENCE_FILE = 'report-sequence.json';
const FORMAT = 1;

/**
 * The saved floor: 1 when there is none, undefined when the file is damaged (the caller then falls back on
 * the journal's highest number rather than guess low).
 */
export async function readReportFloor(dataDir: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, REPORT_SEQUENCE_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 1;
    throw e;
  }
  try {
    const parsed = JSON.parse(text) as { format?: unknown; next?: unknown } | null;
    const next = parsed?.next;
    if (parsed?.format === FORMAT && typeof next === 'number' && Number.isSafeInteger(next) && next >= 1)
      return next;
  } catch {
    // Damaged, as below.
  }
  return undefined;
}

export function writeReportFloor(dataDir: string, next: number): Promise<void> {
  return writeFileDurably(dataDir, REPORT_SEQUENCE_FILE, `${JSON.stringify({ format: FORMAT, next })}\n`);
}

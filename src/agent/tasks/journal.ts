/**
 * The host's own record of the state changes it queued for the control plane: one JSON line per change in
 * `<dataDir>/journal/state-changes.jsonl`, appended and fsynced when the change enters the report queue, with
 * the facts the report carries (`JournalEntry`). Reports leave the queue once delivered; the journal stays,
 * so a person (or a test) can compare what the host says happened with what the control plane recorded,
 * change by change, by `seq`.
 *
 * Bounded: past `JOURNAL_MAX_BYTES` the file is renamed to `state-changes.1.jsonl` (replacing the previous
 * one) and a new one begins, so at most about twice that is kept. A crash can leave a torn last line; the
 * next append starts on a fresh line and the reader skips what does not parse.
 */
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { backendStatus } from '../../domain/status.js';
import { MAX_REASON_LENGTH } from '../../domain/task-report.js';
import type { TaskStateChange } from './contracts.js';
import { DIR_MODE, FILE_MODE, syncDir } from './durable-file.js';
import { reportedContainers } from './submit-state-change.js';

export const JOURNAL_DIR = 'journal';
export const JOURNAL_FILE = 'state-changes.jsonl';
export const JOURNAL_ROTATED_FILE = 'state-changes.1.jsonl';
/** About 10,000 changes of a few containers each. */
export const JOURNAL_MAX_BYTES = 4 * 1024 * 1024;

export interface JournalContainer {
  readonly name: string;
  /** RUNNING or STOPPED: the containers a report names. */
  readonly status: 'PENDING' | 'RUNNING' | 'STOPPED';
  readonly exitCode?: number;
  readonly restartCount?: number;
}

export interface JournalEntry {
  /** The report's number in the queue (`berth.seq` of the SubmitTaskStateChange). */
  readonly seq: number;
  readonly taskArn: string;
  readonly status: 'PENDING' | 'RUNNING' | 'STOPPED';
  /** When the change happened on the host, ISO 8601. */
  readonly at: string;
  readonly reason?: string;
  readonly containers: readonly JournalContainer[];
}

/** The journal line for a queued change: the same facts, trimmed the same way, as its report. */
export function journalEntry(seq: number, change: TaskStateChange): JournalEntry {
  return {
    seq,
    taskArn: change.taskArn,
    status: change.status,
    at: new Date(change.at).toISOString(),
    ...(change.reason !== undefined && { reason: change.reason.slice(0, MAX_REASON_LENGTH) }),
    containers: reportedContainers(change).map((c) => ({
      name: c.name,
      status: backendStatus(c.knownStatus),
      ...(c.exitCode !== undefined && { exitCode: c.exitCode }),
      ...(c.restartCount !== undefined && { restartCount: c.restartCount }),
    })),
  };
}

export interface JournalOptions {
  readonly log?: Logger;
  /** @default JOURNAL_MAX_BYTES */
  readonly maxBytes?: number;
}

export class StateChangeJournal {
  readonly #dir: string;
  readonly #log: Logger;
  readonly #maxBytes: number;
  #chain: Promise<void> = Promise.resolve();
  /** Whether this process has looked for a torn last line yet. */
  #checkedTail = false;

  constructor(dataDir: string, options: JournalOptions = {}) {
    this.#dir = join(dataDir, JOURNAL_DIR);
    this.#log = options.log ?? pino({ level: 'silent' });
    this.#maxBytes = options.maxBytes ?? JOURNAL_MAX_BYTES;
  }

  /** Appends one line; resolves once it is on disk. Appends are written in call order. */
  append(entry: JournalEntry): Promise<void> {
    const next = this.#chain.catch(() => undefined).then(() => this.#append(entry));
    this.#chain = next;
    return next;
  }

  /** Resolves once every append so far has finished (or failed). */
  idle(): Promise<void> {
    return this.#chain.catch(() => undefined);
  }

  async #append(entry: JournalEntry): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: DIR_MODE });
    const file = join(this.#dir, JOURNAL_FILE);
    const size = await sizeOf(file);
    let line = `${JSON.stringify(entry)}\n`;
    if (!this.#checkedTail) {
      this.#checkedTail = true;
      if (size !== undefined && size > 0 && !(await endsWithNewline(file, size))) {
        this.#log.warn({ file }, 'the state change journal ends in a torn line; starting a new one');
        line = `\n${line}`;
      }
    }
    const handle = await open(file, 'a', FILE_MODE);
    try {
      await handle.appendFile(line, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    // A new file's name is only durable once its directory is.
    if (size === undefined) await syncDir(this.#dir);
    if ((size ?? 0) + Buffer.byteLength(line) > this.#maxBytes) {
      await rename(file, join(this.#dir, JOURNAL_ROTATED_FILE));
      await syncDir(this.#dir);
    }
  }
}

/** Every entry the journal still holds, oldest first; torn or foreign lines are skipped. */
export async function readStateChangeJournal(dataDir: string): Promise<JournalEntry[]> {
  const dir = join(dataDir, JOURNAL_DIR);
  const entries: JournalEntry[] = [];
  for (const name of [JOURNAL_ROTATED_FILE, JOURNAL_FILE]) {
    let text: string;
    try {
      text = await readFile(join(dir, name), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    for (const line of text.split('\n')) {
      const entry = parseLine(line);
      if (entry !== undefined) entries.push(entry);
    }
  }
  return entries;
}

function parseLine(line: string): JournalEntry | undefined {
  if (line.trim() === '') return undefined;
  try {
    const parsed = JSON.parse(line) as Partial<JournalEntry> | null;
    if (
      typeof parsed?.seq === 'number' &&
      typeof parsed.taskArn === 'string' &&
      typeof parsed.status === 'string' &&
      typeof parsed.at === 'string' &&
      Array.isArray(parsed.containers)
    ) {
      return parsed as JournalEntry;
    }
  } catch {
    // A torn line from a crash mid-append.
  }
  return undefined;
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function endsWithNewline(file: string, size: number): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

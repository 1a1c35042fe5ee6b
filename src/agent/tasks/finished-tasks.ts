/**
 * Tasks this host ran to the end and cleaned up, `<dataDir>/finished-tasks.json`: once a stopped task's
 * state is removed (after the task cleanup wait), this list is all that says the host ever had it. Without
 * it, a payload the control plane sends again (its ack was lost in a partition that outlasted the cleanup
 * wait) would start the task a second time, and a task manifest would take the task for one the host lost.
 *
 * Bounded to the newest `FINISHED_TASKS_KEPT`: a resend is only ever of a recent task. Written whole and
 * durably before the task's state file is removed, so a crash in between leaves the task known either way.
 */
import { readFile } from 'node:fs/promises';
import { pino, type Logger } from 'pino';
import { join } from 'node:path';
import { writeFileDurably } from './durable-file.js';

export const FINISHED_TASKS_FILE = 'finished-tasks.json';
export const FINISHED_TASKS_KEPT = 1000;
const FORMAT = 1;

export class FinishedTasks {
  readonly #dataDir: string;
  readonly #log: Logger;
  readonly #kept: number;
  /** Insertion order is age order: the oldest go first. */
  readonly #arns = new Set<string>();
  #chain: Promise<void> = Promise.resolve();

  constructor(dataDir: string, options: { readonly log?: Logger; readonly kept?: number } = {}) {
    this.#dataDir = dataDir;
    this.#log = options.log ?? pino({ level: 'silent' });
    this.#kept = options.kept ?? FINISHED_TASKS_KEPT;
  }

  has(taskArn: string): boolean {
    return this.#arns.has(taskArn);
  }

  async load(): Promise<void> {
    const file = join(this.#dataDir, FINISHED_TASKS_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    try {
      const parsed = JSON.parse(text) as { format?: unknown; tasks?: unknown } | null;
      if (parsed?.format === FORMAT && Array.isArray(parsed.tasks)) {
        for (const arn of parsed.tasks) if (typeof arn === 'string') this.#arns.add(arn);
        return;
      }
    } catch {
      // Reported below.
    }
    // Losing the list only weakens a safeguard; it must not keep the agent from running its tasks.
    this.#log.error({ file }, 'the list of finished tasks is damaged; starting a new one');
  }

  /** Records a task as finished; resolves once that is on disk. */
  add(taskArn: string): Promise<void> {
    this.#arns.delete(taskArn);
    this.#arns.add(taskArn);
    for (const oldest of this.#arns) {
      if (this.#arns.size <= this.#kept) break;
      this.#arns.delete(oldest);
    }
    const text = `${JSON.stringify({ format: FORMAT, tasks: [...this.#arns] })}\n`;
    const next = this.#chain
      .catch(() => undefined)
      .then(() => writeFileDurably(this.#dataDir, FINISHED_TASKS_FILE, text));
    this.#chain = next;
    return next;
  }
}

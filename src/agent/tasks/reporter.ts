/**
 * The agent's state reports, as an ordered and durable queue: each change is written to
 * `<dataDir>/reports/<number>.json` (numbers only grow), sent with SubmitTaskStateChange in that order, and
 * deleted once the control plane acknowledged it. While the control plane is unreachable the queue grows on
 * disk and is retried with ECS's agent backoff; a restarted agent loads it and carries on, so what happened
 * while the agent or the link was down is reported when they return (issue 6 relies on this).
 *
 * Delivery is at least once: a crash (or `stop()`) between the control plane's acknowledgment and the file's
 * deletion sends that change again after the restart. That is harmless: applying a report is idempotent on
 * the control plane (`domain/task-report.ts`: the same report twice changes nothing, and the version only
 * moves when something changed), so the record ends as if it arrived once.
 *
 * No coalescing: every change is sent, even when a later one of the same task is already queued. Merging
 * would be allowed only where the control plane's final record is the same, and it often is not: startedAt,
 * pull times and intermediate container details come with the earlier reports. The queue is bounded by the
 * transitions tasks make (a handful each), so sending them all costs little.
 *
 * One change is in flight at a time (ECS's agent sends up to 10 tasks' changes concurrently): the order of
 * changes is then also the order in which the control plane applies them, which keeps it simple to reason
 * about; Berth's hosts run few tasks.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { ExponentialBackoff, type BackoffSettings } from '../session/backoff.js';
import type { StateChangeReporter, TaskStateChange } from './contracts.js';
import { ensureDir, listFiles, removeFileDurably, writeFileDurably } from './durable-file.js';
import type { SubmitStateChange } from './submit-state-change.js';

export const REPORTS_DIR = 'reports';
const SUFFIX = '.json';
/** Zero-padded so that file names sort in queue order. */
const NUMBER_DIGITS = 16;
export const REPORT_FILE_FORMAT = 1;

/** ECS agent's submit retry numbers (`agent/eventhandler/task_handler.go`): 1 s, growing ×1.3 to 30 s. */
export const REPORT_BACKOFF_MIN_MS = 1_000;
export const REPORT_BACKOFF_MAX_MS = 30_000;
export const REPORT_BACKOFF_MULTIPLIER = 1.3;
export const REPORT_BACKOFF_JITTER = 0.2;
export const REPORT_BACKOFF: BackoffSettings = {
  minMs: REPORT_BACKOFF_MIN_MS,
  maxMs: REPORT_BACKOFF_MAX_MS,
  multiplier: REPORT_BACKOFF_MULTIPLIER,
  jitter: REPORT_BACKOFF_JITTER,
};

/**
 * Errors that no retry can fix: the control plane refuses the report itself (the task or cluster is gone,
 * the task belongs to another instance, the report is malformed). Such a report is dropped, with an error in
 * the log, so one bad report cannot hold up every later one. Anything else (no answer, server faults,
 * throttling, credentials being renewed) is retried.
 */
export const PERMANENT_SUBMIT_ERRORS: readonly string[] = [
  'InvalidParameterException',
  'ClientException',
  'ClusterNotFoundException',
  'AccessDeniedException',
];

interface Queued {
  readonly number: number;
  readonly change: TaskStateChange;
  /** Settles when the file is on disk (or could not be written). */
  readonly written: Promise<void>;
}

export interface ReporterOptions {
  readonly dataDir: string;
  readonly submit: SubmitStateChange;
  readonly log?: Logger;
  /** @default REPORT_BACKOFF */
  readonly backoff?: Partial<BackoffSettings>;
  readonly random?: () => number;
}

export class DurableStateChangeReporter implements StateChangeReporter {
  readonly #dir: string;
  readonly #o: ReporterOptions;
  readonly #log: Logger;
  readonly #backoff: ExponentialBackoff;
  readonly #queue: Queued[] = [];
  readonly #abort = new AbortController();
  readonly #idle = new Set<() => void>();
  #next = 1;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(options: ReporterOptions) {
    this.#o = options;
    this.#dir = join(options.dataDir, REPORTS_DIR);
    this.#log = options.log ?? pino({ level: 'silent' });
    this.#backoff = new ExponentialBackoff({ ...REPORT_BACKOFF, ...options.backoff }, options.random);
  }

  get dir(): string {
    return this.#dir;
  }

  /** Changes not yet acknowledged by the control plane. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Loads the changes a previous run left unsent, and starts sending. */
  async start(): Promise<void> {
    if (this.#loop !== undefined) return;
    await ensureDir(this.#dir);
    const loaded: Queued[] = [];
    for (const name of await listFiles(this.#dir, SUFFIX)) {
      const number = Number(name.slice(0, -SUFFIX.length));
      const change = await this.#read(name);
      if (change === undefined || !Number.isSafeInteger(number)) continue;
      loaded.push({ number, change, written: Promise.resolve() });
    }
    this.#queue.push(...loaded);
    this.#next = (loaded.at(-1)?.number ?? 0) + 1;
    if (loaded.length > 0) this.#log.info({ pending: loaded.length }, 'state reports left from the last run');
    this.#loop = this.#run().catch((err: unknown) => this.#log.error({ err }, 'report loop failed'));
  }

  report(change: TaskStateChange): void {
    this.enqueue(change).catch((err: unknown) =>
      this.#log.error({ err, taskArn: change.taskArn }, 'could not store a state report; sending it anyway'),
    );
  }

  /** Queues a change; resolves once it is on disk. Only after `start()`, which knows the next free number. */
  enqueue(change: TaskStateChange): Promise<void> {
    if (this.#loop === undefined) return Promise.reject(new Error('the state reporter is not started'));
    const number = this.#next++;
    const text = `${JSON.stringify({ format: REPORT_FILE_FORMAT, change })}\n`;
    const written = ensureDir(this.#dir).then(() => writeFileDurably(this.#dir, nameOf(number), text));
    this.#queue.push({ number, change, written: written.catch(() => undefined) });
    this.#wake?.();
    return written;
  }

  /** Resolves when every change queued so far has been acknowledged (or dropped). */
  drained(): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.add(resolve));
  }

  /** Stops sending; what is queued stays on disk for the next run. */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#wake?.();
    await this.#loop;
    await Promise.all(this.#queue.map((q) => q.written));
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      const head = this.#queue[0];
      if (head === undefined) {
        for (const resolve of this.#idle) resolve();
        this.#idle.clear();
        await this.#sleep(undefined);
        continue;
      }
      await head.written;
      try {
        await this.#o.submit(head.change, signal);
        this.#backoff.reset();
      } catch (err) {
        if (signal.aborted) break;
        const code = (err as { name?: unknown }).name;
        if (typeof code !== 'string' || !PERMANENT_SUBMIT_ERRORS.includes(code)) {
          const delayMs = this.#backoff.next();
          this.#log.warn(
            { err, taskArn: head.change.taskArn, delayMs },
            'state report not delivered; retrying',
          );
          await this.#sleep(delayMs);
          continue;
        }
        this.#log.error(
          { err, taskArn: head.change.taskArn, status: head.change.status },
          'control plane refused a state report; dropping it',
        );
      }
      // Deleted before it leaves the queue, so `drained()` means "acknowledged and gone from disk".
      await removeFileDurably(this.#dir, nameOf(head.number)).catch((err: unknown) =>
        this.#log.error(
          { err },
          'could not delete a sent state report; it will be sent again after a restart',
        ),
      );
      this.#queue.shift();
    }
  }

  /** Waits `ms` (forever when undefined) or until woken by new work or `stop()`. */
  #sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => done(), ms);
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      // New work does not cut a backoff short; only stop() does.
      this.#wake = ms === undefined ? done : () => (this.#abort.signal.aborted ? done() : undefined);
    });
  }

  async #read(name: string): Promise<TaskStateChange | undefined> {
    try {
      const parsed = JSON.parse(await readFile(join(this.#dir, name), 'utf8')) as {
        format?: unknown;
        change?: Partial<TaskStateChange>;
      };
      const change = parsed.change;
      if (parsed.format === REPORT_FILE_FORMAT && typeof change?.taskArn === 'string')
        return change as TaskStateChange;
    } catch (err) {
      this.#log.error({ err, file: name }, 'cannot read a state report file; skipping it');
      return undefined;
    }
    this.#log.error({ file: name }, 'state report file has an unknown layout; skipping it');
    return undefined;
  }
}

function nameOf(number: number): string {
  return `${String(number).padStart(NUMBER_DIGITS, '0')}${SUFFIX}`;
}

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
 *
 * Numbers: a report's number is also its `seq` (Berth's extension of SubmitTaskStateChange), by which the
 * control plane records each change exactly once even when it is sent twice. Numbers are unique and growing
 * for the life of the data directory: while a report's file exists it holds its number, and
 * `<dataDir>/report-sequence.json` (`report-sequence.ts`) holds the floor for numbers whose files are gone.
 *
 * Journal: every queued change is also appended, fsynced, to `<dataDir>/journal/state-changes.jsonl`
 * (`journal.ts`): one JSON line `{seq, taskArn, status, at, reason?, containers: [{name, status, exitCode?,
 * restartCount?}]}` with the facts the report carries. It outlives the queue (which deletes delivered
 * reports), rotating to `state-changes.1.jsonl` past 4 MiB, so the host's account of what happened can be
 * compared with the control plane's (`readStateChangeJournal`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { ExponentialBackoff, type BackoffSettings } from '../session/backoff.js';
import type { StateChangeReporter, TaskStateChange } from './contracts.js';
import { ensureDir, listFiles, removeFileDurably, writeFileDurably } from './durable-file.js';
import { journalEntry, readStateChangeJournal, StateChangeJournal } from './journal.js';
import { readReportFloor, writeReportFloor } from './report-sequence.js';
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
  /** With `seq` set to `number`. */
  readonly change: TaskStateChange;
  /** Settles when the file is on disk (true) or could not be written (false). */
  readonly written: Promise<boolean>;
  /** The file is on disk: it alone keeps the number from being reused. */
  durable: boolean;
}

export interface ReporterOptions {
  readonly dataDir: string;
  readonly submit: SubmitStateChange;
  readonly log?: Logger;
  /** @default REPORT_BACKOFF */
  readonly backoff?: Partial<BackoffSettings>;
  readonly random?: () => number;
  /** Where the journal rotates. @default JOURNAL_MAX_BYTES */
  readonly journalMaxBytes?: number;
}

export class DurableStateChangeReporter implements StateChangeReporter {
  readonly #dir: string;
  readonly #o: ReporterOptions;
  readonly #log: Logger;
  readonly #backoff: ExponentialBackoff;
  readonly #queue: Queued[] = [];
  readonly #abort = new AbortController();
  readonly #idle = new Set<() => void>();
  readonly #journal: StateChangeJournal;
  #next = 1;
  /** The floor as saved in report-sequence.json: numbers below it are never given out again. */
  #floor = 1;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(options: ReporterOptions) {
    this.#o = options;
    this.#dir = join(options.dataDir, REPORTS_DIR);
    this.#log = options.log ?? pino({ level: 'silent' });
    this.#backoff = new ExponentialBackoff({ ...REPORT_BACKOFF, ...options.backoff }, options.random);
    this.#journal = new StateChangeJournal(options.dataDir, {
      log: this.#log,
      ...(options.journalMaxBytes !== undefined && { maxBytes: options.journalMaxBytes }),
    });
  }

  get dir(): string {
    return this.#dir;
  }

  /** Changes not yet acknowledged by the control plane. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Whether a change of this task is still waiting to be acknowledged. */
  hasPending(taskArn: string): boolean {
    return this.#queue.some((q) => q.change.taskArn === taskArn);
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
      loaded.push({
        number,
        change: { ...change, seq: number },
        written: Promise.resolve(true),
        durable: true,
      });
    }
    this.#queue.push(...loaded);
    this.#floor = await this.#loadFloor();
    this.#next = Math.max((loaded.at(-1)?.number ?? 0) + 1, this.#floor);
    if (loaded.length > 0) this.#log.info({ pending: loaded.length }, 'state reports left from the last run');
    this.#loop = this.#run().catch((err: unknown) => this.#log.error({ err }, 'report loop failed'));
  }

  report(change: TaskStateChange): void {
    this.enqueue(change).catch((err: unknown) =>
      this.#log.error({ err, taskArn: change.taskArn }, 'could not store a state report; sending it anyway'),
    );
  }

  /**
   * Queues a change; resolves once its file and its journal line are on disk (rejects only when the file
   * could not be written). Only after `start()`, which knows the next free number.
   */
  enqueue(change: TaskStateChange): Promise<void> {
    if (this.#loop === undefined) return Promise.reject(new Error('the state reporter is not started'));
    const number = this.#next++;
    const numbered: TaskStateChange = { ...change, seq: number };
    const text = `${JSON.stringify({ format: REPORT_FILE_FORMAT, change: numbered })}\n`;
    const file = ensureDir(this.#dir).then(() => writeFileDurably(this.#dir, nameOf(number), text));
    const queued: Queued = {
      number,
      change: numbered,
      written: file.then(
        () => (queued.durable = true),
        () => false,
      ),
      durable: false,
    };
    this.#queue.push(queued);
    const journaled = this.#journal
      .append(journalEntry(number, numbered))
      .catch((err: unknown) =>
        this.#log.error({ err, seq: number }, 'could not append to the state change journal'),
      );
    this.#wake?.();
    return Promise.all([file, journaled]).then(() => undefined);
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
    await this.#journal.idle();
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
      // A number only memory knows must be covered by the floor before the control plane sees it.
      if (!(await head.written) && !(await this.#raiseFloor())) {
        await this.#sleep(this.#backoff.next());
        continue;
      }
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
      // Deleted before it leaves the queue, so `drained()` means "acknowledged and gone from disk". A later
      // file on disk keeps the numbers from being reused; without one, the floor must first.
      const laterOnDisk = this.#queue.some((q) => q !== head && q.durable);
      if (laterOnDisk || (await this.#raiseFloor())) {
        await removeFileDurably(this.#dir, nameOf(head.number)).catch((err: unknown) =>
          this.#log.error(
            { err },
            'could not delete a sent state report; it will be sent again after a restart',
          ),
        );
      }
      this.#queue.shift();
    }
  }

  /** The saved floor, or past the journal's highest number when the floor's file is damaged. */
  async #loadFloor(): Promise<number> {
    const floor = await readReportFloor(this.#o.dataDir);
    if (floor !== undefined) return floor;
    const journal = await readStateChangeJournal(this.#o.dataDir);
    const fallback = journal.reduce((highest, e) => Math.max(highest, e.seq), 0) + 1;
    this.#log.error(
      { fallback },
      'report-sequence.json is damaged; numbering new state reports after the journal instead',
    );
    return fallback;
  }

  /** Saves every number given out so far as below the floor; false (logged) when it cannot. */
  async #raiseFloor(): Promise<boolean> {
    const next = this.#next;
    if (this.#floor >= next) return true;
    try {
      await writeReportFloor(this.#o.dataDir, next);
      this.#floor = next;
      return true;
    } catch (err) {
      this.#log.error({ err }, 'cannot save the state report numbering; keeping the sent report on disk');
      return false;
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

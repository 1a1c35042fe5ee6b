/**
 * The agent's durable task state: one JSON file per task in `<dataDir>/tasks/`, each written whole or not at
 * all (`durable-file.ts`), so a `kill -9` or a power cut leaves every task either as it was or as it became.
 * The payload responder saves a delivered task here before it acknowledges the payload; the engine saves
 * every transition; a restarted agent loads them all and carries on.
 *
 * Desired status belongs to the control plane: a save never moves a task's desired status back. If the
 * engine saves a state built from an older delivery (RUNNING) after the responder saved a newer one
 * (STOPPED), the newer delivered task is kept, so a restart can never revive a task that was asked to stop.
 *
 * Saves of one task are written in call order; those of different tasks run in parallel.
 *
 * Removing a task (cleanup) first records it in `finished` (`finished-tasks.ts`), so the host still knows
 * it ran that task when the control plane sends it again.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { AcsTask } from '../../acs/payload.js';
import { DESIRED_STATUS_SEQ } from '../../acs/to-acs-task.js';
import type { TaskState, TaskStateStore } from './contracts.js';
import { ensureDir, listFiles, removeFileDurably, writeFileDurably } from './durable-file.js';
import { FinishedTasks } from './finished-tasks.js';
import { upgradeFromFormat1 } from './task-file-upgrade.js';

export const TASKS_DIR = 'tasks';
const SUFFIX = '.json';
/**
 * Bumped when the file layout changes, so a newer agent can convert what an older one wrote. 2: the payload
 * as ACS has it (task cpu in vCPUs, linuxParameters in dockerConfig.hostConfig; `task-file-upgrade.ts`).
 */
export const TASK_FILE_FORMAT = 2;

interface TaskFile {
  readonly format: number;
  readonly state: TaskState;
}

/** How far the control plane's desired status of a delivered task has gone (see DESIRED_STATUS_SEQ). */
export function desiredSeqOf(task: AcsTask): number {
  return task.desiredStatusSeq ?? DESIRED_STATUS_SEQ[task.desiredStatus];
}

export class FileTaskStateStore implements TaskStateStore {
  readonly #dir: string;
  readonly #log: Logger;
  readonly #known = new Map<string, TaskState>();
  readonly #chains = new Map<string, Promise<void>>();
  #ready: Promise<void> | undefined;
  #finishedLoaded: Promise<void> | undefined;
  /** Tasks removed after they finished (loaded by `loadAll`). */
  readonly finished: FinishedTasks;

  constructor(dataDir: string, log?: Logger) {
    this.#dir = join(dataDir, TASKS_DIR);
    this.#log = log ?? pino({ level: 'silent' });
    this.finished = new FinishedTasks(dataDir, { log: this.#log });
  }

  get dir(): string {
    return this.#dir;
  }

  /** The path of a task's file (tests check it exists before the control plane sees the ack). */
  fileOf(taskArn: string): string {
    return join(this.#dir, fileName(taskArn));
  }

  /** The last state saved or loaded for a task in this process. */
  get(taskArn: string): TaskState | undefined {
    return this.#known.get(taskArn);
  }

  async loadAll(): Promise<TaskState[]> {
    await this.#ensureDir();
    this.#finishedLoaded ??= this.finished.load();
    await this.#finishedLoaded;
    const states: TaskState[] = [];
    for (const name of await listFiles(this.#dir, SUFFIX)) {
      const state = await this.#read(name);
      if (state === undefined) continue;
      this.#known.set(state.task.arn, state);
      states.push(state);
    }
    return states;
  }

  save(state: TaskState): Promise<void> {
    const arn = state.task.arn;
    const kept = this.#known.get(arn);
    const merged =
      kept !== undefined && desiredSeqOf(kept.task) > desiredSeqOf(state.task)
        ? { ...state, task: kept.task }
        : state;
    this.#known.set(arn, merged);
    const text = `${JSON.stringify({ format: TASK_FILE_FORMAT, state: merged } satisfies TaskFile)}\n`;
    return this.#chain(arn, () => writeFileDurably(this.#dir, fileName(arn), text));
  }

  remove(taskArn: string): Promise<void> {
    this.#known.delete(taskArn);
    return this.#chain(taskArn, async () => {
      await this.finished.add(taskArn);
      await removeFileDurably(this.#dir, fileName(taskArn));
    });
  }

  #chain(arn: string, write: () => Promise<void>): Promise<void> {
    const previous = this.#chains.get(arn) ?? Promise.resolve();
    // A failed write must not block later ones (the next save writes the whole state again).
    const next = previous
      .catch(() => undefined)
      .then(() => this.#ensureDir())
      .then(write)
      .finally(() => {
        if (this.#chains.get(arn) === next) this.#chains.delete(arn);
      });
    this.#chains.set(arn, next);
    return next;
  }

  #ensureDir(): Promise<void> {
    this.#ready ??= ensureDir(this.#dir).catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  /** A damaged file is left in place for a person and skipped: one bad task must not stop the others. */
  async #read(name: string): Promise<TaskState | undefined> {
    let parsed: Partial<TaskFile> | undefined;
    try {
      parsed = JSON.parse(await readFile(join(this.#dir, name), 'utf8')) as Partial<TaskFile>;
    } catch (err) {
      this.#log.error({ err, file: name }, 'cannot read a task state file; skipping it');
      return undefined;
    }
    const state = parsed?.state;
    const known = parsed?.format === TASK_FILE_FORMAT || parsed?.format === 1;
    if (!known || typeof state?.task?.arn !== 'string') {
      this.#log.error(
        { file: name, format: parsed?.format },
        'task state file has an unknown layout; skipping it',
      );
      return undefined;
    }
    return parsed?.format === 1 ? upgradeFromFormat1(state) : state;
  }
}

/** Task ARNs hold `/` and `:`; encoded they make a file name that cannot collide with another task's. */
function fileName(taskArn: string): string {
  return `${encodeURIComponent(taskArn)}${SUFFIX}`;
}

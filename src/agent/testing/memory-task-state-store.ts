/**
 * The task state store of the agent's tests: in memory, keeping JSON copies as a store on disk would, so
 * that nothing the engine holds afterwards can change what was saved. It can be slow or failing like a disk.
 */
import type { TaskState, TaskStateStore } from '../tasks/contracts.js';

export interface MemoryTaskStateStoreOptions {
  /** What a restarted agent would find on disk. */
  readonly initial?: readonly TaskState[];
  /** Each save takes this long (real time), as an fsync does. @default 0: at once */
  readonly saveDelayMs?: number;
  /** Every save fails with this, as on a full disk. */
  readonly saveError?: Error;
  /** Called once a save is done. */
  readonly onSave?: (state: TaskState) => void;
}

export class MemoryTaskStateStore implements TaskStateStore {
  /** Every state saved, in order, as given (not copies): a test may check which object was saved. */
  readonly saves: TaskState[] = [];
  /** The ARNs removed, in order. */
  readonly removed: string[] = [];
  readonly #saved = new Map<string, string>();
  readonly #o: MemoryTaskStateStoreOptions;

  constructor(options: MemoryTaskStateStoreOptions = {}) {
    this.#o = options;
    for (const s of options.initial ?? []) this.#saved.set(s.task.arn, JSON.stringify(s));
  }

  loadAll(): Promise<TaskState[]> {
    return Promise.resolve([...this.#saved.values()].map((s) => JSON.parse(s) as TaskState));
  }

  async save(state: TaskState): Promise<void> {
    const delay = this.#o.saveDelayMs ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (this.#o.saveError !== undefined) throw this.#o.saveError;
    this.#saved.set(state.task.arn, JSON.stringify(state));
    this.saves.push(state);
    this.#o.onSave?.(state);
  }

  remove(taskArn: string): Promise<void> {
    this.#saved.delete(taskArn);
    this.removed.push(taskArn);
    return Promise.resolve();
  }

  /** A copy of what is saved for the task, as a restarted agent would load it. */
  get(taskArn: string): TaskState | undefined {
    const s = this.#saved.get(taskArn);
    return s === undefined ? undefined : (JSON.parse(s) as TaskState);
  }
}

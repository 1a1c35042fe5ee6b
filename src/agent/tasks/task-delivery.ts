/**
 * The one way a desired status reaches the engine, shared by the session's task messages: a payload's tasks,
 * a manifest's stops and a stop verification's stops all go through `save` (durable, and only when it moves
 * the task forward) and then `handOver` (stops before starts). So a task is never started twice: a delivery
 * that changes nothing this host already applied is dropped, also for a task that already finished here and
 * was cleaned up (`finished`).
 *
 * `known` is the host's record of a task: what the engine manages, plus what was saved but not yet taken by
 * the engine (it waits for Docker at start-up).
 */
import { pino, type Logger } from 'pino';
import type { AcsTask } from '../../acs/payload.js';
import { DESIRED_STATUS_SEQ } from '../../acs/to-acs-task.js';
import type { TaskEngine, TaskState, TaskStateStore } from './contracts.js';
import { desiredSeqOf } from './state-store.js';

export interface TaskDeliveryOptions {
  readonly store: TaskStateStore;
  readonly engine: TaskEngine;
  /** Tasks that ran to the end here and were cleaned up. @default none */
  readonly finished?: { has(taskArn: string): boolean };
  readonly log?: Logger;
}

/** The delivered task asked to stop: its desired status STOPPED, ranked after the one it replaces. */
export function stopOrder(task: AcsTask, reason: string | undefined): AcsTask {
  return {
    ...task,
    desiredStatus: 'STOPPED',
    desiredStatusSeq: Math.max(DESIRED_STATUS_SEQ.STOPPED, desiredSeqOf(task) + 1),
    ...(reason !== undefined && task.stoppedReason === undefined && { stoppedReason: reason }),
  };
}

export class TaskDelivery {
  readonly #o: TaskDeliveryOptions;
  readonly #log: Logger;
  /** Saved here but not listed by the engine yet. */
  readonly #saved = new Map<string, TaskState>();

  constructor(options: TaskDeliveryOptions) {
    this.#o = options;
    this.#log = options.log ?? pino({ level: 'silent' });
  }

  known(taskArn: string): TaskState | undefined {
    this.#forgetTaken();
    return this.#o.engine.tasks().get(taskArn) ?? this.#saved.get(taskArn);
  }

  /** Every task the host has a record of, by ARN. */
  knownTasks(): ReadonlyMap<string, TaskState> {
    this.#forgetTaken();
    const all = new Map(this.#saved);
    for (const [arn, state] of this.#o.engine.tasks()) all.set(arn, state);
    return all;
  }

  /**
   * Drops what the engine took meanwhile (it waited for Docker): from then on the engine's record is the
   * host's, and a task it has cleaned up must not live on here.
   */
  #forgetTaken(): void {
    const engine = this.#o.engine.tasks();
    for (const arn of this.#saved.keys()) if (engine.has(arn)) this.#saved.delete(arn);
  }

  /** The task ran to the end here and was cleaned up: only its ARN is left. */
  finished(taskArn: string): boolean {
    return this.known(taskArn) === undefined && this.#o.finished?.has(taskArn) === true;
  }

  /** Saves a task that is new or further along; false when it changes nothing this host applied. */
  async save(task: AcsTask): Promise<boolean> {
    const existing = this.known(task.arn);
    if (existing === undefined && this.#o.finished?.has(task.arn) === true) {
      this.#log.info({ taskArn: task.arn }, 'task already ran to the end on this host; not started again');
      return false;
    }
    if (existing !== undefined && desiredSeqOf(existing.task) >= desiredSeqOf(task)) {
      this.#log.debug({ taskArn: task.arn, desiredStatus: task.desiredStatus }, 'delivery already applied');
      return false;
    }
    const state: TaskState = existing
      ? { ...existing, task }
      : {
          task,
          knownStatus: 'NONE',
          containers: task.containers.map((c) => ({ name: c.name, knownStatus: 'NONE' })),
        };
    await this.#o.store.save(state);
    this.#saved.set(task.arn, state);
    return true;
  }

  /** Gives saved tasks to the engine, those to stop before those to start. */
  handOver(tasks: readonly AcsTask[]): void {
    const ordered = [
      ...tasks.filter((t) => t.desiredStatus === 'STOPPED'),
      ...tasks.filter((t) => t.desiredStatus !== 'STOPPED'),
    ];
    for (const task of ordered) {
      try {
        this.#o.engine.accept(task);
      } catch (err) {
        this.#log.error({ err, taskArn: task.arn }, 'the task engine did not accept a task');
      }
      if (this.#o.engine.tasks().has(task.arn)) this.#saved.delete(task.arn);
    }
  }

  /**
   * Stops tasks the host has and still wants running, as a payload asking to stop them would; `reason`
   * is kept when the task has none. Returns the ARNs it stopped; failures are logged and skipped.
   */
  async stop(taskArns: readonly string[], reason?: string): Promise<string[]> {
    const stopping: AcsTask[] = [];
    for (const arn of taskArns) {
      const state = this.known(arn);
      if (state === undefined || state.task.desiredStatus === 'STOPPED') continue;
      const task = stopOrder(state.task, reason);
      try {
        if (await this.save(task)) stopping.push(task);
      } catch (err) {
        this.#log.error({ err, taskArn: arn }, 'could not store a stop; the next task manifest tries again');
      }
    }
    this.handOver(stopping);
    return stopping.map((t) => t.arn);
  }
}

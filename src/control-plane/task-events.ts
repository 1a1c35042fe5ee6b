/**
 * In-process notifications that the tasks of a container instance changed (a task was placed on it, or a
 * task on it was asked to stop), so the agent gateway can send that instance's agent what it must do at once.
 * Emitted only after the change committed, so a listener that reads the store sees it; listeners run
 * synchronously, and a throwing one never fails the request that announced the change.
 *
 * The event carries only the instance: a listener re-reads that instance's tasks, which keeps events
 * idempotent (two changes in a row may be handled as one) and the store the single source of truth.
 *
 * There is one emitter per process, `taskEvents`, which the server hands to operations as
 * `ctx.runtime.taskEvents` and exposes as `RunningServer.taskEvents`: whichever way a part reaches it, it is
 * the same object. Several servers in one process (tests) share it; a listener only acts on instances its own
 * store knows, so an event from another server is a no-op there.
 */
import type { TaskEventSink } from './operations/operation.js';

export type TaskChangedListener = (containerInstanceArn: string) => void;

export class TaskEvents implements TaskEventSink {
  private readonly listeners = new Set<TaskChangedListener>();
  private reportListenerError: (err: unknown) => void = () => {};

  /** Subscribes to changes; returns the function that unsubscribes. */
  onChanged(listener: TaskChangedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Announces that tasks on `containerInstanceArn` changed; call after the transaction committed. */
  emitChanged(containerInstanceArn: string): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(containerInstanceArn);
      } catch (err) {
        this.reportListenerError(err);
      }
    }
  }

  /** Where a throwing listener's error goes (the server logs it). */
  reportErrorsTo(report: (err: unknown) => void): void {
    this.reportListenerError = report;
  }
}

export const taskEvents = new TaskEvents();

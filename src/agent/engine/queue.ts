/**
 * An unbounded single-consumer queue: producers (accept(), Docker events, finished actions, timers) push
 * without waiting, the managed task's loop takes one event at a time. This is what lets one loop be the
 * only writer of a task's state without locks.
 */
export class EventQueue<T> {
  readonly #items: T[] = [];
  #waiter: ((item: T) => void) | undefined;
  #closed = false;

  push(item: T): void {
    if (this.#closed) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter(item);
    } else {
      this.#items.push(item);
    }
  }

  /** The next item; waits for one when the queue is empty. Only one caller may wait at a time. */
  take(): Promise<T> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  /** Items pushed from now on are dropped (the loop has ended). */
  close(): void {
    this.#closed = true;
    this.#items.length = 0;
  }
}

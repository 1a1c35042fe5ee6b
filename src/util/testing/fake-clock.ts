/**
 * A clock whose time moves only when the test says so. It serves every timer interface in the code base:
 * `Clock` (util/clock.ts) and the engine's `EngineClock` (`after`). `advance()` runs the timers that fall due
 * in time order and lets the promise continuations they start run before the next one fires, so a chain of
 * async steps behaves as it would on the real clock, without the wait.
 */
import type { Clock, Timer } from '../clock.js';

interface Pending {
  at: number;
  readonly delay: number;
  readonly fn: () => void;
  /** Set for intervals. */
  readonly every?: number;
  /** Order among timers due at the same moment: the one set first runs first, as in Node. */
  readonly order: number;
}

class FakeTimer implements Timer {
  constructor(
    readonly id: number,
    readonly onRefresh: (id: number) => void,
  ) {}
  unref(): this {
    return this;
  }
  refresh(): this {
    this.onRefresh(this.id);
    return this;
  }
}

/** Lets I/O callbacks and promise continuations that are ready run (setImmediate fires after both). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  #now: number;
  #order = 0;
  readonly #timers = new Map<number, Pending>();

  /** @param start epoch ms @default 2024-05-01T00:00:00Z */
  constructor(start = Date.parse('2024-05-01T00:00:00Z')) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** `now()` as a Date, for components that take `() => Date`. */
  date = (): Date => new Date(this.#now);

  setTimeout(fn: () => void, ms: number): Timer {
    return this.#add(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): Timer {
    return this.#add(fn, ms, Math.max(1, ms));
  }

  clearTimeout(timer: Timer | undefined): void {
    if (timer instanceof FakeTimer) this.#timers.delete(timer.id);
  }

  clearInterval(timer: Timer | undefined): void {
    this.clearTimeout(timer);
  }

  /** The engine's timer shape (`EngineClock.after`): returns the cancel function. */
  after(ms: number, fn: () => void): () => void {
    const timer = this.setTimeout(fn, ms);
    return () => this.clearTimeout(timer);
  }

  /** How many timers are set. */
  get pending(): number {
    return this.#timers.size;
  }

  /** The delays of the timers set now, from now, soonest first. */
  delays(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, running every timer due on the way (intervals as often as they fall due). */
  async advance(ms: number): Promise<void> {
    const until = this.#now + ms;
    await settle();
    for (;;) {
      const next = this.#next(until);
      if (next === undefined) break;
      const [id, timer] = next;
      this.#now = Math.max(this.#now, timer.at);
      if (timer.every === undefined) this.#timers.delete(id);
      else timer.at += timer.every;
      timer.fn();
      await settle();
    }
    this.#now = Math.max(this.#now, until);
  }

  /** Moves time to the next timer and runs it (and any due with it); false when none is set. */
  async next(): Promise<boolean> {
    const soonest = this.delays()[0];
    if (soonest === undefined) return false;
    await this.advance(Math.max(0, soonest));
    return true;
  }

  #add(fn: () => void, ms: number, every: number | undefined): Timer {
    const id = ++this.#order;
    const delay = Number.isFinite(ms) ? Math.max(0, ms) : 0;
    // Like Node's refresh(): a timer that already fired is not set again.
    const refresh = (refreshed: number) => {
      const pending = this.#timers.get(refreshed);
      if (pending !== undefined) pending.at = this.#now + pending.delay;
    };
    this.#timers.set(id, { at: this.#now + delay, delay, fn, every, order: id });
    return new FakeTimer(id, refresh);
  }

  #next(until: number): [number, Pending] | undefined {
    let best: [number, Pending] | undefined;
    for (const entry of this.#timers) {
      const t = entry[1];
      if (t.at > until) continue;
      if (best === undefined || t.at < best[1].at || (t.at === best[1].at && t.order < best[1].order))
        best = entry;
    }
    return best;
  }
}

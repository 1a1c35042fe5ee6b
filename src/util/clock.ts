/**
 * Time and timers as a component sees them, injected so that a test can move time instead of waiting for it
 * (`util/testing/fake-clock.ts`). Components take a `Clock` option and default to `systemClock`.
 */

/** What a timer handle offers: Node's timers, or a fake one. */
export interface Timer {
  /** The timer alone does not keep the process alive. */
  unref(): this;
  /** Starts the timer's wait again from now, as if just set (a deadline pushed back by activity). */
  refresh(): this;
}

export interface Clock {
  /** Epoch ms. */
  now(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  clearTimeout(timer: Timer | undefined): void;
  setInterval(fn: () => void, ms: number): Timer;
  clearInterval(timer: Timer | undefined): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout | undefined),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (timer) => clearInterval(timer as NodeJS.Timeout | undefined),
};

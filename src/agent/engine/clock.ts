/** Time as the engine sees it, injectable so timers (cleanup, dependency timeouts) can be tested. */
export interface EngineClock {
  /** Epoch ms. */
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** Node's timers can wait at most 2^31-1 ms (~24.8 days); longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: EngineClock = {
  now: () => Date.now(),
  after(ms, fn) {
    let timer: NodeJS.Timeout;
    const arm = (left: number) => {
      timer = setTimeout(
        () => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : fn()),
        Math.min(left, MAX_TIMER_MS),
      );
      // Timers must not keep the agent's process alive on their own.
      timer.unref();
    };
    arm(Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

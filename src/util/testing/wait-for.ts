/**
 * The one poll-with-a-deadline every test waits with, in src/ and test/ alike. Every wait names what it waits
 * for and has a deadline, so that a timeout explains itself in the test output. Waiting on real time is for
 * what happens in another process or on a socket; a component's own timers are moved with `FakeClock`.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /**
   * The longest pause between probes. Pauses start at 10 ms and double up to this, so that what happens at
   * once is seen at once, and a slow probe (a CLI call) is not run back to back. @default 250 ms
   */
  readonly intervalMs?: number;
  /** What to add to the timeout's message: e.g. the last thing the probe saw, or a log. */
  readonly detail?: () => string | Promise<string>;
  /**
   * Asked after each probe that did not succeed: a message ends the wait at once with it (the process
   * waited on has exited, so waiting on is pointless).
   */
  readonly failIf?: () => string | undefined;
}

/** How long a wait lasts when the caller does not say: in-process events, a local socket. */
export const DEFAULT_WAIT_MS = 5_000;

/**
 * Polls `probe` until it returns something other than undefined/false, and returns that. A probe that throws
 * is tried again (a CLI call may fail transiently on a loaded machine; the deadline still bounds the wait).
 * Fails after `timeoutMs` with `what`, what `detail` says and the probe's last error, if it threw; or as soon
 * as `failIf` says why.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = DEFAULT_WAIT_MS,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const longest = options.intervalMs ?? 250;
  let pause = Math.min(10, longest);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    const failure = options.failIf?.();
    if (failure !== undefined) throw new Error(`gave up waiting for ${what}: ${failure}`);
    if (Date.now() > deadline) {
      const detail = options.detail === undefined ? '' : `; ${await options.detail()}`;
      const error =
        lastError === undefined
          ? ''
          : `; last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}${error}`);
    }
    await sleep(pause);
    pause = Math.min(pause * 2, longest);
  }
}

/**
 * The one poll-with-a-deadline the suites wait with. Every wait names what it waits for and states its own
 * deadline, so that a timeout explains itself in the test output.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** How long to sleep between probes. @default 500 ms */
  readonly intervalMs?: number;
  /** What to add to the timeout's message: e.g. the last thing the probe saw, or a log. */
  readonly detail?: () => string | Promise<string>;
}

/**
 * Polls `probe` until it returns something other than undefined/false, and returns that. A probe that throws
 * is tried again (a CLI call may fail transiently on a loaded machine; the deadline still bounds the wait).
 * Fails after `timeoutMs` with `what`, what `detail` says and the probe's last error, if it threw.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const detail = options.detail === undefined ? '' : `; ${await options.detail()}`;
      const error =
        lastError === undefined
          ? ''
          : `; last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}${error}`);
    }
    await sleep(options.intervalMs ?? 500);
  }
}

/**
 * The one way tests check an API error, wherever it surfaces: thrown by a kernel as an `ApiError`
 * (`expectApiError`, `assertApiError`) or through a client as the SDK's exception of that name (`failure`).
 * The code (or exception name) must match exactly; the message is checked by fragments, text or pattern.
 */
import assert from 'node:assert/strict';
import { isApiError } from '../errors.js';
import type { ErrorCode, ApiError } from '../errors.js';

type MessageCheck = string | RegExp | readonly string[] | undefined;

/** `message` is the whole message, a pattern, or fragments it must contain. */
function checkMessage(actual: string, message: MessageCheck, whole: boolean): void {
  if (message === undefined) return;
  if (message instanceof RegExp) assert.match(actual, message);
  else if (typeof message === 'string' && whole) assert.equal(actual, message);
  else
    for (const f of typeof message === 'string' ? [message] : message)
      assert.ok(actual.includes(f), `message ${JSON.stringify(actual)} lacks ${JSON.stringify(f)}`);
}

function checkApiError(caught: unknown, code: ErrorCode): asserts caught is ApiError {
  assert.ok(isApiError(caught), `expected an ApiError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, `wrong code; message: ${caught.message}`);
}

/** Runs `fn`, which must throw an ApiError with `code` whose message contains every fragment. */
export function expectApiError(fn: () => void, code: ErrorCode, ...fragments: string[]): ApiError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  checkApiError(caught, code);
  checkMessage(caught.message, fragments, false);
  return caught;
}

/** `promise` must reject with an ApiError with `code` (and the message, exactly or matching), leaking no secret. */
export async function assertApiError(
  promise: Promise<unknown>,
  code: ErrorCode,
  message?: string | RegExp,
  secrets: readonly string[] = [],
): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  checkApiError(caught, code);
  checkMessage(caught.message, message, true);
  for (const secret of secrets) assert.ok(!caught.message.includes(secret), 'error message leaks a secret');
}

/**
 * An SDK call must fail with the named exception (and, when given, a message containing the text or matching
 * the pattern); returns the message so a test can check more of it.
 */
export async function failure(
  call: Promise<unknown>,
  name: string,
  message?: RegExp | string,
): Promise<string> {
  let caught: unknown;
  try {
    await call;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, `expected ${name}, but the call succeeded`);
  assert.equal(caught.name, name, `wrong exception; message: ${caught.message}`);
  checkMessage(caught.message, message, false);
  return caught.message;
}

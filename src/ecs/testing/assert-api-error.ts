/** Test helper: asserts that a verification fails with a given Berth error, and leaks no secret doing so. */
import assert from 'node:assert/strict';
import type { ErrorCode } from '../errors.js';
import { isApiError } from '../errors.js';

export async function assertApiError(
  verification: Promise<unknown>,
  code: ErrorCode,
  message?: string | RegExp,
  secrets: readonly string[] = [],
): Promise<void> {
  let caught: unknown;
  try {
    await verification;
  } catch (e) {
    caught = e;
  }
  assert.ok(isApiError(caught), `expected ApiError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, `wrong code; message was: ${caught.message}`);
  if (typeof message === 'string') assert.equal(caught.message, message);
  else if (message !== undefined) assert.match(caught.message, message);
  for (const secret of secrets) {
    assert.ok(!caught.message.includes(secret), 'error message leaks a secret');
  }
}

/** Assertions for validator tests: which ApiError, with which words. */
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import type { ErrorCode } from '../errors.js';

/** Runs `fn`, which must throw an ApiError with `code` whose message contains every fragment. */
export function expectApiError(fn: () => void, code: ErrorCode, ...fragments: string[]): ApiError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ApiError, `expected an ApiError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, `wrong code; message: ${caught.message}`);
  for (const f of fragments)
    assert.ok(
      caught.message.includes(f),
      `message ${JSON.stringify(caught.message)} lacks ${JSON.stringify(f)}`,
    );
  return caught;
}

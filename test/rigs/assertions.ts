import assert from 'node:assert/strict';

/**
 * Asserts that an SDK call fails with the named exception (and, when given, a message containing the text or
 * matching the pattern); returns the message so a test can check more of it.
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
  if (typeof message === 'string') {
    assert.ok(caught.message.includes(message), `message ${JSON.stringify(caught.message)} lacks ${message}`);
  } else if (message !== undefined) {
    assert.match(caught.message, message);
  }
  return caught.message;
}

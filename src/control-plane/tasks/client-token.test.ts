import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestHash, validateClientToken } from './client-token.js';

describe('clientToken', () => {
  it('accepts 1-64 printable ASCII characters without spaces', () => {
    assert.equal(validateClientToken('a~!{}'), 'a~!{}');
    assert.equal(validateClientToken('x'.repeat(64)), 'x'.repeat(64));
    for (const bad of ['', 'x'.repeat(65), 'a b', 'é', 'tab\t']) {
      assert.throws(() => validateClientToken(bad), /clientToken/);
    }
  });

  it('hashes parameters regardless of key order, leaving the token out', () => {
    const one = requestHash({
      cluster: 'c',
      taskDefinition: 'web',
      count: 2,
      clientToken: 'a',
      tags: [{ key: 'k', value: 'v' }],
    });
    const two = requestHash({
      tags: [{ value: 'v', key: 'k' }],
      clientToken: 'b',
      count: 2,
      taskDefinition: 'web',
      cluster: 'c',
    });
    assert.equal(one, two);
    assert.notEqual(one, requestHash({ cluster: 'c', taskDefinition: 'web', count: 3 }));
  });
});

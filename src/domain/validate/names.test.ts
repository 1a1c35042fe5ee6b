import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isApiError } from '../../ecs/errors.js';
import type { NameKind } from './names.js';
import { isValidName, validateName } from './names.js';

describe('validateName', () => {
  const valid = ['a', 'default', 'my-cluster_01', 'A'.repeat(255), 'UPPER-lower_123'];
  for (const name of valid) {
    it(`accepts ${name.slice(0, 20)}`, () => {
      assert.equal(isValidName(name), true);
      validateName('cluster', name);
    });
  }

  const invalid: [NameKind, string | undefined, string][] = [
    [
      'cluster',
      'my cluster',
      "Cluster name must be 1-255 characters: letters, numbers, hyphens and underscores (got 'my cluster').",
    ],
    ['service', 'web.app', 'Service name must be 1-255 characters'],
    [
      'family',
      '',
      'Family must be 1-255 characters: letters, numbers, hyphens and underscores (it is empty).',
    ],
    ['container', undefined, 'Container name must be'],
    ['volume', 'a/b', 'Volume name must be'],
    ['cluster', 'x'.repeat(256), '(it has 256 characters)'],
    ['cluster', 'a b'.repeat(40), "...')"],
    ['cluster', 'café', "(got 'café')"],
    ['cluster', 'arn:aws:ecs:us-east-1:1:cluster/x', 'Cluster name'],
  ];
  for (const [kind, value, fragment] of invalid) {
    it(`refuses ${kind} ${JSON.stringify(value)?.slice(0, 30)}`, () => {
      assert.throws(
        () => validateName(kind, value),
        (e: unknown) =>
          isApiError(e) && e.code === 'InvalidParameterException' && e.message.includes(fragment),
      );
    });
  }
});

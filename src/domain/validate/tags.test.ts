import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tag } from '@aws-sdk/client-ecs';
import { isApiError } from '../../ecs/errors.js';
import { isReservedTagKey, validateTagKeys, validateTags } from './tags.js';

const many = (n: number): Tag[] => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'v' }));

function refuses(fn: () => void, fragment: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isApiError(e));
    assert.equal(e.code, 'InvalidParameterException');
    assert.ok(e.message.includes(fragment), e.message);
    return true;
  });
}

describe('validateTags', () => {
  const valid: [string, Tag[] | undefined][] = [
    ['no tags', undefined],
    ['an empty list', []],
    ['fifty tags', many(50)],
    ['an empty value', [{ key: 'team', value: '' }]],
    ['a missing value', [{ key: 'team' }]],
    ['unicode letters and spaces', [{ key: 'Équipe Nord', value: '東京 / edge:1 = a+b@c' }]],
    [
      'keys differing only in case',
      [
        { key: 'Env', value: 'a' },
        { key: 'env', value: 'b' },
      ],
    ],
    ['a 128-character key and 256-character value', [{ key: 'k'.repeat(128), value: 'v'.repeat(256) }]],
    ["'aws' without a colon", [{ key: 'awsome', value: 'x' }]],
  ];
  for (const [name, tags] of valid) it(`accepts ${name}`, () => validateTags(tags));

  const invalid: [string, Tag[], string][] = [
    ['51 tags', many(51), 'Too many tags: 51 given'],
    ['an empty key', [{ key: '', value: 'x' }], 'Tag keys must not be empty.'],
    ['a missing key', [{ value: 'x' }], 'Tag keys must not be empty.'],
    ['a 129-character key', [{ key: 'k'.repeat(129) }], 'longer than 128 characters'],
    ['a 257-character value', [{ key: 'k', value: 'v'.repeat(257) }], 'longer than 256 characters'],
    ['a key with a comma', [{ key: 'a,b' }], "Tag key 'a,b' may contain only"],
    ['a value with a star', [{ key: 'a', value: '*' }], "Tag value for key 'a' may contain only"],
    [
      'an aws: key',
      [{ key: 'aws:cloudformation:stack-name', value: 'x' }],
      "Tag keys starting with 'aws:' are reserved",
    ],
    ['an AWS: key in capitals', [{ key: 'AWS:x', value: 'x' }], 'are reserved'],
    [
      'a duplicate key',
      [
        { key: 'a', value: '1' },
        { key: 'a', value: '2' },
      ],
      "Tag key 'a' appears more than once",
    ],
  ];
  for (const [name, tags, fragment] of invalid)
    it(`refuses ${name}`, () => refuses(() => validateTags(tags), fragment));
});

describe('validateTagKeys', () => {
  it('accepts ordinary keys', () => validateTagKeys(['team', 'cost center']));
  it('refuses reserved keys', () => refuses(() => validateTagKeys(['aws:ecs:clusterName']), 'reserved'));
  it('refuses empty keys', () => refuses(() => validateTagKeys(['']), 'must not be empty'));
  it('refuses long keys', () => refuses(() => validateTagKeys(['x'.repeat(129)]), 'longer than 128'));
  it('knows reserved keys in any case', () => {
    assert.equal(isReservedTagKey('Aws:x'), true);
    assert.equal(isReservedTagKey('awsx'), false);
  });
});

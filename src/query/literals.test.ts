import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareVersions,
  compileRegex,
  parseBoolean,
  parseNumber,
  parseTimestamp,
  parseVersion,
} from './literals.js';

describe('parseTimestamp', () => {
  const valid: [string, string][] = [
    ['2018-06-18T22:28:28+00:00', '2018-06-18T22:28:28.000Z'],
    ['2018-06-18T22:28:28Z', '2018-06-18T22:28:28.000Z'],
    ['2018-06-18T22:28:28', '2018-06-18T22:28:28.000Z'],
    ['2018-06-18', '2018-06-18T00:00:00.000Z'],
    ['2018-06-18T22:28:28+02:00', '2018-06-18T20:28:28.000Z'],
    ['2018-06-18T22:28:28-05:30', '2018-06-19T03:58:28.000Z'],
    ['2018-06-18T22:28:28.5Z', '2018-06-18T22:28:28.500Z'],
    ['2018-06-18T22:28:28.123456789', '2018-06-18T22:28:28.123Z'],
    ['2020-02-29', '2020-02-29T00:00:00.000Z'],
    ['0050-01-01', '0050-01-01T00:00:00.000Z'],
  ];
  for (const [text, iso] of valid) {
    it(`reads ${text}`, () => assert.equal(new Date(parseTimestamp(text) ?? Number.NaN).toISOString(), iso));
  }
  const invalid = [
    '',
    '2018',
    '2018-6-18',
    '2018-13-01',
    '2018-00-10',
    '2018-02-29',
    '2018-04-31',
    '2018-06-00',
    '2018-06-18T24:00:00',
    '2018-06-18T22:60:00',
    '2018-06-18T22:28:60',
    '2018-06-18T22:28',
    '2018-06-18 22:28:28',
    '2018-06-18T22:28:28+0000',
    '2018-06-18T22:28:28+24:00',
    '2018-06-18Z',
    'yesterday',
    '1529360908',
  ];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.equal(parseTimestamp(text), undefined));
  }
});

describe('versions', () => {
  it('reads dot-separated numeric parts only', () => {
    assert.deepEqual(parseVersion('1.105.1'), [1, 105, 1]);
    assert.deepEqual(parseVersion('2'), [2]);
    for (const text of ['', 'v1.2', '1..2', '1.2.', '1.2-beta', 'latest'])
      assert.equal(parseVersion(text), undefined);
  });
  const cases: [string, string, number][] = [
    ['1.14.5', '1.14.5', 0],
    ['1.14', '1.14.0', 0],
    ['1.14.0.0', '1.14', 0],
    ['1.9', '1.10', -1],
    ['1.105.1', '1.14.5', 1],
    ['2', '1.999.999', 1],
    ['0.0.1', '0.0.0', 1],
  ];
  for (const [a, b, expected] of cases) {
    it(`${a} vs ${b} is ${expected}`, () => {
      assert.equal(compareVersions(parseVersion(a) ?? [], parseVersion(b) ?? []), expected);
      assert.equal(compareVersions(parseVersion(b) ?? [], parseVersion(a) ?? []), -expected || 0);
    });
  }
});

describe('parseBoolean and parseNumber', () => {
  it('reads true and false in any case', () => {
    assert.equal(parseBoolean('true'), true);
    assert.equal(parseBoolean('FALSE'), false);
    assert.equal(parseBoolean('yes'), undefined);
    assert.equal(parseBoolean('1'), undefined);
  });
  it('reads decimal numbers only', () => {
    const valid: [string, number][] = [
      ['3', 3],
      ['-1.5', -1.5],
      ['+2', 2],
      ['.5', 0.5],
      ['5.', 5],
      ['2e3', 2000],
    ];
    for (const [text, value] of valid) assert.equal(parseNumber(text), value, text);
    for (const text of ['', '1.14.5', '0x10', 'Infinity', 'NaN', '1e999', '1,000', ' 1', 't2']) {
      assert.equal(parseNumber(text), undefined, text);
    }
  });
});

describe('compileRegex', () => {
  const full = (pattern: string, value: string): boolean => {
    const regex = compileRegex(pattern);
    assert.ok(regex instanceof RegExp, pattern);
    return regex.test(value);
  };
  it('matches the whole value, as Java String.matches does', () => {
    assert.equal(full('g2.*', 'g2.2xlarge'), true);
    assert.equal(full('2xl', 'g2.2xlarge'), false);
    assert.equal(full('t2', 't2.small'), false);
    assert.equal(full('a|ab', 'ab'), true);
    assert.equal(full('a|b', 'ab'), false);
    assert.equal(full('', ''), true);
  });
  it('honours a leading (?i) or (?s) as Java does', () => {
    assert.equal(full('(?i)LINUX', 'linux'), true);
    assert.equal(full('LINUX', 'linux'), false);
    assert.equal(full('(?s)a.b', 'a\nb'), true);
    assert.equal(full('(?is)A.B', 'a\nb'), true);
  });
  it('returns the reason for a bad pattern, without repeating the pattern', () => {
    assert.deepEqual(compileRegex('a(b'), { error: 'Unterminated group' });
    assert.deepEqual(compileRegex('*'), { error: 'Nothing to repeat' });
    assert.ok(!(compileRegex('(?m)a') instanceof RegExp));
  });
  it('does not let a group in the pattern escape the whole-value anchors', () => {
    assert.deepEqual(compileRegex('a)|(b'), { error: "Unmatched ')'" });
  });
});

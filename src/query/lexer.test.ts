import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QuerySyntaxError } from './errors.js';
import { isBareWord, tokenize } from './lexer.js';

const kinds = (source: string): string[] => tokenize(source).map((t) => `${t.kind}:${t.value}`);

describe('tokenize', () => {
  const cases: [string, string[]][] = [
    ['a==b', ['word:a', 'operator:==', 'word:b', 'end:']],
    ['a != b', ['word:a', 'operator:!=', 'word:b', 'end:']],
    [
      '>= <= > < =~ !~',
      ['operator:>=', 'operator:<=', 'operator:>', 'operator:<', 'operator:=~', 'operator:!~', 'end:'],
    ],
    ['!exists', ['bang:!', 'word:exists', 'end:']],
    ['&& || ! ( ) [ ] ,', ['and:&&', 'or:||', 'bang:!', '(:(', '):)', '[:[', ']:]', ',:,', 'end:']],
    ['2018-06-18T22:28:28+00:00', ['word:2018-06-18T22:28:28+00:00', 'end:']],
    ['attribute:ecs.instance-type', ['word:attribute:ecs.instance-type', 'end:']],
    ['^t2\\.\\w{2}$', ['word:^t2\\.\\w{2}$', 'end:']],
    ['größe 𝒜x', ['word:größe', 'word:𝒜x', 'end:']],
    [`'a "b"' "c 'd'"`, ['string:a "b"', "string:c 'd'", 'end:']],
    [`'it\\'s' "a\\\\b" '\\d'`, ["string:it's", 'string:a\\b', 'string:\\d', 'end:']],
    ['', ['end:']],
  ];
  for (const [source, expected] of cases) {
    it(JSON.stringify(source), () => assert.deepEqual(kinds(source), expected));
  }

  it('records offsets, source text and whether whitespace precedes each token', () => {
    const tokens = tokenize(` a=="x y" b`);
    assert.deepEqual(
      tokens.map((t) => [t.start, t.end, t.text, t.spaced]),
      [
        [1, 2, 'a', true],
        [2, 4, '==', false],
        [4, 9, '"x y"', false],
        [10, 11, 'b', true],
        [11, 11, '', true],
      ],
    );
  });

  it('counts positions in UTF-16 code units, as String.length does', () => {
    assert.deepEqual(
      tokenize('𝒜x y').map((t) => t.start),
      [0, 4, 5],
    );
  });
});

describe('tokenize: errors', () => {
  const cases: [string, number, RegExp][] = [
    ['a = b', 2, /unexpected character '=' at position 2: use '=='/],
    ['a & b', 2, /use '&&' or 'and'/],
    ['a | b', 2, /use '\|\|' or 'or'/],
    ['a ~ b', 2, /use '=~' or '!~'/],
    [
      'a ; b',
      2,
      /unexpected character ';' at position 2: it has no meaning here; a value that contains ';' must be quoted/,
    ],
    ['𝒜 ;', 3, /unexpected character ';' at position 3/],
    [
      `x 'abc`,
      2,
      /^unterminated string at position 2: the ' that starts here is never closed; add a closing '$/,
    ],
    [`x "abc\\"`, 2, /add a closing "/],
  ];
  for (const [source, position, message] of cases) {
    it(JSON.stringify(source), () => {
      assert.throws(
        () => tokenize(source),
        (err: unknown) =>
          err instanceof QuerySyntaxError && err.position === position && message.test(err.message),
      );
    });
  }
});

describe('isBareWord', () => {
  it('accepts what the lexer reads as one word and nothing else', () => {
    for (const word of ['a', 't2.small', 'service:prod', 'g2.*', '1.14.5', 'x@y+z', 'größe']) {
      assert.ok(isBareWord(word), word);
    }
    for (const text of ['', 'a b', 'a,b', "it's", 'a(b)', 'x|y', 'a=b', '!a', '[a]']) {
      assert.ok(!isBareWord(text), text);
    }
  });
});

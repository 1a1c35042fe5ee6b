import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FilterPatternError, parseFilterPattern } from './filter-pattern.js';

const matches = (pattern: string, message: string) => parseFilterPattern(pattern).matches(message);

describe('filter patterns: terms', () => {
  it('an empty pattern and a quoted blank match every message', () => {
    for (const p of ['', '   ', '" "', '""']) {
      assert.equal(matches(p, 'anything at all'), true, p);
      assert.equal(parseFilterPattern(p).matchesAll, true);
    }
  });

  it('terms must all appear, case-sensitively', () => {
    assert.equal(matches('ERROR Exception', '[ERROR] NullPointerException thrown'), true);
    assert.equal(matches('ERROR Exception', '[ERROR] it failed'), false);
    assert.equal(matches('ERROR', '[error] lower case'), false);
  });

  it('a quoted phrase matches as a whole, with its spaces and punctuation', () => {
    assert.equal(matches('"INTERNAL SERVER ERROR"', 'got INTERNAL SERVER ERROR from upstream'), true);
    assert.equal(matches('"INTERNAL SERVER ERROR"', 'INTERNAL ERROR SERVER'), false);
    assert.equal(matches('"say \\"hi\\""', 'they say "hi" twice'), true);
  });

  it('? terms are alternatives and - terms exclusions', () => {
    assert.equal(matches('?ERROR ?WARN', 'WARN disk almost full'), true);
    assert.equal(matches('?ERROR ?WARN', 'INFO all good'), false);
    assert.equal(matches('ERROR -timeout', 'ERROR connection refused'), true);
    assert.equal(matches('ERROR -timeout', 'ERROR timeout after 5s'), false);
    assert.equal(matches('-"health check"', 'GET /healthz ok'), true);
    assert.equal(matches('-"health check"', 'a health check passed'), false);
  });

  it('an unterminated quote or a bare ? is refused', () => {
    assert.throws(() => parseFilterPattern('"open'), FilterPatternError);
    assert.throws(() => parseFilterPattern('ERROR ?'), FilterPatternError);
  });
});

describe('filter patterns: JSON selectors', () => {
  const event = JSON.stringify({
    level: 'error',
    latency: 250,
    ok: false,
    user: { id: 'u-17', tags: ['a', 'b'] },
    missing: null,
    items: [{ id: 1 }, { id: 2 }],
  });

  it('string equality, inequality and wildcards', () => {
    assert.equal(matches('{ $.level = "error" }', event), true);
    assert.equal(matches('{ $.level = error }', event), true);
    assert.equal(matches('{ $.level != "error" }', event), false);
    assert.equal(matches('{ $.user.id = "u-*" }', event), true);
    assert.equal(matches('{ $.user.id = "x-*" }', event), false);
    assert.equal(matches('{ $.user.tags[1] = "b" }', event), true);
    assert.equal(matches('{ $.items[1].id = 2 }', event), true);
  });

  it('numeric comparisons', () => {
    assert.equal(matches('{ $.latency > 200 }', event), true);
    assert.equal(matches('{ $.latency >= 250 }', event), true);
    assert.equal(matches('{ $.latency < 250 }', event), false);
    assert.equal(matches('{ $.latency = 2.5e2 }', event), true);
    assert.equal(matches('{ $.level > 3 }', event), false);
  });

  it('IS NULL, IS TRUE, IS FALSE and NOT EXISTS', () => {
    assert.equal(matches('{ $.missing IS NULL }', event), true);
    assert.equal(matches('{ $.ok IS FALSE }', event), true);
    assert.equal(matches('{ $.ok IS TRUE }', event), false);
    assert.equal(matches('{ $.nothere NOT EXISTS }', event), true);
    assert.equal(matches('{ $.level NOT EXISTS }', event), false);
  });

  it('&& binds tighter than ||, and parentheses override it', () => {
    assert.equal(matches('{ $.level = "info" && $.latency > 1 || $.ok IS FALSE }', event), true);
    assert.equal(matches('{ $.level = "info" && ($.latency > 1 || $.ok IS FALSE) }', event), false);
    assert.equal(matches('{ ($.level = "error") && $.latency > 100 }', event), true);
  });

  it('a message that is not JSON never matches; a JSON object after a prefix does', () => {
    assert.equal(matches('{ $.level = "error" }', 'level=error'), false);
    assert.equal(matches('{ $.level = "error" }', '2026-01-01T00:00:00Z {"level":"error"}'), true);
  });

  it('malformed JSON patterns are refused', () => {
    for (const p of ['{ $.level = "error" ', '{ level = 1 }', '{ $.a > x }', '{ ($.a = 1 }', '{ $.a = }']) {
      assert.throws(() => parseFilterPattern(p), FilterPatternError, p);
    }
  });
});

describe('filter patterns: regular expressions and the rest', () => {
  it('%regex% matches with JavaScript semantics, without groups', () => {
    assert.equal(matches('%ERROR [0-9]+%', 'ERROR 42 happened'), true);
    assert.equal(matches('%^ERROR$%', 'ERROR 42'), false);
    assert.throws(() => parseFilterPattern('%(a|b)%'), FilterPatternError);
  });

  it('space-delimited patterns are refused with a message naming them', () => {
    assert.throws(() => parseFilterPattern('[ip, user]'), /Space-delimited/);
  });
});

describe('filter patterns: properties', () => {
  const word = fc.stringMatching(/^[A-Za-z0-9_:.]{1,8}$/);

  it('a term matches exactly the messages containing it', () => {
    fc.assert(
      fc.property(word, fc.string(), (term, message) => {
        assert.equal(matches(term, message), message.includes(term));
      }),
    );
  });

  it('-term matches exactly the messages without it; "phrase" those with it', () => {
    fc.assert(
      fc.property(word, word, fc.string(), (a, b, message) => {
        assert.equal(matches(`-${a}`, message), !message.includes(a));
        const phrase = `${a} ${b}`;
        assert.equal(matches(JSON.stringify(phrase), message), message.includes(phrase));
      }),
    );
  });

  it('a JSON string equality matches the event it was written from', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/), fc.string(), (key, value) => {
        const pattern = `{ $.${key} = ${JSON.stringify(value.replace(/\*/g, ''))} }`;
        assert.equal(matches(pattern, JSON.stringify({ [key]: value.replace(/\*/g, '') })), true);
      }),
    );
  });

  it('parsing never throws anything but FilterPatternError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (p) => {
        try {
          parseFilterPattern(p).matches('{"a":1} ERROR');
        } catch (e) {
          assert.ok(e instanceof FilterPatternError, `${p}: ${String(e)}`);
        }
      }),
    );
  });
});

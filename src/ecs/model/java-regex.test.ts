import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { javaPatternToRegExp } from './java-regex.js';
import { ecsModel, logsModel, ssmModel } from './load-model.js';

void describe('javaPatternToRegExp', () => {
  void it('compiles every pattern of the bundled models', () => {
    let count = 0;
    for (const model of [ecsModel, ssmModel, logsModel]) {
      for (const shape of Object.values(model.shapes)) {
        if (shape.type === 'string' && shape.pattern !== undefined) {
          assert.ok(javaPatternToRegExp(shape.pattern) instanceof RegExp, shape.pattern);
          count++;
        }
      }
    }
    assert.ok(count > 15, `only ${count} patterns`);
  });

  void it('makes an unanchored pattern match the whole value', () => {
    const tagKey = javaPatternToRegExp('([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)');
    assert.ok(tagKey.test('Équipe 1:a/b=c+d-e@f'));
    assert.ok(!tagKey.test('ok!'));
    assert.ok(!javaPatternToRegExp('[\\.\\-_/#A-Za-z0-9]+').test('a b'));
  });

  void it('leaves an anchored pattern as written', () => {
    const re = javaPatternToRegExp('(^mi-[0-9a-f]{17}$)|(^eks_c:[0-9A-Za-z][A-Za-z0-9\\-_]{0,99}_\\w{17}$)');
    assert.ok(re.test('mi-0123456789abcdef0'));
    assert.ok(!re.test('xmi-0123456789abcdef0'));
    // `^(range|count|sum)` anchors only the start: a prefix check, as its author wrote it.
    assert.ok(javaPatternToRegExp('^(range|count|sum)').test('sum(x)'));
  });

  void it('drops backslashes JS would reject before plain punctuation', () => {
    const re = javaPatternToRegExp('^[\\w\\.\\-\\:\\/ ]*$');
    assert.ok(re.test('a.b-c:d/e f'));
    assert.ok(!re.test('a,b'));
    assert.ok(javaPatternToRegExp('a\\#b\\@c').test('a#b@c'));
  });

  void it('reads a hyphen next to a class escape as a literal, as Java does', () => {
    const re = javaPatternToRegExp('[\\w-_]*');
    assert.ok(re.test('a-b_c'));
    assert.ok(!re.test('a.b'));
    assert.ok(javaPatternToRegExp('[a-\\d]+').test('a-1'));
  });

  void it('turns a leading inline flag into a RegExp flag', () => {
    const re = javaPatternToRegExp('(?i)all|[0-9]{12}');
    assert.ok(re.test('ALL') && re.test('All') && re.test('123456789012'));
    assert.ok(!re.test('alls'));
  });

  void it('keeps lookaheads and backreferences', () => {
    const notBlank = javaPatternToRegExp('^(?!\\s*$).+');
    assert.ok(notBlank.test('x') && !notBlank.test('   '));
    assert.ok(javaPatternToRegExp('(a)\\1').test('aa'));
  });

  void it('refuses what JS cannot express instead of guessing', () => {
    for (const p of ['\\Qa.b\\E', 'a++', '[a-z&&[^e]]', '[a[b]]', '(?x)a', '[abc', '\\Aabc\\z']) {
      assert.throws(() => javaPatternToRegExp(p), p);
    }
  });

  void it('returns the same RegExp for the same pattern', () => {
    assert.equal(javaPatternToRegExp('[a-z]+'), javaPatternToRegExp('[a-z]+'));
  });
});

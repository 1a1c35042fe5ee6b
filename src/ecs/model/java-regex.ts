/**
 * Turns the `pattern` of a botocore shape (a Java regular expression, as the AWS services evaluate it) into a
 * JavaScript RegExp with the `u` flag, so `\p{L}` and friends mean what they mean in Java.
 *
 * The two dialects agree on everything the models use except a few spellings, translated here:
 *   - Java tolerates a backslash before any punctuation (`\:`, `\#`); `u`-mode JS only before syntax
 *     characters, so the needless backslash is dropped.
 *   - Java reads `[\w-_]` as "word characters, `-` and `_"`; in JS that is an invalid range, so the `-` next
 *     to a class escape is escaped.
 *   - a leading inline flag group like `(?i)` becomes a RegExp flag.
 * Constructs with no JS equivalent (`\Q…\E`, possessive quantifiers, class intersections) make it throw,
 * and a test compiles every pattern of the bundled models, so that can only happen after a model update.
 *
 * Anchoring: a pattern without `^` or `$` must match the whole value (otherwise `TagKey`'s
 * `([\p{L}…]*)` would accept anything); a pattern that has anchors already says what it means.
 */

// Characters a `u`-mode RegExp accepts after a backslash outside a class (plus `-` inside one).
const SYNTAX_CHARS = new Set('^$\\.*+?()[]{}|/');
// Escapes that stand for a set of characters, next to which a `-` in a class is a literal.
const CLASS_ESCAPES = new Set('dDwWsSpP');
const JAVA_FLAGS: Readonly<Record<string, string>> = { i: 'i', s: 's', m: 'm' };

const cache = new Map<string, RegExp>();

/** The RegExp a model pattern stands for; memoised, as the same few patterns are checked on every request. */
export function javaPatternToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = translate(pattern);
    cache.set(pattern, re);
  }
  return re;
}

function translate(pattern: string): RegExp {
  let flags = 'u';
  let src = pattern;
  const inline = /^\(\?([a-z]+)\)/.exec(src);
  if (inline) {
    for (const f of inline[1] ?? '') {
      const js = JAVA_FLAGS[f];
      if (js === undefined) throw new Error(`Unsupported inline flag (?${f}) in pattern ${pattern}`);
      if (!flags.includes(js)) flags += js;
    }
    src = src.slice(inline[0].length);
  }

  let out = '';
  let inClass = false;
  let anchored = false;
  // Whether the last thing emitted inside the current class was a class escape such as `\w`.
  let afterClassEscape = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] ?? '';
    if (c === '\\') {
      const next = src[i + 1];
      if (next === undefined) throw new Error(`Trailing backslash in pattern ${pattern}`);
      i++;
      if (/[A-Za-z0-9]/.test(next)) {
        if ('QEAzZGRXhHe'.includes(next))
          throw new Error(`Unsupported escape \\${next} in pattern ${pattern}`);
        let escape = `\\${next}`;
        // `\p{L}` and `\x{…}`-style escapes carry a braced argument; copy it whole.
        if ((next === 'p' || next === 'P') && src[i + 1] === '{') {
          const end = src.indexOf('}', i);
          if (end < 0) throw new Error(`Unterminated \\${next}{ in pattern ${pattern}`);
          escape += src.slice(i + 1, end + 1);
          i = end;
        }
        out += escape;
        afterClassEscape = inClass && CLASS_ESCAPES.has(next);
      } else {
        // Needless backslashes before other punctuation are dropped, as `u` mode rejects them.
        out += SYNTAX_CHARS.has(next) || (inClass && next === '-') ? `\\${next}` : next;
        afterClassEscape = false;
      }
      continue;
    }
    if (inClass) {
      if (c === ']') {
        inClass = false;
      } else if (c === '[' || (c === '&' && src[i + 1] === '&')) {
        throw new Error(`Unsupported nested or intersected character class in pattern ${pattern}`);
      } else if (c === '-') {
        const next = src[i + 1];
        const nextIsClassEscape = next === '\\' && CLASS_ESCAPES.has(src[i + 2] ?? '');
        if (afterClassEscape || nextIsClassEscape) {
          out += '\\-';
          afterClassEscape = false;
          continue;
        }
      }
      out += c;
      afterClassEscape = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A `^` or `]` right after the opening bracket belongs to the class, not to the pattern.
      if (src[i + 1] === '^') out += src[++i];
      if (src[i + 1] === ']') out += `\\${src[++i]}`;
      afterClassEscape = false;
      continue;
    }
    if (c === '^' || c === '$') anchored = true;
    out += c;
  }
  if (inClass) throw new Error(`Unterminated character class in pattern ${pattern}`);

  return new RegExp(anchored ? out : `^(?:${out})$`, flags);
}

/**
 * Splits a query into tokens. The lexer knows nothing about subjects or keywords: `and`, `not`, `exists` and
 * `attribute:foo` are all plain words, and the parser decides what a word means from where it stands. That is
 * what lets `attribute:x == and` compare with the value "and" instead of failing.
 */
import { QuerySyntaxError, quote } from './errors.js';

export type TokenKind =
  'word' | 'string' | 'operator' | 'bang' | 'and' | 'or' | '(' | ')' | '[' | ']' | ',' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token, quotes and escapes included. */
  readonly text: string;
  /** For strings, the text between the quotes with escapes resolved; otherwise the same as `text`. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
  /** Whether whitespace (or the start of input) comes right before the token; used only for hints. */
  readonly spaced: boolean;
}

/**
 * Characters of a bare word. Generous on purpose: dates (`2018-06-18T22:28:28+00:00`), ARN-like values
 * (`service:production`), versions and simple regular expressions (`g2.*`, `^t2\.\w+$`) need no quotes.
 */
const WORD_CLASS = String.raw`[\p{L}\p{N}._\-:/*@+%#$^?\\{}]`;
const WORD_CHAR = new RegExp(WORD_CLASS, 'u');
const BARE_WORD = new RegExp(`^${WORD_CLASS}+$`, 'u');
const WHITESPACE = /\s/u;

const TWO_CHAR_TOKENS: ReadonlyMap<string, TokenKind> = new Map(
  Object.entries({
    '==': 'operator',
    '!=': 'operator',
    '>=': 'operator',
    '<=': 'operator',
    '=~': 'operator',
    '!~': 'operator',
    '&&': 'and',
    '||': 'or',
  }),
);

const ONE_CHAR_TOKENS: ReadonlyMap<string, TokenKind> = new Map(
  Object.entries({
    '>': 'operator',
    '<': 'operator',
    '!': 'bang',
    '(': '(',
    ')': ')',
    '[': '[',
    ']': ']',
    ',': ',',
  }),
);

/** Advice for a lone character that is half of a real token. */
const HALF_TOKENS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    '=': "use '==' to compare, or '=~' to match a regular expression",
    '&': "use '&&' or 'and' to require both conditions",
    '|': "use '||' or 'or' to accept either condition",
    '~': "use '=~' or '!~' to match a regular expression",
  }),
);

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let spaced = true;
  while (i < source.length) {
    const ch = source.charAt(i);
    if (WHITESPACE.test(ch)) {
      i++;
      spaced = true;
      continue;
    }
    const start = i;
    const pair = source.slice(i, i + 2);
    const twoKind = TWO_CHAR_TOKENS.get(pair);
    const oneKind = ONE_CHAR_TOKENS.get(ch);
    if (twoKind !== undefined) {
      i += 2;
      tokens.push({ kind: twoKind, text: pair, value: pair, start, end: i, spaced });
    } else if (oneKind !== undefined) {
      i += 1;
      tokens.push({ kind: oneKind, text: ch, value: ch, start, end: i, spaced });
    } else if (ch === '"' || ch === "'") {
      const { value, end } = readString(source, start);
      i = end;
      tokens.push({ kind: 'string', text: source.slice(start, end), value, start, end, spaced });
    } else if (isWordChar(source, i)) {
      while (i < source.length && isWordChar(source, i)) i += charLength(source, i);
      const text = source.slice(start, i);
      tokens.push({ kind: 'word', text, value: text, start, end: i, spaced });
    } else {
      const shown = source.slice(i, i + charLength(source, i));
      throw new QuerySyntaxError(
        `unexpected character ${quote(shown)}`,
        start,
        `${HALF_TOKENS.get(ch) ?? 'it has no meaning here'}; a value that contains ${quote(shown)} must be quoted, e.g. "a${shown}b"`,
      );
    }
    spaced = false;
  }
  tokens.push({ kind: 'end', text: '', value: '', start: source.length, end: source.length, spaced: true });
  return tokens;
}

/**
 * Reads a quoted string starting at the opening quote. A backslash escapes the closing quote or another
 * backslash and is otherwise kept, so regular expressions such as '\d+' need no doubling.
 */
function readString(source: string, start: number): { value: string; end: number } {
  const quoteChar = source.charAt(start);
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const ch = source.charAt(i);
    if (ch === quoteChar) return { value, end: i + 1 };
    const next = source.charAt(i + 1);
    if (ch === '\\' && (next === quoteChar || next === '\\')) {
      value += next;
      i += 2;
    } else {
      value += ch;
      i += 1;
    }
  }
  throw new QuerySyntaxError(
    'unterminated string',
    start,
    `the ${quoteChar} that starts here is never closed; add a closing ${quoteChar}`,
  );
}

/** Whether `text` reads back as a single bare word, i.e. needs no quotes. */
export function isBareWord(text: string): boolean {
  return BARE_WORD.test(text);
}

function isWordChar(source: string, i: number): boolean {
  const cp = source.codePointAt(i);
  return cp !== undefined && WORD_CHAR.test(String.fromCodePoint(cp));
}

function charLength(source: string, i: number): number {
  const cp = source.codePointAt(i);
  return cp !== undefined && cp > 0xffff ? 2 : 1;
}

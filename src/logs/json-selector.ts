/**
 * The expression inside a JSON filter pattern's braces: comparisons of selectors (`$.a.b[0]`) joined by
 * `&&` and `||` with parentheses, `&&` binding tighter, as CloudWatch Logs reads them.
 */
import { FilterPatternError, readQuoted } from './lexing.js';

/** Runs against the parsed JSON of one message. */
export type JsonCondition = (event: object) => boolean;

type Token =
  | { kind: 'selector'; path: (string | number)[]; at: number }
  | { kind: 'op'; op: string; at: number }
  | { kind: 'word'; text: string; quoted: boolean; at: number };

const OPERATORS = ['&&', '||', '<=', '>=', '!=', '=', '<', '>', '(', ')'];
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseJsonExpression(text: string): JsonCondition {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isOp = (t: Token | undefined, op: string) => t?.kind === 'op' && t.op === op;

  function or(): JsonCondition {
    const parts = [and()];
    while (isOp(peek(), '||')) {
      pos++;
      parts.push(and());
    }
    return parts.length === 1 ? parts[0]! : (e) => parts.some((p) => p(e));
  }
  function and(): JsonCondition {
    const parts = [primary()];
    while (isOp(peek(), '&&')) {
      pos++;
      parts.push(primary());
    }
    return parts.length === 1 ? parts[0]! : (e) => parts.every((p) => p(e));
  }
  function primary(): JsonCondition {
    const t = peek();
    if (isOp(t, '(')) {
      pos++;
      const inner = or();
      if (!isOp(peek(), ')')) throw new FilterPatternError('Missing ) in the JSON filter pattern.');
      pos++;
      return inner;
    }
    if (t?.kind !== 'selector') {
      throw new FilterPatternError(
        `Expected a selector such as $.level in the JSON filter pattern${where(t)}.`,
      );
    }
    pos++;
    return comparison(t.path);
  }
  function comparison(path: (string | number)[]): JsonCondition {
    const t = peek();
    if (t?.kind === 'word' && !t.quoted && (t.text === 'IS' || t.text === 'NOT')) {
      pos++;
      const next = peek();
      pos++;
      const word = next?.kind === 'word' && !next.quoted ? next.text : '';
      if (t.text === 'NOT' && word === 'EXISTS') return (e) => select(e, path) === undefined;
      if (t.text === 'IS' && word === 'NULL') return (e) => select(e, path) === null;
      if (t.text === 'IS' && word === 'TRUE') return (e) => select(e, path) === true;
      if (t.text === 'IS' && word === 'FALSE') return (e) => select(e, path) === false;
      throw new FilterPatternError(`Expected IS NULL, IS TRUE, IS FALSE or NOT EXISTS${where(t)}.`);
    }
    if (t?.kind !== 'op' || ['&&', '||', '(', ')'].includes(t.op)) {
      throw new FilterPatternError(`Expected a comparison operator after the selector${where(t)}.`);
    }
    pos++;
    const v = peek();
    if (v?.kind !== 'word') throw new FilterPatternError(`Expected a value after ${t.op}${where(v)}.`);
    pos++;
    return compare(path, t.op, v.text, v.quoted);
  }

  const condition = or();
  if (pos < tokens.length)
    throw new FilterPatternError(`Unexpected text in the JSON filter pattern${where(peek())}.`);
  return condition;
}

function compare(path: (string | number)[], op: string, value: string, quoted: boolean): JsonCondition {
  const numeric = !quoted && NUMBER.test(value) ? Number(value) : undefined;
  if (op !== '=' && op !== '!=') {
    if (numeric === undefined) throw new FilterPatternError(`${op} needs a number, not ${value}.`);
    const test = ordered(op);
    return (e) => {
      const field = select(e, path);
      return typeof field === 'number' && test(field, numeric);
    };
  }
  const glob = globOf(value);
  const equals = (field: unknown): boolean | undefined => {
    if (typeof field === 'number')
      return numeric !== undefined ? field === numeric : glob.test(String(field));
    if (typeof field === 'string') return glob.test(field);
    return undefined;
  };
  return (e) => {
    const result = equals(select(e, path));
    if (result === undefined) return false;
    return op === '=' ? result : !result;
  };
}

function ordered(op: string): (a: number, b: number) => boolean {
  if (op === '<') return (a, b) => a < b;
  if (op === '>') return (a, b) => a > b;
  if (op === '<=') return (a, b) => a <= b;
  return (a, b) => a >= b;
}

/** `*` matches any run of characters; everything else literally. */
function globOf(value: string): RegExp {
  const body = value
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

function select(event: unknown, path: readonly (string | number)[]): unknown {
  let current = event;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[step] as unknown;
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(current, step)) return undefined;
      current = (current as Record<string, unknown>)[step];
    }
  }
  return current;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (c === '$') {
      const { path, end } = readSelector(text, i);
      tokens.push({ kind: 'selector', path, at: i });
      i = end;
    } else if (c === '"') {
      const { value, end } = readQuoted(text, i);
      tokens.push({ kind: 'word', text: value, quoted: true, at: i });
      i = end;
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (op !== undefined) {
        tokens.push({ kind: 'op', op, at: i });
        i += op.length;
        continue;
      }
      let end = i;
      while (end < text.length && !/[\s=!<>()&|"]/.test(text[end] ?? '')) end++;
      if (end === i) throw new FilterPatternError(`Unexpected ${c} at ${i} in the JSON filter pattern.`);
      tokens.push({ kind: 'word', text: text.slice(i, end), quoted: false, at: i });
      i = end;
    }
  }
  return tokens;
}

function readSelector(text: string, start: number): { path: (string | number)[]; end: number } {
  const path: (string | number)[] = [];
  let i = start + 1;
  for (;;) {
    if (text[i] === '.') {
      let end = i + 1;
      while (end < text.length && /[^\s.[\]=!<>()&|"]/.test(text[end] ?? '')) end++;
      if (end === i + 1) throw new FilterPatternError(`Expected a property name after . at ${i}.`);
      path.push(text.slice(i + 1, end));
      i = end;
    } else if (text[i] === '[') {
      const m = /^\[(\d+)\]/.exec(text.slice(i));
      if (m === null) throw new FilterPatternError(`Expected an array index like [0] at ${i}.`);
      path.push(Number(m[1]));
      i += m[0].length;
    } else {
      return { path, end: i };
    }
  }
}

function where(t: Token | undefined): string {
  return t === undefined ? ' (at the end)' : ` (at ${t.at})`;
}

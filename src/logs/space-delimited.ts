/**
 * Space-delimited filter patterns: `[ip, user, ..., status = 4* || status = 5*, bytes > 1000]`. The message
 * is split at blanks, text in `"..."` or `[...]` counting as one field (without its quotes or brackets); the
 * pattern names each field in order, optionally with conditions (`= != < > <= >=`, `*` wildcards, `&&` and
 * `||` within a field), and `...` stands for any number of fields.
 */
import { globOf, NUMBER } from './json-selector.js';
import { FilterPatternError, readQuoted } from './lexing.js';

type FieldTest = (field: string) => boolean;
type Item = { kind: 'any' } | { kind: 'field'; test: FieldTest };

export function parseSpaceDelimited(body: string): (message: string) => boolean {
  const items: Item[] = splitTopLevel(body).map((spec) => {
    const text = spec.trim();
    if (text === '') throw new FilterPatternError('An empty field in a space-delimited pattern.');
    if (text === '...') return { kind: 'any' };
    return { kind: 'field', test: fieldTest(text) };
  });
  return (message) => matches(fieldsOf(message), items);
}

/** Commas outside quotes separate fields. */
function splitTopLevel(body: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (c === '"') {
      const { end } = readQuoted(body, i);
      current += body.slice(i, end);
      i = end - 1;
    } else if (c === ',') {
      out.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  out.push(current);
  return out;
}

/** `name`, or `name op value` conditions joined by `&&` / `||` (`&&` binding tighter). */
function fieldTest(text: string): FieldTest {
  const alternatives = text.split('||').map((alt) => alt.split('&&').map((cond) => condition(cond.trim())));
  return (field) => alternatives.some((all) => all.every((test) => test(field)));
}

function condition(text: string): FieldTest {
  const m = /^([A-Za-z0-9_$@.-]+)\s*(<=|>=|!=|=|<|>)\s*(.+)$/s.exec(text);
  if (m === null) {
    if (/^[A-Za-z0-9_$@.-]+$/.test(text)) return () => true;
    throw new FilterPatternError(`Cannot read the field condition ${text} in a space-delimited pattern.`);
  }
  const op = m[2] ?? '=';
  let value = (m[3] ?? '').trim();
  const quoted = value.startsWith('"');
  if (quoted) {
    const { value: inner, end } = readQuoted(value, 0);
    if (value.slice(end).trim() !== '')
      throw new FilterPatternError(`Unexpected text after ${value.slice(0, end)}.`);
    value = inner;
  }
  const numeric = !quoted && NUMBER.test(value) ? Number(value) : undefined;
  if (op !== '=' && op !== '!=') {
    if (numeric === undefined) throw new FilterPatternError(`${op} needs a number, not ${value}.`);
    return (field) => {
      if (!NUMBER.test(field)) return false;
      const n = Number(field);
      return op === '<' ? n < numeric : op === '>' ? n > numeric : op === '<=' ? n <= numeric : n >= numeric;
    };
  }
  const glob = globOf(value);
  const equal = (field: string) =>
    numeric !== undefined && NUMBER.test(field) ? Number(field) === numeric : glob.test(field);
  return op === '=' ? equal : (field) => !equal(field);
}

/** Blank-separated fields; `"..."` and `[...]` are one field each, without their delimiters. */
export function fieldsOf(message: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i < message.length) {
    const c = message[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === '[') {
      const close = message.indexOf(c === '"' ? '"' : ']', i + 1);
      const end = close < 0 ? message.length : close;
      fields.push(message.slice(i + 1, end));
      i = end + 1;
    } else {
      let end = i;
      while (end < message.length && !/\s/.test(message[end] ?? '')) end++;
      fields.push(message.slice(i, end));
      i = end;
    }
  }
  return fields;
}

function matches(fields: readonly string[], items: readonly Item[]): boolean {
  const failed = new Set<number>();
  const at = (i: number, j: number): boolean => {
    if (j === items.length) return i === fields.length;
    const key = i * (items.length + 1) + j;
    if (failed.has(key)) return false;
    const item = items[j]!;
    const ok =
      item.kind === 'any'
        ? at(i, j + 1) || (i < fields.length && at(i + 1, j))
        : i < fields.length && item.test(fields[i]!) && at(i + 1, j + 1);
    if (!ok) failed.add(key);
    return ok;
  };
  return at(0, 0);
}

/**
 * CloudWatch Logs filter patterns (FilterLogEvents' `filterPattern`), parsed once per request and then run
 * against every message. Pure: no I/O, so the API and any future metric or subscription filter share it.
 *
 * Supported, as the CloudWatch Logs user guide describes them ("Filter pattern syntax"):
 * - unstructured terms, case-sensitive and matched anywhere in the message: `ERROR Exception` (all of them),
 *   `"quoted phrase"`, `?ERROR ?WARN` (at least one), `-DEBUG` (none of them); `""` or `" "` matches all;
 * - JSON selectors inside `{ }`: `$.a.b`, `$.list[0]`, string `=`/`!=` with `*` wildcards, numeric
 *   `= != < > <= >=`, `IS NULL`, `IS TRUE`, `IS FALSE`, `NOT EXISTS`, combined with `&&`, `||` and parentheses
 *   (`&&` binds tighter);
 * - regular expressions between `%` signs (`%ERROR [0-9]+%`), without groups, as AWS restricts them.
 * Space-delimited patterns (`[ip, user, ...]`) are refused with a message saying so.
 */
import { parseJsonExpression, type JsonCondition } from './json-selector.js';
import { FilterPatternError, readQuoted } from './lexing.js';

export { FilterPatternError };

export interface FilterPattern {
  /** The pattern as given, for logs and tokens. */
  readonly source: string;
  /** True when the pattern matches every message, so a scan need not run it. */
  readonly matchesAll: boolean;
  matches(message: string): boolean;
}

/** AWS's limit on `filterPattern` (the model enforces it too; this guards other callers). */
export const MAX_FILTER_PATTERN_LENGTH = 1024;

export function parseFilterPattern(source: string): FilterPattern {
  if (source.length > MAX_FILTER_PATTERN_LENGTH) {
    throw new FilterPatternError(`A filter pattern is at most ${MAX_FILTER_PATTERN_LENGTH} characters.`);
  }
  const text = source.trim();
  if (text === '' || /^"\s*"$/.test(text)) return { source, matchesAll: true, matches: () => true };
  if (text.startsWith('{')) return jsonPattern(source, text);
  if (text.startsWith('%')) return regexPattern(source, text);
  if (text.startsWith('[')) {
    throw new FilterPatternError(
      'Space-delimited filter patterns ([field, ...]) are not supported by Berth; use terms, a JSON selector or a %regex%.',
    );
  }
  return termPattern(source, text);
}

function jsonPattern(source: string, text: string): FilterPattern {
  if (!text.endsWith('}')) throw new FilterPatternError('A JSON filter pattern must end with }.');
  const condition: JsonCondition = parseJsonExpression(text.slice(1, -1));
  return {
    source,
    matchesAll: false,
    matches(message) {
      const start = message.indexOf('{');
      if (start < 0) return false;
      let value: unknown;
      try {
        value = JSON.parse(message.slice(start));
      } catch {
        return false;
      }
      return typeof value === 'object' && value !== null && condition(value);
    },
  };
}

/** The characters AWS allows in a regex pattern: no groups, no multibyte characters. */
function regexPattern(source: string, text: string): FilterPattern {
  if (text.length < 3 || !text.endsWith('%')) {
    throw new FilterPatternError(
      'A regular expression pattern is written between % signs, like %ERROR [0-9]+%.',
    );
  }
  const body = text.slice(1, -1);
  if (/[()]/.test(body)) throw new FilterPatternError('Groups ( ) are not allowed in a filter regex.');
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(body)) throw new FilterPatternError('A filter regex must be ASCII.');
  let re: RegExp;
  try {
    re = new RegExp(body);
  } catch (e) {
    throw new FilterPatternError(`Invalid regular expression: ${(e as Error).message}`);
  }
  return { source, matchesAll: false, matches: (m) => re.test(m) };
}

interface Terms {
  readonly all: string[];
  readonly any: string[];
  readonly none: string[];
}

function termPattern(source: string, text: string): FilterPattern {
  const terms: Terms = { all: [], any: [], none: [] };
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i] ?? '')) {
      i++;
      continue;
    }
    let list = terms.all;
    if (text[i] === '?') {
      list = terms.any;
      i++;
    } else if (text[i] === '-') {
      list = terms.none;
      i++;
    }
    if (text[i] === '"') {
      const { value, end } = readQuoted(text, i);
      list.push(value);
      i = end;
    } else {
      let end = i;
      while (end < text.length && !/\s/.test(text[end] ?? '')) end++;
      const word = text.slice(i, end);
      if (word === '') throw new FilterPatternError(`A ? or - must be followed by a term (at ${i}).`);
      if (word.includes('"')) throw new FilterPatternError(`Unexpected " inside the term ${word}.`);
      list.push(word);
      i = end;
    }
  }
  return {
    source,
    matchesAll: false,
    matches(m) {
      for (const t of terms.all) if (!m.includes(t)) return false;
      for (const t of terms.none) if (m.includes(t)) return false;
      return terms.any.length === 0 || terms.any.some((t) => m.includes(t));
    },
  };
}

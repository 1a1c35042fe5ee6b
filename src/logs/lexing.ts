/** What the term and JSON parsers of a filter pattern share. */

/** A filter pattern that does not parse; the message says where and why. */
export class FilterPatternError extends Error {}

/** A `"..."` starting at `start`, with `\"` and `\\` escapes; returns the text and the index after it. */
export function readQuoted(text: string, start: number): { value: string; end: number } {
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      value += text[++i];
    } else if (c === '"') {
      return { value, end: i + 1 };
    } else {
      value += c;
    }
  }
  throw new FilterPatternError(`Unterminated quoted string starting at ${start}.`);
}

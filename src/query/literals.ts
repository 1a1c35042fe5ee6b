/**
 * Reading argument text as the typed values some subjects compare with. The parser uses these to reject a bad
 * argument with a precise message; the evaluator uses the same functions, so what parses is what compares.
 * Each returns `undefined` for text it cannot read rather than throwing: callers decide how to report it.
 */

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * The instant a `registeredAt` argument names, in epoch milliseconds. Accepts the formats ECS documents
 * (`2018-06-18T22:28:28+00:00`, `...Z`, `2018-06-18T22:28:28`, `2018-06-18`) plus fractional seconds;
 * text without a zone is UTC, a bare date is midnight UTC.
 */
export function parseTimestamp(text: string): number | undefined {
  const m = TIMESTAMP.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((part) =>
    part === undefined ? 0 : Number(part),
  ) as [number, number, number, number, number, number];
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  // setUTCFullYear rather than Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1) return undefined; // e.g. 2018-02-30 rolled into March
  date.setUTCHours(hour, minute, second, millis);
  const instant = date.getTime() - offsetMillis(m[8]);
  return Number.isFinite(instant) ? instant : undefined;
}

function offsetMillis(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 23 || minutes > 59) return Number.NaN;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

const VERSION = /^\d+(?:\.\d+)*$/;

/** Dot-separated numeric parts, as agent versions are written (`1.105.1`). */
export function parseVersion(text: string): readonly number[] | undefined {
  return VERSION.test(text) ? text.split('.').map(Number) : undefined;
}

/** Compares versions part by part; a missing part counts as 0, so `1.14` equals `1.14.0`. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

export function parseBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number such as `3`, `-1.5` or `2e3`; anything else (including `1.14.5` or `0x10`) is not. */
export function parseNumber(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Leading inline flags in Java syntax that have a JavaScript equivalent and don't change what ^ and $ mean. */
const INLINE_FLAGS = /^\(\?([is]+)\)/;

/**
 * Compiles a pattern for a whole-value match, as Java's `String.matches` does: `g2.*` matches `g2.2xlarge`
 * but `2xl` does not match it. The pattern is JavaScript RegExp syntax, which agrees with Java's for the
 * patterns people write in placement constraints; a leading `(?i)` or `(?s)` is honoured as in Java.
 * Returns the reason on failure so the parser can quote it.
 */
export function compileRegex(pattern: string): RegExp | { readonly error: string } {
  const flags = INLINE_FLAGS.exec(pattern);
  const body = flags === null ? pattern : pattern.slice(flags[0].length);
  const flagText = flags?.[1] === undefined ? '' : [...new Set(flags[1])].join('');
  try {
    // Validate the body alone first: wrapping `a)|(b` in a group would make it valid and mean something else.
    new RegExp(body, flagText);
    return new RegExp(`^(?:${body})$`, flagText);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // V8 repeats the whole pattern in its message; keep only the reason.
    return { error: message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') };
  }
}

/**
 * Words for error messages about request values: what a shape expects, what a caller sent, and how a
 * path reads. Kept apart from the walk so the wording stays consistent across every rule.
 */
import type { Shape } from './service-model.js';

/** Values are cut short so a message never carries a whole pasted file back. */
const MAX_SHOWN = 100;

function clip(s: string): string {
  if (s.length <= MAX_SHOWN) return s;
  // Never cut a surrogate pair in half.
  const end = /[\udc00-\udfff]/.test(s.charAt(MAX_SHOWN)) ? MAX_SHOWN - 1 : MAX_SHOWN;
  return `${s.slice(0, end)}...`;
}

/** `the string "256x"`, `the number 1.5`, `a list`: what the caller sent, for type errors. */
export function describeValue(value: unknown, sensitive: boolean): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return sensitive ? 'a string' : `the string ${clip(JSON.stringify(value))}`;
    case 'number':
      return sensitive ? 'a number' : `the number ${value}`;
    case 'boolean':
      return sensitive ? 'a boolean' : `the boolean ${value}`;
    case 'object':
      return 'an object';
    default:
      return `a value of type ${typeof value}`;
  }
}

/** `an integer`, `a list`: what a shape expects, for type errors. */
export function describeExpected(shape: Shape): string {
  switch (shape.type) {
    case 'structure':
    case 'map':
      return 'an object';
    case 'list':
      return 'a list';
    case 'string':
      return 'a string';
    case 'integer':
    case 'long':
      return 'an integer';
    case 'float':
    case 'double':
      return 'a number';
    case 'boolean':
      return 'a boolean (true or false)';
    case 'timestamp':
      return 'a timestamp (epoch seconds or an ISO-8601 string)';
    case 'blob':
      return 'a base64-encoded string';
  }
}

/** `'FOO'`: a string value quoted the way constraint messages show it. */
export function quoteValue(value: string): string {
  return `'${clip(value)}'`;
}

/** `between 1 and 128`, `at least 1`, `at most 50`. */
export function describeBounds(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `between ${min} and ${max}`;
  if (min !== undefined) return `at least ${min}`;
  return `at most ${String(max)}`;
}

/** Path steps: `a.b`, `a[2]`, `a["k"]`. */
export function memberPath(parent: string, member: string): string {
  return parent === '' ? member : `${parent}.${member}`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

export function keyPath(parent: string, key: string): string {
  return `${parent}[${clip(JSON.stringify(key))}]`;
}

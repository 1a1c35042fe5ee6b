/**
 * What kind of value each subject holds, which operators make sense for it, and what its arguments must look
 * like. The parser rejects a mismatch (`agentConnected > true`, `registeredAt == yesterday`) up front, so a
 * placement constraint that could never mean anything fails when it is registered, not silently at placement.
 */
import type { Operator, Subject, SubjectKind } from './ast.js';
import { quote } from './errors.js';
import { compileRegex, parseBoolean, parseNumber, parseTimestamp, parseVersion } from './literals.js';

export type ValueType = 'boolean' | 'version' | 'time' | 'count' | 'string';

export const SUBJECT_TYPES: Readonly<Record<SubjectKind, ValueType>> = {
  agentConnected: 'boolean',
  agentVersion: 'version',
  attribute: 'string',
  ec2InstanceId: 'string',
  registeredAt: 'time',
  runningTasksCount: 'count',
  'task:group': 'string',
};

const EQUALITY: readonly Operator[] = ['==', '!=', 'in', 'not_in', 'exists', 'not_exists'];
const ORDERED: readonly Operator[] = [...EQUALITY, '>', '>=', '<', '<='];
const ALL: readonly Operator[] = [...ORDERED, '=~', '!~'];

export const OPERATORS_BY_TYPE: Readonly<Record<ValueType, readonly Operator[]>> = {
  boolean: EQUALITY,
  time: ORDERED,
  count: ORDERED,
  // Versions and strings are text too, so a regular expression over them is meaningful.
  version: ALL,
  string: ALL,
};

const TYPE_DESCRIPTIONS: Readonly<Record<ValueType, string>> = {
  boolean: 'true or false',
  version: 'a version such as 1.14.5',
  time: 'a date such as 2018-06-18, 2018-06-18T22:28:28Z or 2018-06-18T22:28:28+00:00',
  count: 'a number such as 3',
  string: 'text',
};

export function subjectText(subject: Subject): string {
  return subject.kind === 'attribute' ? `attribute:${subject.name}` : subject.kind;
}

export function typeOf(subject: Subject): ValueType {
  return SUBJECT_TYPES[subject.kind];
}

export function describeType(type: ValueType): string {
  return TYPE_DESCRIPTIONS[type];
}

const READERS: Readonly<Record<Exclude<ValueType, 'string'>, (text: string) => unknown>> = {
  boolean: parseBoolean,
  version: parseVersion,
  time: parseTimestamp,
  count: parseNumber,
};

const NOUNS: Readonly<Record<ValueType, string>> = {
  boolean: 'boolean',
  version: 'version',
  time: 'date',
  count: 'number',
  string: 'value',
};

/** Why `text` can't be the argument of `operator` for `subject`, or `undefined` if it can. */
export function argumentProblem(
  subject: Subject,
  operator: Operator,
  text: string,
): { readonly problem: string; readonly advice: string } | undefined {
  if (operator === '=~' || operator === '!~') {
    const compiled = compileRegex(text);
    if (compiled instanceof RegExp) return undefined;
    return { problem: `invalid regular expression ${quote(text)}`, advice: compiled.error };
  }
  const type = typeOf(subject);
  if (type === 'string' || READERS[type](text) !== undefined) return undefined;
  return {
    problem: `invalid ${NOUNS[type]} ${quote(text)}`,
    advice: `${subjectText(subject)} compares with ${describeType(type)}`,
  };
}

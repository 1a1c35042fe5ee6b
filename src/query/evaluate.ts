/**
 * Evaluating a parsed query against one container instance.
 *
 * Semantics (where ECS documents none, Berth picks the least surprising rule and keeps it everywhere):
 * - `runningTasksCount` and `registeredAt` compare as numbers and instants; a date without a zone is UTC.
 * - `agentVersion` compares as a version: dot-separated numeric parts, a missing part is 0 (`1.14` == `1.14.0`).
 *   An instance whose version is not in that form matches no comparison (a regular expression still applies).
 * - `agentConnected` compares with `true` or `false`.
 * - Everything else compares as text: `==` and `in` are exact string equality. `<`, `<=`, `>`, `>=` compare
 *   numerically when both sides are decimal numbers, lexicographically (by UTF-16 code unit) when neither is,
 *   and are false when only one side is a number.
 * - `=~` is a whole-value match (Java's `String.matches`), see `compileRegex`.
 * - A subject with no value (an absent attribute, an instance without `ec2InstanceId`) makes `exists`, `==`,
 *   `in`, `=~` and the orderings false. A name-only attribute (a capability) exists but has no value, so only
 *   `exists` is true for it.
 * - `task:group` holds one value per group of the tasks on the instance: a positive operator is true if any
 *   group satisfies it, and `exists` is true if there is at least one group.
 * - Every negated operator (`!=`, `not_in`, `!~`, `not_exists`) is exactly the negation of its positive form,
 *   for every subject: `attribute:color != red` is true for an instance without a color.
 */
import { NEGATION_OF, isNegatedOperator } from './ast.js';
import type { Condition, Operator, QueryExpr, Subject } from './ast.js';
import {
  compareVersions,
  compileRegex,
  parseBoolean,
  parseNumber,
  parseTimestamp,
  parseVersion,
} from './literals.js';

/** What the evaluator sees of one container instance. */
export interface QueryInstance {
  readonly agentConnected: boolean;
  /** e.g. "1.105.1" */
  readonly agentVersion?: string;
  /** name -> value; `undefined` for name-only capability attributes. */
  readonly attributes: ReadonlyMap<string, string | undefined>;
  /** For Berth, the managed instance id "mi-...". */
  readonly ec2InstanceId?: string;
  /** Epoch milliseconds. */
  readonly registeredAt: number;
  readonly runningTasksCount: number;
  /** Groups of the tasks currently placed on the instance. */
  readonly taskGroups: readonly string[];
}

export type QueryPredicate = (instance: QueryInstance) => boolean;

/** How one subject's values are read from an instance, parsed from argument text, and compared. */
interface Domain<T> {
  /** `undefined` when the subject is absent; an empty list when it is present without a value. */
  read(instance: QueryInstance): readonly T[] | undefined;
  parse(text: string): T | undefined;
  equals(a: T, b: T): boolean;
  /** Sign of a - b, or `undefined` when the two can't be ordered. */
  compare(a: T, b: T): number | undefined;
  text(value: T): string;
}

const numberDomain = (read: (instance: QueryInstance) => number): Domain<number> => ({
  read: (instance) => [read(instance)],
  parse: parseNumber,
  equals: (a, b) => a === b,
  compare: (a, b) => Math.sign(a - b),
  text: String,
});

const booleanDomain: Domain<boolean> = {
  read: (instance) => [instance.agentConnected],
  parse: parseBoolean,
  equals: (a, b) => a === b,
  compare: () => undefined,
  text: String,
};

const timeDomain: Domain<number> = { ...numberDomain((i) => i.registeredAt), parse: parseTimestamp };

const countDomain = numberDomain((i) => i.runningTasksCount);

function compareVersionText(a: string, b: string): number | undefined {
  const left = parseVersion(a);
  const right = parseVersion(b);
  return left === undefined || right === undefined ? undefined : compareVersions(left, right);
}

const versionDomain: Domain<string> = {
  read: (instance) => (instance.agentVersion === undefined ? undefined : [instance.agentVersion]),
  parse: (text) => (parseVersion(text) === undefined ? undefined : text),
  equals: (a, b) => compareVersionText(a, b) === 0,
  compare: compareVersionText,
  text: (value) => value,
};

function compareText(a: string, b: string): number | undefined {
  const left = parseNumber(a);
  const right = parseNumber(b);
  if (left !== undefined && right !== undefined) return Math.sign(left - right);
  if (left !== undefined || right !== undefined) return undefined;
  return a < b ? -1 : a > b ? 1 : 0;
}

const textDomain = (read: (instance: QueryInstance) => readonly string[] | undefined): Domain<string> => ({
  read,
  parse: (text) => text,
  equals: (a, b) => a === b,
  compare: compareText,
  text: (value) => value,
});

function attributeValues(name: string) {
  return (instance: QueryInstance): readonly string[] | undefined => {
    if (!instance.attributes.has(name)) return undefined;
    const value = instance.attributes.get(name);
    return value === undefined ? [] : [value];
  };
}

const instanceIdDomain = textDomain((i) => (i.ec2InstanceId === undefined ? undefined : [i.ec2InstanceId]));
const taskGroupDomain = textDomain((i) => (i.taskGroups.length === 0 ? undefined : i.taskGroups));

const ORDERINGS: Partial<Record<Operator, (sign: number) => boolean>> = {
  '>': (sign) => sign > 0,
  '>=': (sign) => sign >= 0,
  '<': (sign) => sign < 0,
  '<=': (sign) => sign <= 0,
};

/** Compiles a positive condition (no negated operator) over one domain. */
function compileWith<T>(domain: Domain<T>, condition: Condition, operator: Operator): QueryPredicate {
  const values = (instance: QueryInstance): readonly T[] => domain.read(instance) ?? [];
  const parseAll = (texts: readonly string[]): T[] =>
    texts.map((text) => domain.parse(text)).filter((value): value is T => value !== undefined);
  const texts = 'values' in condition ? condition.values : 'value' in condition ? [condition.value] : [];

  if (operator === 'exists') return (instance) => domain.read(instance) !== undefined;
  if (operator === '=~') {
    const regex = compileRegex(texts[0] ?? '');
    // Only a hand-built tree can hold a bad pattern (the parser rejects them); it matches nothing.
    if (!(regex instanceof RegExp)) return () => false;
    return (instance) => values(instance).some((value) => regex.test(domain.text(value)));
  }
  const args = parseAll(texts);
  if (operator === '==' || operator === 'in') {
    return (instance) => values(instance).some((value) => args.some((arg) => domain.equals(value, arg)));
  }
  const holds = ORDERINGS[operator];
  const arg = args[0];
  if (holds === undefined || arg === undefined) return () => false;
  return (instance) =>
    values(instance).some((value) => {
      const sign = domain.compare(value, arg);
      return sign !== undefined && holds(sign);
    });
}

function compileCondition(condition: Condition): QueryPredicate {
  const negated = isNegatedOperator(condition.operator);
  const operator = negated ? NEGATION_OF[condition.operator] : condition.operator;
  const positive = compileSubject(condition.subject, condition, operator);
  return negated ? (instance) => !positive(instance) : positive;
}

function compileSubject(subject: Subject, condition: Condition, operator: Operator): QueryPredicate {
  switch (subject.kind) {
    case 'agentConnected':
      return compileWith(booleanDomain, condition, operator);
    case 'agentVersion':
      return compileWith(versionDomain, condition, operator);
    case 'attribute':
      return compileWith(textDomain(attributeValues(subject.name)), condition, operator);
    case 'ec2InstanceId':
      return compileWith(instanceIdDomain, condition, operator);
    case 'registeredAt':
      return compileWith(timeDomain, condition, operator);
    case 'runningTasksCount':
      return compileWith(countDomain, condition, operator);
    case 'task:group':
      return compileWith(taskGroupDomain, condition, operator);
  }
}

/**
 * Turns a tree into a predicate once, so a scheduler testing one constraint against thousands of instances
 * parses dates and compiles patterns once rather than per instance.
 */
export function compileQuery(expr: QueryExpr): QueryPredicate {
  switch (expr.kind) {
    case 'condition':
      return compileCondition(expr);
    case 'not': {
      const operand = compileQuery(expr.operand);
      return (instance) => !operand(instance);
    }
    case 'and': {
      const left = compileQuery(expr.left);
      const right = compileQuery(expr.right);
      return (instance) => left(instance) && right(instance);
    }
    case 'or': {
      const left = compileQuery(expr.left);
      const right = compileQuery(expr.right);
      return (instance) => left(instance) || right(instance);
    }
  }
}

const compiled = new WeakMap<QueryExpr, QueryPredicate>();

/** Whether the instance satisfies the expression. Compiles the tree on first use and remembers the result. */
export function evaluateQuery(expr: QueryExpr, instance: QueryInstance): boolean {
  let predicate = compiled.get(expr);
  if (predicate === undefined) {
    predicate = compileQuery(expr);
    compiled.set(expr, predicate);
  }
  return predicate(instance);
}

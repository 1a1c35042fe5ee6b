import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_QUERY_LENGTH, QuerySyntaxError, evaluateQuery, parseQuery, printQuery } from './index.js';
import type { Condition, Operator, QueryExpr, QueryInstance, Subject } from './index.js';
import { NEGATION_OF, isNegatedOperator } from './ast.js';
import { OPERATORS_BY_TYPE, typeOf } from './subjects.js';
import type { ValueType } from './subjects.js';

// Small pools make equality between generated arguments and instance values common enough to matter.
const NAMES = ['a', 'b', 'ecs.os-type'] as const;
const TEXTS = [
  'linux',
  'arm64',
  '10',
  '9',
  '',
  'a b',
  "it's",
  'x',
  'back\\slash',
  'and',
  'a b\\',
  "\\'",
] as const;
const GROUPS = ['service:a', 'family:b', 'x'] as const;
const IDS = ['mi-1', 'mi-2'] as const;
const PATTERNS = ['.*', 'l.*', 'x', '[0-9]+', '(?i)LINUX', 'service:.*', '1\\..*', 'a|b'] as const;
const FROM = Date.parse('2017-01-01T00:00:00Z');
const TO = Date.parse('2020-01-01T00:00:00Z');

const versionArb = fc.array(fc.nat(20), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.'));

const timeArb = fc
  .tuple(fc.integer({ min: FROM, max: TO }), fc.constantFrom('Z', '', '+00:00', 'date'))
  .map(([ms, form]) => {
    const iso = new Date(ms).toISOString();
    return form === 'date' ? iso.slice(0, 10) : `${iso.slice(0, 19)}${form}`;
  });

const textArb = fc.oneof(fc.constantFrom(...TEXTS), fc.string({ unit: 'binary', maxLength: 8 }));

const VALUES: Readonly<Record<ValueType, fc.Arbitrary<string>>> = {
  boolean: fc.constantFrom('true', 'false', 'TRUE'),
  version: versionArb,
  time: timeArb,
  count: fc.nat(5).map(String),
  string: textArb,
};

const subjectArb: fc.Arbitrary<Subject> = fc.oneof(
  fc.constantFrom<Subject>(
    { kind: 'agentConnected' },
    { kind: 'agentVersion' },
    { kind: 'ec2InstanceId' },
    { kind: 'registeredAt' },
    { kind: 'runningTasksCount' },
    { kind: 'task:group' },
  ),
  fc.constantFrom(...NAMES).map((name): Subject => ({ kind: 'attribute', name })),
);

const conditionArb: fc.Arbitrary<Condition> = subjectArb.chain((subject) =>
  fc.constantFrom(...OPERATORS_BY_TYPE[typeOf(subject)]).chain((operator): fc.Arbitrary<Condition> => {
    const value = VALUES[typeOf(subject)];
    switch (operator) {
      case 'exists':
      case 'not_exists':
        return fc.constant({ kind: 'condition', subject, operator });
      case 'in':
      case 'not_in':
        return fc
          .array(value, { minLength: 1, maxLength: 3 })
          .map((values) => ({ kind: 'condition', subject, operator, values }));
      case '=~':
      case '!~':
        return fc.constantFrom(...PATTERNS).map((value) => ({ kind: 'condition', subject, operator, value }));
      default:
        return value.map((v) => ({ kind: 'condition', subject, operator, value: v }));
    }
  }),
);

const exprArb: fc.Arbitrary<QueryExpr> = fc.letrec<{ expr: QueryExpr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    conditionArb,
    tie('expr').map((operand): QueryExpr => ({ kind: 'not', operand })),
    fc.tuple(tie('expr'), tie('expr')).map(([left, right]): QueryExpr => ({ kind: 'and', left, right })),
    fc.tuple(tie('expr'), tie('expr')).map(([left, right]): QueryExpr => ({ kind: 'or', left, right })),
  ),
})).expr;

const instanceArb: fc.Arbitrary<QueryInstance> = fc.record({
  agentConnected: fc.boolean(),
  agentVersion: fc.option(fc.oneof(versionArb, fc.constant('dev')), { nil: undefined }),
  attributes: fc
    .array(fc.tuple(fc.constantFrom(...NAMES), fc.option(fc.constantFrom(...TEXTS), { nil: undefined })))
    .map((entries) => new Map(entries)),
  ec2InstanceId: fc.option(fc.constantFrom(...IDS), { nil: undefined }),
  registeredAt: fc.integer({ min: FROM, max: TO }),
  runningTasksCount: fc.nat(5),
  taskGroups: fc.subarray([...GROUPS]),
});

const printable = (expr: QueryExpr): boolean => printQuery(expr).length <= MAX_QUERY_LENGTH;
const evaluate = (text: string, instance: QueryInstance): boolean =>
  evaluateQuery(parseQuery(text), instance);

describe('properties', () => {
  it('printing then parsing gives back the same tree', () => {
    fc.assert(
      fc.property(exprArb.filter(printable), (expr) => {
        assert.deepEqual(parseQuery(printQuery(expr)), expr);
      }),
      { numRuns: 500 },
    );
  });

  it('not(e) is always the negation of e', () => {
    fc.assert(
      fc.property(exprArb.filter(printable), instanceArb, (expr, instance) => {
        const text = printQuery(expr);
        assert.equal(evaluate(`not(${text})`, instance), !evaluateQuery(expr, instance));
        assert.equal(evaluate(`!(${text})`, instance), !evaluateQuery(expr, instance));
      }),
      { numRuns: 300 },
    );
  });

  it('a and b is the conjunction, a or b the disjunction', () => {
    fc.assert(
      fc.property(exprArb, exprArb, instanceArb, (a, b, instance) => {
        const [ta, tb] = [printQuery(a), printQuery(b)];
        fc.pre(ta.length + tb.length + 10 <= MAX_QUERY_LENGTH);
        const [ea, eb] = [evaluateQuery(a, instance), evaluateQuery(b, instance)];
        assert.equal(evaluate(`(${ta}) and (${tb})`, instance), ea && eb);
        assert.equal(evaluate(`(${ta}) && (${tb})`, instance), ea && eb);
        assert.equal(evaluate(`(${ta}) or (${tb})`, instance), ea || eb);
        assert.equal(evaluate(`(${ta}) || (${tb})`, instance), ea || eb);
      }),
      { numRuns: 300 },
    );
  });

  it('not binds tighter than and, and tighter than or', () => {
    fc.assert(
      fc.property(conditionArb, conditionArb, conditionArb, instanceArb, (a, b, c, instance) => {
        const [ta, tb, tc] = [a, b, c].map(printQuery) as [string, string, string];
        assert.equal(
          evaluate(`${ta} or ${tb} and ${tc}`, instance),
          evaluate(`${ta} or (${tb} and ${tc})`, instance),
        );
        assert.equal(
          evaluate(`${ta} and ${tb} or ${tc}`, instance),
          evaluate(`(${ta} and ${tb}) or ${tc}`, instance),
        );
        assert.equal(evaluate(`not ${ta} and ${tb}`, instance), evaluate(`(not ${ta}) and ${tb}`, instance));
        assert.equal(evaluate(`! ${ta} or ${tb}`, instance), evaluate(`(!${ta}) or ${tb}`, instance));
      }),
      { numRuns: 300 },
    );
  });

  it('each negated operator is exactly the negation of its positive form, for every subject', () => {
    const negatedArb = conditionArb.filter((c) => isNegatedOperator(c.operator));
    fc.assert(
      fc.property(negatedArb, instanceArb, (condition, instance) => {
        const operator = condition.operator as keyof typeof NEGATION_OF;
        const positive = { ...condition, operator: NEGATION_OF[operator] as Operator } as Condition;
        assert.equal(evaluateQuery(condition, instance), !evaluateQuery(positive, instance));
      }),
      { numRuns: 500 },
    );
  });

  it('any text either parses or fails with a QuerySyntaxError inside the text', () => {
    const fragments = fc.constantFrom(
      'attribute:a',
      'task:group',
      'registeredAt',
      ' == ',
      ' in ',
      ' exists',
      '!',
      'not ',
      ' and ',
      '||',
      '(',
      ')',
      '[',
      ']',
      ',',
      "'",
      '"',
      'x',
      '2018-06-18',
      ' ',
    );
    const textArb = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.array(fragments, { maxLength: 12 }).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(textArb, (text) => {
        try {
          parseQuery(text);
        } catch (err) {
          assert.ok(err instanceof QuerySyntaxError, String(err));
          assert.ok(err.position >= 0 && err.position <= text.length, `${err.position} in ${text.length}`);
          assert.ok(err.message.includes(`at position ${err.position}: `));
        }
      }),
      { numRuns: 1000 },
    );
  });
});

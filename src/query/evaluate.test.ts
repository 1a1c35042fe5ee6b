import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileQuery, evaluateQuery, parseQuery } from './index.js';
import type { QueryExpr, QueryInstance } from './index.js';

const base: QueryInstance = {
  agentConnected: true,
  agentVersion: '1.105.1',
  attributes: new Map<string, string | undefined>([
    ['ecs.instance-type', 't2.small'],
    ['ecs.availability-zone', 'us-east-1a'],
    ['ecs.os-type', 'linux'],
    ['ecs.cpu-architecture', 'x86_64'],
    ['ecs.capability.docker-remote-api.1.17', undefined],
    ['size', '10'],
    ['empty', ''],
  ]),
  ec2InstanceId: 'mi-0123456789abcdef0',
  registeredAt: Date.parse('2018-06-18T22:28:28Z'),
  runningTasksCount: 2,
  taskGroups: ['service:production', 'family:web'],
};

const bare: QueryInstance = {
  agentConnected: false,
  attributes: new Map(),
  registeredAt: 0,
  runningTasksCount: 0,
  taskGroups: [],
};

type Case = readonly [expression: string, expected: boolean, instance?: Partial<QueryInstance>];

function table(title: string, cases: readonly Case[]): void {
  describe(title, () => {
    for (const [expression, expected, overrides] of cases) {
      const label =
        overrides === undefined ? expression : `${expression} with ${describeOverrides(overrides)}`;
      it(`${label} is ${expected}`, () => {
        assert.equal(evaluateQuery(parseQuery(expression), { ...base, ...overrides }), expected);
      });
    }
  });
}

function describeOverrides(overrides: Partial<QueryInstance>): string {
  return JSON.stringify(overrides, (_key, value: unknown) =>
    value instanceof Map ? Object.fromEntries(value as Map<string, unknown>) : value,
  );
}

table('the ECS Developer Guide examples', [
  ['attribute:ecs.instance-type == t2.small', true],
  ['attribute:ecs.instance-type == t2.medium', false],
  ['attribute:ecs.availability-zone in [us-east-1a, us-east-1b]', true],
  ['attribute:ecs.availability-zone in [us-east-1c, us-east-1b]', false],
  ['attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d', false],
  [
    'attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d',
    true,
    {
      attributes: new Map([
        ['ecs.instance-type', 'g2.2xlarge'],
        ['ecs.availability-zone', 'us-east-1a'],
      ]),
    },
  ],
  ['task:group == service:production', true],
  ['not(task:group == database)', true],
  ['not(task:group == database)', false, { taskGroups: ['database'] }],
  ['runningTasksCount == 1', false],
  ['runningTasksCount == 1', true, { runningTasksCount: 1 }],
  ['agentVersion < 1.14.5', false],
  ['agentVersion < 1.14.5', true, { agentVersion: '1.9.0' }],
  ['registeredAt < 2018-02-13', false],
  ['registeredAt < 2018-02-13', true, { registeredAt: Date.parse('2018-02-12T23:59:59Z') }],
  ["ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", false],
  ["ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", true, { ec2InstanceId: 'i-wxyx7890' }],
  [
    'attribute:ecs.os-type == linux && (attribute:ecs.cpu-architecture == arm64 || attribute:color exists)',
    false,
  ],
  [
    'attribute:ecs.os-type == linux && (attribute:ecs.cpu-architecture == arm64 || attribute:color exists)',
    true,
    {
      attributes: new Map([
        ['ecs.os-type', 'linux'],
        ['color', 'red'],
      ]),
    },
  ],
  ['agentConnected == true', true],
  ['agentConnected == true', false, { agentConnected: false }],
]);

table('agentConnected compares as a boolean', [
  ['agentConnected == TRUE', true],
  ['agentConnected != false', true],
  ['agentConnected == false', true, { agentConnected: false }],
  ['agentConnected in [false]', false],
  ['agentConnected not_in [false]', true],
  ['agentConnected exists', true, { agentConnected: false }],
  ['agentConnected !exists', false],
]);

table('agentVersion compares as a version', [
  ['agentVersion == 1.105.1', true],
  ['agentVersion == 1.105.1.0', true],
  ['agentVersion == 1.105', false],
  ['agentVersion == 1.105', true, { agentVersion: '1.105.0' }],
  ['agentVersion > 1.14.5', true],
  ['agentVersion >= 1.105.1', true],
  ['agentVersion <= 1.105.1', true],
  ['agentVersion < 1.105.1', false],
  ['agentVersion > 2', false],
  ['agentVersion in [1.0, 1.105.1]', true],
  ['agentVersion =~ 1\\.105\\..*', true],
  ['agentVersion =~ 1\\.14\\..*', false],
  ['agentVersion exists', true],
  ['agentVersion exists', false, { agentVersion: undefined }],
  ['agentVersion == 1.0', false, { agentVersion: undefined }],
  ['agentVersion != 1.0', true, { agentVersion: undefined }],
  ['agentVersion < 99', false, { agentVersion: undefined }],
  ['agentVersion < 99', false, { agentVersion: 'dev' }],
  ['agentVersion > 0', false, { agentVersion: 'dev' }],
  ['agentVersion =~ d.v', true, { agentVersion: 'dev' }],
]);

table('attribute:<name> compares as text', [
  ['attribute:ecs.os-type == linux', true],
  ['attribute:ecs.os-type equals LINUX', false],
  ['attribute:ecs.os-type != windows', true],
  ['attribute:ecs.os-type not_equals linux', false],
  ['attribute:ecs.os-type in [windows, linux]', true],
  ['attribute:ecs.os-type !in [windows, linux]', false],
  ['attribute:ecs.os-type not_in [windows]', true],
  ['attribute:ecs.os-type exists', true],
  ['attribute:ecs.os-type not_exists', false],
  ['attribute:ecs.os-type =~ lin.*', true],
  ['attribute:ecs.os-type =~ lin', false],
  ['attribute:ecs.os-type matches "(?i)LINUX"', true],
  ['attribute:ecs.os-type !~ win.*', true],
  ['attribute:ecs.os-type not_matches l.*', false],
  ['attribute:empty == ""', true],
  ['attribute:empty exists', true],
  ['attribute:empty =~ ".*"', true],
  // orderings: lexicographic between non-numbers
  ['attribute:ecs.os-type > linu', true],
  ['attribute:ecs.os-type greater_than linux', false],
  ['attribute:ecs.os-type >= linux', true],
  ['attribute:ecs.os-type greater_than_equal linuy', false],
  ['attribute:ecs.os-type < m', true],
  ['attribute:ecs.os-type less_than Linux', false],
  ['attribute:ecs.os-type <= linux', true],
  ['attribute:ecs.os-type less_than_equal linu', false],
  // orderings: numeric between numbers, never between a number and a non-number
  ['attribute:size > 9', true],
  ['attribute:size < 9', false],
  ['attribute:size >= 10.0', true],
  ['attribute:size <= 1e1', true],
  ['attribute:size > -3', true],
  ['attribute:size == 10.0', false],
  ['attribute:size < abc', false],
  ['attribute:size > abc', false],
  ['attribute:ecs.os-type > 1', false],
  ['attribute:ecs.os-type < 1', false],
]);

table('an absent attribute matches only the negated operators', [
  ['attribute:color == red', false],
  ['attribute:color != red', true],
  ['attribute:color in [red]', false],
  ['attribute:color not_in [red]', true],
  ['attribute:color =~ .*', false],
  ['attribute:color !~ .*', true],
  ['attribute:color > a', false],
  ['attribute:color >= a', false],
  ['attribute:color < a', false],
  ['attribute:color <= a', false],
  ['attribute:color exists', false],
  ['attribute:color !exists', true],
]);

table('a name-only (capability) attribute exists but has no value', [
  ['attribute:ecs.capability.docker-remote-api.1.17 exists', true],
  ['attribute:ecs.capability.docker-remote-api.1.17 !exists', false],
  ['attribute:ecs.capability.docker-remote-api.1.17 == ""', false],
  ['attribute:ecs.capability.docker-remote-api.1.17 =~ ".*"', false],
  ['attribute:ecs.capability.docker-remote-api.1.17 != x', true],
]);

table('ec2InstanceId compares as text', [
  ['ec2InstanceId == mi-0123456789abcdef0', true],
  ['ec2InstanceId =~ mi-.*', true],
  ['ec2InstanceId != mi-0123456789abcdef0', false],
  ['ec2InstanceId > mi-0', true],
  ['ec2InstanceId exists', true],
  ['ec2InstanceId exists', false, { ec2InstanceId: undefined }],
  ['ec2InstanceId == mi-0123456789abcdef0', false, { ec2InstanceId: undefined }],
  ['ec2InstanceId !in [mi-1]', true, { ec2InstanceId: undefined }],
]);

table('registeredAt compares as an instant; no zone means UTC', [
  ['registeredAt == 2018-06-18T22:28:28Z', true],
  ['registeredAt == 2018-06-18T22:28:28', true],
  ['registeredAt == 2018-06-18T22:28:28+00:00', true],
  ['registeredAt == 2018-06-19T00:28:28+02:00', true],
  ['registeredAt == 2018-06-18', false],
  ['registeredAt > 2018-06-18', true],
  ['registeredAt >= 2018-06-18T22:28:28Z', true],
  ['registeredAt < 2018-06-19', true],
  ['registeredAt <= 2018-06-18T22:28:27Z', false],
  ['registeredAt != 2018-06-18', true],
  ['registeredAt in [2018-01-01, 2018-06-18T22:28:28Z]', true],
  ['registeredAt not_in [2018-01-01]', true],
  ['registeredAt exists', true],
  ['registeredAt == 2018-06-18', true, { registeredAt: Date.parse('2018-06-18T00:00:00Z') }],
]);

table('runningTasksCount compares as a number', [
  ['runningTasksCount == 2', true],
  ['runningTasksCount == 2.0', true],
  ['runningTasksCount != 2', false],
  ['runningTasksCount > 1', true],
  ['runningTasksCount >= 3', false],
  ['runningTasksCount < 10', true],
  ['runningTasksCount <= 1', false],
  ['runningTasksCount in [0, 1]', false],
  ['runningTasksCount in [0, 1]', true, { runningTasksCount: 0 }],
  ['runningTasksCount not_in [0, 1]', true],
  ['runningTasksCount exists', true],
]);

table('task:group is true if any group satisfies a positive operator', [
  ['task:group == family:web', true],
  ['task:group == database', false],
  ['task:group != service:production', false],
  ['task:group != database', true],
  ['task:group in [database, family:web]', true],
  ['task:group not_in [database, family:web]', false],
  ['task:group not_in [database]', true],
  ['task:group =~ service:.*', true],
  ['task:group !~ service:.*', false],
  ['task:group !~ db.*', true],
  ['task:group > service:a', true],
  ['task:group < family:a', false],
  ['task:group exists', true],
  ['task:group !exists', false],
  ['task:group exists', false, { taskGroups: [] }],
  ['task:group !exists', true, { taskGroups: [] }],
  ['task:group == x', false, { taskGroups: [] }],
  ['task:group != x', true, { taskGroups: [] }],
]);

table('connectives and precedence', [
  ['attribute:ecs.os-type == linux and runningTasksCount == 2', true],
  ['attribute:ecs.os-type == linux and runningTasksCount == 3', false],
  ['attribute:ecs.os-type == windows or runningTasksCount == 2', true],
  ['attribute:ecs.os-type == windows || runningTasksCount == 3', false],
  ['agentConnected == true or agentConnected == false and runningTasksCount == 9', true],
  ['(agentConnected == true or agentConnected == false) and runningTasksCount == 9', false],
  ['not agentConnected == true or runningTasksCount == 2', true],
  ['not (agentConnected == true or runningTasksCount == 2)', false],
  ['!!agentConnected == true', true],
]);

describe('evaluateQuery on a bare instance', () => {
  it('treats every optional subject as absent', () => {
    for (const [expression, expected] of [
      ['agentVersion exists', false],
      ['ec2InstanceId exists', false],
      ['task:group exists', false],
      ['attribute:x exists', false],
      ['agentConnected == false', true],
      ['registeredAt == 1970-01-01', true],
      ['runningTasksCount == 0', true],
    ] as const) {
      assert.equal(evaluateQuery(parseQuery(expression), bare), expected, expression);
    }
  });
});

describe('trees built by hand', () => {
  it('make a condition with an unreadable argument false, and its negation true', () => {
    const bad: QueryExpr = {
      kind: 'condition',
      subject: { kind: 'registeredAt' },
      operator: '<',
      value: 'soon',
    };
    assert.equal(evaluateQuery(bad, base), false);
    const badRegex: QueryExpr = {
      kind: 'condition',
      subject: { kind: 'attribute', name: 'ecs.os-type' },
      operator: '!~',
      value: 'a(',
    };
    assert.equal(evaluateQuery(badRegex, base), true);
  });
});

describe('compileQuery', () => {
  it('gives a reusable predicate equal to evaluateQuery', () => {
    const expr = parseQuery('runningTasksCount < 3 and attribute:ecs.os-type =~ l.*');
    const predicate = compileQuery(expr);
    for (const runningTasksCount of [0, 2, 3, 7]) {
      const instance = { ...base, runningTasksCount };
      assert.equal(predicate(instance), evaluateQuery(expr, instance));
      assert.equal(predicate(instance), runningTasksCount < 3);
    }
  });
});

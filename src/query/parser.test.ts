import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_QUERY_LENGTH, QuerySyntaxError, parseQuery } from './index.js';
import type { Condition, Operator, QueryExpr, Subject } from './index.js';
import { MAX_NESTING } from './parser.js';

const attr = (name: string): Subject => ({ kind: 'attribute', name });
const s = (kind: Exclude<Subject['kind'], 'attribute'>): Subject => ({ kind });

function cond(subject: Subject, operator: Operator, arg?: string | readonly string[]): Condition {
  if (operator === 'exists' || operator === 'not_exists') return { kind: 'condition', subject, operator };
  if (operator === 'in' || operator === 'not_in') {
    return { kind: 'condition', subject, operator, values: arg as readonly string[] };
  }
  return { kind: 'condition', subject, operator, value: arg as string };
}
const and = (left: QueryExpr, right: QueryExpr): QueryExpr => ({ kind: 'and', left, right });
const or = (left: QueryExpr, right: QueryExpr): QueryExpr => ({ kind: 'or', left, right });
const not = (operand: QueryExpr): QueryExpr => ({ kind: 'not', operand });

const A = cond(attr('a'), '==', '1');
const B = cond(attr('b'), '==', '2');
const C = cond(attr('c'), '==', '3');

describe('parseQuery: the ECS Developer Guide examples', () => {
  const cases: [string, QueryExpr][] = [
    ['attribute:ecs.instance-type == t2.small', cond(attr('ecs.instance-type'), '==', 't2.small')],
    [
      'attribute:ecs.availability-zone in [us-east-1a, us-east-1b]',
      cond(attr('ecs.availability-zone'), 'in', ['us-east-1a', 'us-east-1b']),
    ],
    [
      'attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d',
      and(
        cond(attr('ecs.instance-type'), '=~', 'g2.*'),
        cond(attr('ecs.availability-zone'), '!=', 'us-east-1d'),
      ),
    ],
    ['task:group == service:production', cond(s('task:group'), '==', 'service:production')],
    ['not(task:group == database)', not(cond(s('task:group'), '==', 'database'))],
    ['runningTasksCount == 1', cond(s('runningTasksCount'), '==', '1')],
    ['agentVersion < 1.14.5', cond(s('agentVersion'), '<', '1.14.5')],
    ['registeredAt < 2018-02-13', cond(s('registeredAt'), '<', '2018-02-13')],
    [
      "ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']",
      cond(s('ec2InstanceId'), 'in', ['i-abcd1234', 'i-wxyx7890']),
    ],
    [
      'attribute:ecs.os-type == linux && (attribute:ecs.cpu-architecture == arm64 || attribute:color exists)',
      and(
        cond(attr('ecs.os-type'), '==', 'linux'),
        or(cond(attr('ecs.cpu-architecture'), '==', 'arm64'), cond(attr('color'), 'exists')),
      ),
    ],
    ['agentConnected == true', cond(s('agentConnected'), '==', 'true')],
  ];
  for (const [expression, expected] of cases) {
    it(expression, () => assert.deepEqual(parseQuery(expression), expected));
  }
});

describe('parseQuery: every subject', () => {
  const cases: [string, Subject][] = [
    ['agentConnected == false', s('agentConnected')],
    ['agentVersion == 1.105.1', s('agentVersion')],
    ['attribute:ecs.instance-type == x', attr('ecs.instance-type')],
    ['attribute:A-z_0/9.x == x', attr('A-z_0/9.x')],
    [`attribute:${'n'.repeat(128)} == x`, attr('n'.repeat(128))],
    ['ec2InstanceId == mi-0123456789abcdef0', s('ec2InstanceId')],
    ['registeredAt > 2018-06-18T22:28:28Z', s('registeredAt')],
    ['runningTasksCount >= 2', s('runningTasksCount')],
    ['task:group == family:web', s('task:group')],
  ];
  for (const [expression, subject] of cases) {
    it(expression.slice(0, 60), () => {
      const parsed = parseQuery(expression);
      assert.equal(parsed.kind, 'condition');
      assert.deepEqual(parsed.kind === 'condition' ? parsed.subject : undefined, subject);
    });
  }
});

describe('parseQuery: every operator and alias', () => {
  const scalar: [string, Operator][] = [
    ['==', '=='],
    ['equals', '=='],
    ['EQUALS', '=='],
    ['!=', '!='],
    ['not_equals', '!='],
    ['Not_Equals', '!='],
    ['>', '>'],
    ['greater_than', '>'],
    ['>=', '>='],
    ['greater_than_equal', '>='],
    ['<', '<'],
    ['less_than', '<'],
    ['<=', '<='],
    ['less_than_equal', '<='],
    ['=~', '=~'],
    ['matches', '=~'],
    ['!~', '!~'],
    ['not_matches', '!~'],
    ['NOT_MATCHES', '!~'],
  ];
  for (const [spelling, operator] of scalar) {
    it(`attribute:x ${spelling} 5`, () => {
      assert.deepEqual(parseQuery(`attribute:x ${spelling} 5`), cond(attr('x'), operator, '5'));
    });
  }
  const list: [string, Operator][] = [
    ['in', 'in'],
    ['IN', 'in'],
    ['!in', 'not_in'],
    ['!IN', 'not_in'],
    ['not_in', 'not_in'],
  ];
  for (const [spelling, operator] of list) {
    it(`attribute:x ${spelling} [a, b]`, () => {
      assert.deepEqual(parseQuery(`attribute:x ${spelling} [a, b]`), cond(attr('x'), operator, ['a', 'b']));
    });
  }
  const existence: [string, Operator][] = [
    ['exists', 'exists'],
    ['Exists', 'exists'],
    ['!exists', 'not_exists'],
    ['! exists', 'not_exists'],
    ['not_exists', 'not_exists'],
  ];
  for (const [spelling, operator] of existence) {
    it(`attribute:x ${spelling}`, () => {
      assert.deepEqual(parseQuery(`attribute:x ${spelling}`), cond(attr('x'), operator));
    });
  }
  it('needs no spaces around symbolic operators', () => {
    assert.deepEqual(parseQuery('runningTasksCount>=2'), cond(s('runningTasksCount'), '>=', '2'));
    assert.deepEqual(parseQuery('attribute:x!=y'), cond(attr('x'), '!=', 'y'));
    assert.deepEqual(parseQuery('attribute:x=~y.*'), cond(attr('x'), '=~', 'y.*'));
    assert.deepEqual(parseQuery('attribute:x!in[a,b]'), cond(attr('x'), 'not_in', ['a', 'b']));
  });
});

describe('parseQuery: precedence and grouping', () => {
  const cases: [string, QueryExpr][] = [
    ['attribute:a == 1 or attribute:b == 2 and attribute:c == 3', or(A, and(B, C))],
    ['attribute:a == 1 and attribute:b == 2 or attribute:c == 3', or(and(A, B), C)],
    ['(attribute:a == 1 or attribute:b == 2) and attribute:c == 3', and(or(A, B), C)],
    ['attribute:a == 1 and attribute:b == 2 and attribute:c == 3', and(and(A, B), C)],
    ['attribute:a == 1 or attribute:b == 2 or attribute:c == 3', or(or(A, B), C)],
    ['attribute:a == 1 and (attribute:b == 2 and attribute:c == 3)', and(A, and(B, C))],
    ['not attribute:a == 1 and attribute:b == 2', and(not(A), B)],
    ['! attribute:a == 1 || attribute:b == 2', or(not(A), B)],
    ['!(attribute:a == 1 || attribute:b == 2)', not(or(A, B))],
    ['not not attribute:a == 1', not(not(A))],
    ['!!attribute:a == 1', not(not(A))],
    ['NOT attribute:a == 1 AND attribute:b == 2 OR attribute:c == 3', or(and(not(A), B), C)],
    ['attribute:a == 1 && attribute:b == 2 || attribute:c == 3', or(and(A, B), C)],
    ['((attribute:a == 1))', A],
    ['( attribute:a == 1 )and(attribute:b == 2)', and(A, B)],
  ];
  for (const [expression, expected] of cases) {
    it(expression, () => assert.deepEqual(parseQuery(expression), expected));
  }
});

describe('parseQuery: values and quoting', () => {
  const cases: [string, string][] = [
    ["attribute:x == 'a b'", 'a b'],
    ['attribute:x == "a b"', 'a b'],
    ["attribute:x == ''", ''],
    ['attribute:x == "it\'s"', "it's"],
    ["attribute:x == 'it\\'s'", "it's"],
    ["attribute:x == 'back\\\\slash'", 'back\\slash'],
    ["attribute:x =~ '\\d+'", '\\d+'],
    ["attribute:x == '(and) [or] ,!'", '(and) [or] ,!'],
    ['attribute:x == and', 'and'],
    ['attribute:x == NOT', 'NOT'],
    ['attribute:x == exists', 'exists'],
    [
      'attribute:x == arn:aws:ecs:us-east-1:123456789012/x@y+z%1#2',
      'arn:aws:ecs:us-east-1:123456789012/x@y+z%1#2',
    ],
    ['attribute:x =~ ^t2\\.\\w+$', '^t2\\.\\w+$'],
    ['attribute:x == -1.5', '-1.5'],
    ['attribute:x == größe', 'größe'],
    ['registeredAt >= 2018-06-18T22:28:28+00:00', '2018-06-18T22:28:28+00:00'],
  ];
  for (const [expression, value] of cases) {
    it(expression, () => {
      const parsed = parseQuery(expression);
      assert.ok(parsed.kind === 'condition' && 'value' in parsed);
      assert.equal(parsed.value, value);
    });
  }
  it('reads quoted and bare list items alike, with any spacing', () => {
    assert.deepEqual(
      parseQuery(`attribute:x in [ a ,"b c",'d',e]`),
      cond(attr('x'), 'in', ['a', 'b c', 'd', 'e']),
    );
    assert.deepEqual(parseQuery('attribute:x in [one]'), cond(attr('x'), 'in', ['one']));
  });
  it('accepts any whitespace between tokens', () => {
    assert.deepEqual(parseQuery('\n\tattribute:a  ==\t1\r\nand attribute:b == 2  '), and(A, B));
  });
});

describe('parseQuery: errors name the problem and its position', () => {
  const cases: [expression: string, position: number, message: RegExp][] = [
    // empty and over-long
    ['', 0, /^empty expression at position 0: write a condition/],
    ['   ', 0, /^empty expression/],
    [
      'attribute:x == ' + 'v'.repeat(MAX_QUERY_LENGTH),
      MAX_QUERY_LENGTH,
      /expression too long \(2015 characters\)/,
    ],
    // unknown subject
    ['foo == 1', 0, /^unknown subject 'foo' at position 0: to test an attribute, write 'attribute:foo'/],
    ['ecs.os-type == linux', 0, /write 'attribute:ecs.os-type'/],
    ['agentconnected == true', 0, /did you mean 'agentConnected'\?/],
    ['Task:Group == x', 0, /did you mean 'task:group'/],
    ['attribute == x', 0, /write attribute:<name>/],
    ['Attribute:x == x', 0, /write attribute:<name> in lower case/],
    ['attribute: == x', 10, /^missing attribute name at position 10/],
    ['attribute:a*b == x', 11, /invalid character '\*' in attribute name 'a\*b'/],
    [`attribute:${'n'.repeat(129)} == x`, 138, /attribute name .* is too long .*at most 128/],
    ["'attribute:x' == y", 0, /a subject is not quoted/],
    ['== y', 0, /^unexpected '==' at position 0: expected a condition/],
    // unknown or missing operator
    [
      'attribute:x xyz',
      12,
      /^unexpected 'xyz' at position 12: expected an operator after 'attribute:x' \(==, !=/,
    ],
    ['attribute:x', 11, /^unexpected end of expression at position 11: expected an operator/],
    ['attribute:x !foo', 12, /^unexpected '!foo' at position 12: expected an operator/],
    ['attribute:x constructor 1', 12, /unexpected 'constructor'/],
    ['attribute:x = 1', 12, /unexpected character '=' at position 12: use '==' to compare/],
    ['attribute:x ~ 1', 12, /use '=~' or '!~'/],
    // operator not meaningful for the subject
    [
      'agentConnected > true',
      15,
      /operator '>' can't be used with agentConnected .* use ==, !=, in, not_in, exists or not_exists$/,
    ],
    ['registeredAt =~ 2018.*', 13, /operator '=~' can't be used with registeredAt/],
    ['runningTasksCount matches 1', 18, /operator 'matches' can't be used with runningTasksCount/],
    // missing or extra argument
    ['attribute:x ==', 14, /^unexpected end of expression at position 14: expected a value after '=='/],
    ['attribute:x == && attribute:y exists', 15, /unexpected '&&' at position 15: expected a value/],
    ['attribute:x exists foo', 19, /^unexpected 'foo' at position 19: 'exists' takes no value/],
    ['attribute:x !exists foo', 20, /'!exists' takes no value/],
    ["attribute:x not_exists 'foo'", 23, /'not_exists' takes no value/],
    [
      'attribute:x == a b',
      17,
      /^unexpected 'b' at position 17: expected 'and', 'or' or the end of the expression$/,
    ],
    ['attribute:x in a', 15, /^unexpected 'a' at position 15: 'in' needs a list such as \[a, b\]/],
    ['attribute:x not_in', 18, /unexpected end of expression .* 'not_in' needs a list/],
    ['attribute:x == [a]', 15, /'==' compares with one value; use 'in'/],
    ['attribute:x =~ [a-z]+', 15, /put a pattern that starts with '\[' in quotes/],
    ['attribute:x in []', 15, /^empty list at position 15/],
    ['attribute:x in [a,]', 18, /unexpected '\]' at position 18: expected a value/],
    ['attribute:x in [a b]', 18, /unexpected 'b' at position 18: expected ',' or '\]'/],
    ['attribute:x in [a, (b)]', 19, /unexpected '\('/],
    // bad typed arguments
    [
      'registeredAt < 2018-13-01',
      15,
      /^invalid date '2018-13-01' at position 15: registeredAt compares with a date/,
    ],
    ['registeredAt < yesterday', 15, /invalid date 'yesterday'/],
    ['registeredAt in [2018-01-01, 2018-02-30]', 29, /invalid date '2018-02-30'/],
    [
      'agentVersion < v1.14',
      15,
      /^invalid version 'v1.14' at position 15: agentVersion compares with a version/,
    ],
    ['runningTasksCount > many', 20, /^invalid number 'many'/],
    [
      'agentConnected == yes',
      18,
      /^invalid boolean 'yes' at position 18: agentConnected compares with true or false/,
    ],
    // bad regex
    ['attribute:x =~ "a(b"', 15, /^invalid regular expression 'a\(b' at position 15: Unterminated group/],
    ['attribute:x !~ "*"', 15, /invalid regular expression '\*'/],
    ['attribute:x =~ t2.(a|b)', 20, /unexpected character '\|' .* must be quoted/],
    // unbalanced parentheses, brackets, quotes
    ['(attribute:x == a', 17, /^missing '\)' at position 17: the '\(' at position 0 is never closed/],
    ['((attribute:x == a) or attribute:y exists', 41, /the '\(' at position 0 is never closed/],
    ['attribute:x == a)', 16, /^unexpected '\)' at position 16: there is no '\(' before it to close/],
    ['()', 1, /unexpected '\)' at position 1: expected a condition/],
    ['attribute:x in [a, b', 20, /^missing '\]' at position 20: the '\[' at position 15 is never closed/],
    ["attribute:x == 'abc", 15, /^unterminated string at position 15: .*add a closing '/],
    ['attribute:x == "abc\\"', 15, /^unterminated string/],
    // trailing garbage and dangling connectives
    ['attribute:x == a)b', 16, /unexpected '\)'/],
    ['attribute:x == a;', 16, /unexpected character ';' at position 16/],
    ['attribute:x == a & attribute:y exists', 17, /use '&&' or 'and'/],
    ['attribute:x == a | attribute:y exists', 17, /use '\|\|' or 'or'/],
    ['attribute:x == a and', 20, /^unexpected end of expression at position 20: expected a condition/],
    [
      'attribute:x == a or or attribute:y exists',
      20,
      /^unexpected 'or' at position 20: expected a condition/,
    ],
    ['and attribute:y exists', 0, /^unexpected 'and' at position 0: expected a condition/],
    ['not', 3, /unexpected end of expression at position 3: expected a condition/],
    ['(attribute:x == a) attribute:y exists', 19, /expected 'and', 'or' or the end of the expression/],
    ['(attribute:x == a b)', 18, /expected 'and', 'or' or '\)'$/],
    ['attribute:x == a(b)', 16, /if it is part of the value, put the whole value in quotes/],
    [
      `${'('.repeat(MAX_NESTING + 1)}attribute:x exists${')'.repeat(MAX_NESTING + 1)}`,
      MAX_NESTING,
      /nested too deep/,
    ],
  ];
  for (const [expression, position, message] of cases) {
    it(`${JSON.stringify(expression.slice(0, 50))} fails at ${position}`, () => {
      assert.throws(
        () => parseQuery(expression),
        (err: unknown) => {
          assert.ok(err instanceof QuerySyntaxError, `expected QuerySyntaxError, got ${String(err)}`);
          assert.equal(err.name, 'QuerySyntaxError');
          assert.match(err.message, message);
          assert.equal(err.position, position, err.message);
          assert.match(err.message, new RegExp(`at position ${position}: `));
          return true;
        },
      );
    });
  }

  it('quotes at most 40 characters of the offending text', () => {
    assert.throws(() => parseQuery(`${'z'.repeat(100)} == 1`), /unknown subject 'z{40}\.\.\.'/);
  });
});

describe('parseQuery: limits', () => {
  it('accepts an expression of exactly the maximum length', () => {
    const prefix = 'attribute:x == ';
    const expression = prefix + 'v'.repeat(MAX_QUERY_LENGTH - prefix.length);
    assert.equal(expression.length, MAX_QUERY_LENGTH);
    assert.equal(parseQuery(expression).kind, 'condition');
  });
  it(`accepts ${MAX_NESTING} levels of parentheses`, () => {
    const expression = `${'('.repeat(MAX_NESTING)}attribute:x exists${')'.repeat(MAX_NESTING)}`;
    assert.deepEqual(parseQuery(expression), cond(attr('x'), 'exists'));
  });
  it('survives a maximum-length chain of negations', () => {
    const core = 'agentConnected == true';
    let expr = parseQuery('!'.repeat(MAX_QUERY_LENGTH - core.length) + core);
    let depth = 0;
    while (expr.kind === 'not') {
      expr = expr.operand;
      depth++;
    }
    assert.equal(depth, MAX_QUERY_LENGTH - core.length);
  });
});

/**
 * Recursive-descent parser for the cluster query language.
 *
 *   query     := or END
 *   or        := and (('||' | 'or') and)*          left-associative
 *   and       := unary (('&&' | 'and') unary)*     left-associative
 *   unary     := ('!' | 'not')* primary             so 'not' binds tightest, then 'and', then 'or'
 *   primary   := '(' or ')' | condition
 *   condition := subject operator [value | list]
 *   list      := '[' value (',' value)* ']'
 *
 * Written by hand rather than with a parser generator because most of the work is in the error messages:
 * each failure names the offending text, its position, and what would have been valid there.
 */
import {
  ATTRIBUTE_NAME_PATTERN,
  MAX_ATTRIBUTE_NAME_LENGTH,
  MAX_QUERY_LENGTH,
  OPERATOR_ALIASES,
  SUBJECT_KINDS,
} from './ast.js';
import type { Condition, Operator, QueryExpr, Subject } from './ast.js';
import { QuerySyntaxError, quote } from './errors.js';
import { tokenize } from './lexer.js';
import type { Token } from './lexer.js';
import { OPERATORS_BY_TYPE, argumentProblem, describeType, subjectText, typeOf } from './subjects.js';

const ATTRIBUTE_PREFIX = 'attribute:';
const OPERATOR_LIST =
  '==, !=, >, >=, <, <=, exists, !exists, in, !in, =~, !~, or a word form such as equals, not_in, matches';
const SUBJECT_LIST =
  'agentConnected, agentVersion, attribute:<name>, ec2InstanceId, registeredAt, runningTasksCount or task:group';
const EXAMPLE = 'attribute:ecs.os-type == linux';
/** Each level costs a few stack frames; 2000 characters of '(' must fail cleanly, not overflow the stack. */
export const MAX_NESTING = 100;

/** Parses a cluster query expression; throws `QuerySyntaxError` naming the first problem found. */
export function parseQuery(expression: string): QueryExpr {
  if (expression.length > MAX_QUERY_LENGTH) {
    throw new QuerySyntaxError(
      `expression too long (${expression.length} characters)`,
      MAX_QUERY_LENGTH,
      `the limit is ${MAX_QUERY_LENGTH} characters; shorten it, e.g. with 'in [a, b]' instead of several '=='`,
    );
  }
  if (expression.trim() === '') {
    throw new QuerySyntaxError('empty expression', 0, `write a condition such as ${EXAMPLE}`);
  }
  return new Parser(tokenize(expression)).parseAll();
}

class Parser {
  private index = 0;
  /** Open parentheses, innermost last, so an unclosed one can be reported where it was opened. */
  private readonly open: Token[] = [];

  constructor(private readonly tokens: readonly Token[]) {}

  parseAll(): QueryExpr {
    const expr = this.parseOr();
    const next = this.peek();
    if (next.kind === ')') {
      throw new QuerySyntaxError(
        `unexpected ')'`,
        next.start,
        "there is no '(' before it to close; remove it or add the missing '('",
      );
    }
    if (next.kind !== 'end') throw this.afterCondition(next);
    return expr;
  }

  private parseOr(): QueryExpr {
    let left = this.parseAnd();
    while (this.isConnective('or')) {
      this.index++;
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): QueryExpr {
    let left = this.parseUnary();
    while (this.isConnective('and')) {
      this.index++;
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  // Negations are counted in a loop rather than by recursion, so '!!!!...' can't exhaust the stack.
  private parseUnary(): QueryExpr {
    let negations = 0;
    while (this.peek().kind === 'bang' || this.isWord(this.peek(), 'not')) {
      this.index++;
      negations++;
    }
    let expr = this.parsePrimary();
    for (let i = 0; i < negations; i++) expr = { kind: 'not', operand: expr };
    return expr;
  }

  private parsePrimary(): QueryExpr {
    const token = this.peek();
    if (token.kind !== '(') return this.parseCondition();
    this.index++;
    this.open.push(token);
    if (this.open.length > MAX_NESTING) {
      throw new QuerySyntaxError(
        'parentheses nested too deep',
        token.start,
        `at most ${MAX_NESTING} levels are allowed; remove redundant parentheses`,
      );
    }
    const inner = this.parseOr();
    const close = this.peek();
    if (close.kind === 'end') {
      throw new QuerySyntaxError(
        "missing ')'",
        close.start,
        `the '(' at position ${token.start} is never closed; add a ')'`,
      );
    }
    if (close.kind !== ')') throw this.afterCondition(close);
    this.index++;
    this.open.pop();
    return inner;
  }

  private parseCondition(): Condition {
    const subject = this.parseSubject();
    const operatorIndex = this.index;
    const operatorToken = this.peek();
    const operator = this.parseOperator(subject);
    // As the user wrote it, for messages; '!exists' and '!in' span two tokens.
    const spelt = quote(
      this.tokens
        .slice(operatorIndex, this.index)
        .map((t) => t.text)
        .join(''),
    );
    const type = typeOf(subject);
    if (!OPERATORS_BY_TYPE[type].includes(operator)) {
      throw new QuerySyntaxError(
        `operator ${spelt} can't be used with ${subjectText(subject)}`,
        operatorToken.start,
        `${subjectText(subject)} is ${describeType(type)}; use ${listOf(OPERATORS_BY_TYPE[type])}`,
      );
    }
    if (operator === 'exists' || operator === 'not_exists') {
      const extra = this.peek();
      const looksLikeValue = extra.kind === 'word' || extra.kind === 'string' || extra.kind === '[';
      if (looksLikeValue && !this.isConnective('and') && !this.isConnective('or')) {
        throw new QuerySyntaxError(
          `unexpected ${quote(extra.text)}`,
          extra.start,
          `${spelt} takes no value; remove it, or use '==' to compare with a value`,
        );
      }
      return { kind: 'condition', subject, operator };
    }
    if (operator === 'in' || operator === 'not_in') {
      const values = this.parseList(spelt);
      for (const value of values) this.checkArgument(subject, operator, value);
      return { kind: 'condition', subject, operator, values: values.map((v) => v.value) };
    }
    const value = this.parseValue(operator, spelt);
    this.checkArgument(subject, operator, value);
    return { kind: 'condition', subject, operator, value: value.value };
  }

  private parseSubject(): Subject {
    const token = this.peek();
    if (token.kind !== 'word') {
      const what = token.kind === 'end' ? 'unexpected end of expression' : `unexpected ${quote(token.text)}`;
      const advice =
        token.kind === 'string'
          ? `a subject is not quoted; expected one of ${SUBJECT_LIST}`
          : `expected a condition such as ${EXAMPLE}`;
      throw new QuerySyntaxError(what, token.start, advice);
    }
    const text = token.text;
    if (this.isConnective('and') || this.isConnective('or')) {
      throw new QuerySyntaxError(
        `unexpected ${quote(text)}`,
        token.start,
        `expected a condition such as ${EXAMPLE}`,
      );
    }
    this.index++;
    if (text.startsWith(ATTRIBUTE_PREFIX)) return this.attributeSubject(token);
    const kind = SUBJECT_KINDS.find((known) => known === text);
    if (kind !== undefined && kind !== 'attribute') return { kind };
    throw new QuerySyntaxError(`unknown subject ${quote(text)}`, token.start, subjectAdvice(text));
  }

  private attributeSubject(token: Token): Subject {
    const name = token.text.slice(ATTRIBUTE_PREFIX.length);
    const nameStart = token.start + ATTRIBUTE_PREFIX.length;
    if (name === '') {
      throw new QuerySyntaxError(
        'missing attribute name',
        nameStart,
        'write attribute:<name>, e.g. attribute:ecs.instance-type',
      );
    }
    if (name.length > MAX_ATTRIBUTE_NAME_LENGTH) {
      throw new QuerySyntaxError(
        `attribute name ${quote(name)} is too long`,
        nameStart + MAX_ATTRIBUTE_NAME_LENGTH,
        `attribute names are at most ${MAX_ATTRIBUTE_NAME_LENGTH} characters`,
      );
    }
    if (!ATTRIBUTE_NAME_PATTERN.test(name)) {
      const bad = [...name].findIndex((ch) => !ATTRIBUTE_NAME_PATTERN.test(ch));
      const offset = [...name].slice(0, bad).join('').length;
      throw new QuerySyntaxError(
        `invalid character ${quote([...name][bad] ?? '')} in attribute name ${quote(name)}`,
        nameStart + offset,
        'attribute names may contain only letters, digits, hyphens, underscores, slashes and periods',
      );
    }
    return { kind: 'attribute', name };
  }

  private parseOperator(subject: Subject): Operator {
    const token = this.peek();
    const next = this.tokens[this.index + 1];
    // '!exists' and '!in' arrive as '!' followed by a word; every other operator is a single token.
    const bangWord = token.kind === 'bang' && next?.kind === 'word';
    const spelling =
      token.kind === 'operator'
        ? token.text
        : token.kind === 'word'
          ? token.text.toLowerCase()
          : bangWord
            ? `!${next.text.toLowerCase()}`
            : undefined;
    const operator = spelling === undefined ? undefined : OPERATOR_ALIASES.get(spelling);
    if (operator === undefined) {
      const shown = bangWord ? `!${next.text}` : token.text;
      const what = token.kind === 'end' ? 'unexpected end of expression' : `unexpected ${quote(shown)}`;
      throw new QuerySyntaxError(
        what,
        token.start,
        `expected an operator after ${quote(subjectText(subject))} (${OPERATOR_LIST})`,
      );
    }
    this.index += bangWord ? 2 : 1;
    return operator;
  }

  private parseValue(operator: Operator, spelt: string): Token {
    const token = this.peek();
    if (token.kind === 'word' || token.kind === 'string') {
      this.index++;
      return token;
    }
    if (token.kind === '[') {
      const advice =
        operator === '=~' || operator === '!~'
          ? `put a pattern that starts with '[' in quotes, e.g. '[a-z]+'`
          : `${spelt} compares with one value; use 'in' to compare with a list`;
      throw new QuerySyntaxError(`unexpected '['`, token.start, advice);
    }
    const what = token.kind === 'end' ? 'unexpected end of expression' : `unexpected ${quote(token.text)}`;
    throw new QuerySyntaxError(
      what,
      token.start,
      `expected a value after ${spelt}; quote it if it is empty, e.g. ''`,
    );
  }

  private parseList(spelt: string): Token[] {
    const open = this.peek();
    if (open.kind !== '[') {
      const what = open.kind === 'end' ? 'unexpected end of expression' : `unexpected ${quote(open.text)}`;
      throw new QuerySyntaxError(
        what,
        open.start,
        `${spelt} needs a list such as [a, b]; for one value write [value]`,
      );
    }
    this.index++;
    if (this.peek().kind === ']') {
      throw new QuerySyntaxError('empty list', open.start, 'put at least one value between [ and ]');
    }
    const values: Token[] = [];
    for (;;) {
      const item = this.peek();
      if (item.kind !== 'word' && item.kind !== 'string') {
        if (item.kind === 'end') throw this.unclosedList(open, item);
        throw new QuerySyntaxError(
          `unexpected ${quote(item.text)}`,
          item.start,
          'expected a value; quote values that contain special characters',
        );
      }
      values.push(item);
      this.index++;
      const sep = this.peek();
      this.index++;
      if (sep.kind === ']') return values;
      if (sep.kind === ',') continue;
      if (sep.kind === 'end') throw this.unclosedList(open, sep);
      throw new QuerySyntaxError(
        `unexpected ${quote(sep.text)}`,
        sep.start,
        "expected ',' or ']'; separate values with commas and quote values that contain special characters",
      );
    }
  }

  private unclosedList(open: Token, end: Token): QuerySyntaxError {
    return new QuerySyntaxError(
      "missing ']'",
      end.start,
      `the '[' at position ${open.start} is never closed`,
    );
  }

  private checkArgument(subject: Subject, operator: Operator, value: Token): void {
    const problem = argumentProblem(subject, operator, value.value);
    if (problem !== undefined) throw new QuerySyntaxError(problem.problem, value.start, problem.advice);
  }

  /** The error for a token that follows a complete condition but cannot continue the expression. */
  private afterCondition(token: Token): QuerySyntaxError {
    const valid = this.open.length > 0 ? "'and', 'or' or ')'" : "'and', 'or' or the end of the expression";
    const previous = this.tokens[this.index - 1];
    const glued =
      !token.spaced && previous !== undefined && (previous.kind === 'word' || previous.kind === 'string');
    const hint = glued ? '; if it is part of the value, put the whole value in quotes' : '';
    return new QuerySyntaxError(`unexpected ${quote(token.text)}`, token.start, `expected ${valid}${hint}`);
  }

  private peek(): Token {
    // The lexer always ends with an 'end' token and nothing consumes it, so the index stays in range.
    return this.tokens[Math.min(this.index, this.tokens.length - 1)] as Token;
  }

  private isConnective(kind: 'and' | 'or'): boolean {
    const token = this.peek();
    return token.kind === kind || this.isWord(token, kind);
  }

  private isWord(token: Token, word: string): boolean {
    return token.kind === 'word' && token.text.toLowerCase() === word;
  }
}

function listOf(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** Advice for a word that is not a subject, guessing the most likely intent. */
function subjectAdvice(text: string): string {
  const lower = text.toLowerCase();
  const sameButCase = SUBJECT_KINDS.find((kind) => kind.toLowerCase() === lower && kind !== 'attribute');
  if (sameButCase !== undefined) return `did you mean ${quote(sameButCase)}? (subjects are case-sensitive)`;
  if (lower === 'attribute' || lower.startsWith(ATTRIBUTE_PREFIX)) {
    return 'write attribute:<name> in lower case, e.g. attribute:ecs.instance-type';
  }
  if (ATTRIBUTE_NAME_PATTERN.test(text)) {
    return `to test an attribute, write ${quote(ATTRIBUTE_PREFIX + text)}; other subjects are ${SUBJECT_LIST}`;
  }
  return `expected one of ${SUBJECT_LIST}`;
}

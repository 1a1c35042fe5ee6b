/**
 * Prints a tree back as query text. The output is canonical (symbolic operators, minimal parentheses,
 * quotes only where needed) and parses back to the same tree, which the property tests check; it is what
 * Berth shows when it reports a constraint back to a user.
 */
import type { Condition, QueryExpr } from './ast.js';
import { isBareWord } from './lexer.js';
import { subjectText } from './subjects.js';

export function printQuery(expr: QueryExpr): string {
  switch (expr.kind) {
    case 'condition':
      return printCondition(expr);
    case 'not':
      return `not ${expr.operand.kind === 'and' || expr.operand.kind === 'or' ? group(expr.operand) : printQuery(expr.operand)}`;
    case 'and':
      // Both sides bind at least as tightly as 'and' except an 'or'; a right-hand 'and' needs parentheses
      // only because 'and' is left-associative and the tree must come back the same shape.
      return `${expr.left.kind === 'or' ? group(expr.left) : printQuery(expr.left)} and ${
        expr.right.kind === 'or' || expr.right.kind === 'and' ? group(expr.right) : printQuery(expr.right)
      }`;
    case 'or':
      return `${printQuery(expr.left)} or ${expr.right.kind === 'or' ? group(expr.right) : printQuery(expr.right)}`;
  }
}

function group(expr: QueryExpr): string {
  return `(${printQuery(expr)})`;
}

function printCondition(condition: Condition): string {
  const subject = subjectText(condition.subject);
  switch (condition.operator) {
    case 'exists':
    case 'not_exists':
      return `${subject} ${condition.operator}`;
    case 'in':
    case 'not_in':
      return `${subject} ${condition.operator} [${condition.values.map(printValue).join(', ')}]`;
    default:
      return `${subject} ${condition.operator} ${printValue(condition.value)}`;
  }
}

/** A value as a bare word when it reads back unchanged, otherwise single-quoted with \ and ' escaped. */
export function printValue(value: string): string {
  return isBareWord(value) ? value : `'${value.replace(/[\\']/g, (ch) => `\\${ch}`)}'`;
}

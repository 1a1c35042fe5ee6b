/**
 * The placement parameters of RunTask (and, later, of services): constraints and strategies, checked against
 * ECS's documented rules and turned into what the scheduler takes.
 *
 * - Constraints: `memberOf` with a cluster query expression (at most 2000 characters; parsed here so a typo is
 *   an InvalidParameterException carrying the parser's explanation), `distinctInstance` without one; at most
 *   10 per task counting the task definition's own.
 * - Strategies: at most 5 rules, each `binpack` on `cpu` or `memory`, `spread` on `instanceId`, `host` or
 *   `attribute:<name>`, or `random` (whose field ECS ignores).
 */
import type { PlacementConstraint, PlacementStrategy } from '@aws-sdk/client-ecs';
import {
  MAX_CONSTRAINT_EXPRESSION_LENGTH,
  MAX_PLACEMENT_CONSTRAINTS,
} from '../../domain/task-definition/limits.js';
import { invalidParameter } from '../../ecs/errors.js';
import { QuerySyntaxError } from '../../query/index.js';
import { compileMemberOf, MAX_STRATEGY_RULES, type StrategyRule } from '../../scheduler/index.js';
import { checkAttributeName } from '../../domain/validate/attributes.js';

/** Validates the request's own constraints (the task definition's are merged in by `mergeConstraints`). */
export function validateConstraints(
  constraints: readonly PlacementConstraint[] | undefined,
): PlacementConstraint[] {
  const list = constraints ?? [];
  checkCount(list.length);
  return list.map((c) => {
    if (c.type === 'distinctInstance') {
      if (c.expression !== undefined && c.expression !== '') {
        throw invalidParameter(
          'A distinctInstance placement constraint takes no expression. Remove it, or use type memberOf.',
        );
      }
      return { type: 'distinctInstance' };
    }
    if (c.type !== 'memberOf') {
      throw invalidParameter(
        `Placement constraint type must be memberOf or distinctInstance; got '${String(c.type)}'.`,
      );
    }
    return { type: 'memberOf', expression: checkExpression(c.expression) };
  });
}

/** The task definition's constraints followed by the request's, within ECS's limit of 10 per task. */
export function mergeConstraints(
  fromDefinition: readonly PlacementConstraint[] | undefined,
  fromRequest: readonly PlacementConstraint[],
): PlacementConstraint[] {
  const merged = [...(fromDefinition ?? []), ...fromRequest];
  checkCount(merged.length, (fromDefinition ?? []).length);
  // The definition's expressions were stored unparsed: a bad one is reported when it would be used.
  for (const c of fromDefinition ?? []) if (c.type === 'memberOf') checkExpression(c.expression);
  return merged;
}

export function validateStrategies(strategies: readonly PlacementStrategy[] | undefined): StrategyRule[] {
  const list = strategies ?? [];
  if (list.length > MAX_STRATEGY_RULES) {
    throw invalidParameter(
      `Too many placement strategy rules: ${list.length} given, at most ${MAX_STRATEGY_RULES} are allowed.`,
    );
  }
  return list.map((s): StrategyRule => {
    switch (s.type) {
      case 'random':
        return { type: 'random' };
      case 'binpack': {
        const field = (s.field ?? '').toLowerCase();
        if (field !== 'cpu' && field !== 'memory') {
          throw invalidParameter(
            `The binpack placement strategy needs field 'cpu' or 'memory'; got '${s.field ?? ''}'.`,
          );
        }
        return { type: 'binpack', field };
      }
      case 'spread':
        return { type: 'spread', field: spreadField(s.field) };
      default:
        throw invalidParameter(
          `Placement strategy type must be random, spread or binpack; got '${String(s.type)}'.`,
        );
    }
  });
}

function spreadField(field: string | undefined): string {
  const value = field ?? '';
  if (value === 'instanceId' || value === 'host') return value;
  if (value.startsWith('attribute:')) {
    const name = value.slice('attribute:'.length);
    try {
      checkAttributeName(name);
    } catch {
      throw invalidParameter(
        `The spread field '${value}' names no valid attribute: after 'attribute:' give 1-128 letters, ` +
          'numbers, hyphens, underscores, slashes or periods (e.g. attribute:ecs.availability-zone).',
      );
    }
    return value;
  }
  throw invalidParameter(
    `The spread placement strategy needs field instanceId, host or attribute:<name> ` +
      `(e.g. attribute:ecs.availability-zone); got '${value}'.`,
  );
}

function checkExpression(expression: string | undefined): string {
  const text = expression ?? '';
  if (text.trim() === '') {
    throw invalidParameter(
      'A memberOf placement constraint needs an expression, e.g. attribute:ecs.os-type == linux.',
    );
  }
  if (text.length > MAX_CONSTRAINT_EXPRESSION_LENGTH) {
    throw invalidParameter(
      `Placement constraint expression is ${text.length} characters; at most ` +
        `${MAX_CONSTRAINT_EXPRESSION_LENGTH} are allowed.`,
    );
  }
  try {
    compileMemberOf(text);
  } catch (e) {
    if (e instanceof QuerySyntaxError) {
      throw invalidParameter(`Invalid placement constraint expression '${text}': ${e.message}`);
    }
    throw e;
  }
  return text;
}

function checkCount(count: number, fromDefinition = 0): void {
  if (count > MAX_PLACEMENT_CONSTRAINTS) {
    throw invalidParameter(
      `Too many placement constraints: ${count} given` +
        (fromDefinition > 0 ? ` (${fromDefinition} from the task definition)` : '') +
        `, at most ${MAX_PLACEMENT_CONSTRAINTS} are allowed per task.`,
    );
  }
}

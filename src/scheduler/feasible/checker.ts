/**
 * Feasibility: can this instance take this task at all? Each concern is one small checker that either lets
 * the instance pass (`undefined`) or names the ECS failure reason that rejects it. Checkers do not know about
 * each other; `stack.ts` decides their order, and the first rejection is the one the user is told.
 */
import type { Reason } from '../reasons.js';
import type { TaskRequirements } from '../requirements.js';
import type { InstanceState } from '../snapshot.js';

export interface Checker {
  /** For tests and metrics. */
  readonly name: string;
  check(instance: InstanceState, task: TaskRequirements): Reason | undefined;
}

/** The reason of the first checker that rejects the instance, or undefined when all let it pass. */
export function firstRejection(
  checkers: readonly Checker[],
  instance: InstanceState,
  task: TaskRequirements,
): Reason | undefined {
  for (const checker of checkers) {
    const reason = checker.check(instance, task);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

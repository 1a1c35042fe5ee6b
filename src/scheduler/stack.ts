/**
 * The one place where feasibility checkers and rankers are put in order (Nomad's `NewGenericStack`). To add
 * a concern, write a checker or ranker in its own file and add it here, saying why it sits where it does.
 *
 *   instances --> [feasibility: first rejection wins] --> candidates --> [rank: strategies in order,
 *                                                                         then a seeded tie-break] --> pick
 */
import { agentConnected } from './feasible/agent-connected.js';
import type { Checker } from './feasible/checker.js';
import { distinctInstance, memberOf } from './feasible/constraints.js';
import { instanceActive } from './feasible/instance-status.js';
import { tcpPortsFree, udpPortsFree } from './feasible/ports.js';
import { requiredAttributes } from './feasible/required-attributes.js';
import { cpuFits, gpusFree, memoryFits } from './feasible/resources.js';
import { binpack } from './rank/binpack.js';
import { randomRanker } from './rank/random.js';
import type { Ranker, StrategyRule } from './rank/ranker.js';
import { spread } from './rank/spread.js';
import { REASONS, type Reason } from './reasons.js';

/** ECS's hard limit on strategy rules per task (RunTaskRequest.placementStrategy). */
export const MAX_STRATEGY_RULES = 5;

/**
 * Checkers in the order an instance meets them; an instance's failure reason is the first rejection, so the
 * order also decides what a user reads. ECS's documented process is: instance fit (CPU, GPU, memory, ports)
 * first, then constraints, then strategies.
 */
export const CHECKERS: readonly Checker[] = Object.freeze([
  // Status first: a DRAINING or deregistered instance must never take work, whatever else it offers.
  instanceActive,
  // Then the agent: without a connected agent nothing placed would ever start (AGENT).
  agentConnected,
  // Then what the host can do at all (requiresAttributes): a permanent mismatch explains more than a
  // momentary lack of room would, and no amount of waiting fixes it (ATTRIBUTE).
  requiredAttributes,
  // Resources, in ECS's order: CPU, memory, ports, then GPUs. These change as tasks come and go.
  cpuFits,
  memoryFits,
  tcpPortsFree,
  udpPortsFree,
  gpusFree,
  // Constraints last, as ECS applies them after the resource filter: memberOf, then distinctInstance
  // (which depends on what is already placed, including earlier tasks of the same batch).
  memberOf,
  distinctInstance,
]);

/**
 * The reasons of CHECKERS in the order they are met: a rejection later in this list means the instance got
 * further through the checks. A service event names the instance that came closest (ECS's "closest
 * matching container-instance"), so this order decides which one that is.
 */
export const REJECTION_ORDER: readonly Reason[] = Object.freeze([
  REASONS.inactive,
  REASONS.draining,
  REASONS.agent,
  REASONS.attribute,
  REASONS.cpu,
  REASONS.memory,
  REASONS.ports,
  REASONS.ports_udp,
  REASONS.gpu,
  REASONS.memberOf,
  REASONS.distinctInstance,
]);

/** Rankers for the request's strategy rules, in the order given (each breaks the previous one's ties). */
export function rankersFor(rules: readonly StrategyRule[]): Ranker[] {
  return rules.map((rule) => {
    switch (rule.type) {
      case 'binpack':
        return binpack(rule.field);
      case 'spread':
        return spread(rule.field);
      case 'random':
        return randomRanker;
    }
  });
}

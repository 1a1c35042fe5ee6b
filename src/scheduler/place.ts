/**
 * Placement decisions: from a snapshot and a request to a plan. Pure and deterministic for a given seed; it
 * never writes anything. The applier (`api/ecs/tasks/apply-plan.ts`) commits plans.
 *
 * Tasks are placed one at a time, each decision on a working copy of the snapshot that already holds the
 * earlier placements of the batch, so ten tasks offered to one instance are accounted for as ten.
 */
import { firstRejection } from './feasible/checker.js';
import { seededRandom, type Random } from './random.js';
import type { Ranker, StrategyRule } from './rank/ranker.js';
import { REASONS } from './reasons.js';
import type { TaskRequirements } from './requirements.js';
import {
  freeGpuIds,
  withPlacement,
  type ClusterSnapshot,
  type InstanceState,
  type PlacedTask,
} from './snapshot.js';
import { CHECKERS, rankersFor } from './stack.js';

export interface PlacementRequest {
  readonly task: TaskRequirements;
  /** How many copies of the task to place. */
  readonly count: number;
  /** ECS placement strategy rules, in order. */
  readonly strategies: readonly StrategyRule[];
}

export interface Placement {
  readonly instanceArn: string;
  /** GPUs assigned to the task, from the instance's free ones. */
  readonly gpuIds: readonly string[];
}

/** One entry of ECS's `failures[]`: a rejected instance and the reason of the first checker that said no. */
export interface PlacementFailure {
  readonly arn?: string;
  readonly reason: string;
  readonly detail?: string;
}

export interface Plan {
  readonly placements: readonly Placement[];
  /** Empty when every task was placed; else why each instance refused the first task that found no home. */
  readonly failures: readonly PlacementFailure[];
  /** The snapshot with the placements applied, for a caller that goes on deciding. */
  readonly snapshot: ClusterSnapshot;
}

/** ECS's message when a cluster has no container instance to place on (RunTask's InvalidParameterException). */
export const NO_INSTANCES = 'No Container Instances were found in your cluster.';

/**
 * Places `count` tasks with the request's strategies. The first task that fits nowhere ends the batch: the
 * rest would meet the same instances in the same state. Its rejections become the plan's failures.
 */
export function placeTasks(snapshot: ClusterSnapshot, request: PlacementRequest, seed: number): Plan {
  if (snapshot.instances.length === 0) {
    return plan([], [{ reason: REASONS.missing, detail: NO_INSTANCES }], snapshot);
  }
  const random = seededRandom(seed);
  const rankers = rankersFor(request.strategies);
  const placements: Placement[] = [];
  let working = snapshot;
  for (let n = 0; n < request.count; n++) {
    const decision = decide(working, request.task, rankers, random);
    if (decision.chosen === undefined) return plan(placements, decision.rejections, working);
    const placement = placementOn(decision.chosen, request.task);
    placements.push(placement);
    working = withPlacement(working, placement.instanceArn, planned(placement, request.task, n));
  }
  return plan(placements, [], working);
}

/**
 * StartTask: one task on each named instance, in order, with no choice to make but the same feasibility
 * checks. An instance the snapshot does not hold (unknown, or deregistered) is MISSING. Naming an instance
 * twice asks for two tasks there, the second judged with the first in place.
 */
export function placeOnInstances(
  snapshot: ClusterSnapshot,
  task: TaskRequirements,
  instanceArns: readonly string[],
): Plan {
  const placements: Placement[] = [];
  const failures: PlacementFailure[] = [];
  let working = snapshot;
  instanceArns.forEach((arn, n) => {
    const instance = working.byArn.get(arn);
    const reason = instance === undefined ? REASONS.missing : firstRejection(CHECKERS, instance, task);
    if (instance === undefined || reason !== undefined) {
      failures.push({ arn, reason: reason ?? REASONS.missing });
      return;
    }
    const placement = placementOn(instance, task);
    placements.push(placement);
    working = withPlacement(working, arn, planned(placement, task, n));
  });
  return plan(placements, failures, working);
}

interface Decision {
  readonly chosen?: InstanceState;
  readonly rejections: PlacementFailure[];
}

/** One decision: filter with every checker, then take the best by the strategies, ties broken at random. */
function decide(
  snapshot: ClusterSnapshot,
  task: TaskRequirements,
  rankers: readonly Ranker[],
  random: Random,
): Decision {
  const candidates: InstanceState[] = [];
  const rejections: PlacementFailure[] = [];
  for (const instance of snapshot.instances) {
    const reason = firstRejection(CHECKERS, instance, task);
    if (reason === undefined) candidates.push(instance);
    else rejections.push({ arn: instance.arn, reason });
  }
  if (candidates.length === 0) return { rejections };
  const ctx = { snapshot, task, random };
  const scores = rankers.map((r) => r.score(candidates, ctx));
  // The last word goes to chance (seeded), so equally good instances share the work instead of the first in
  // ARN order always winning.
  scores.push(candidates.map(() => random()));
  let best = 0;
  for (let i = 1; i < candidates.length; i++) {
    if (better(scores, i, best)) best = i;
  }
  return { chosen: candidates[best], rejections };
}

/** Whether candidate `a` beats candidate `b`: the first score that differs decides (lower wins). */
function better(scores: readonly (readonly number[])[], a: number, b: number): boolean {
  for (const column of scores) {
    const x = column[a] ?? 0;
    const y = column[b] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

function placementOn(instance: InstanceState, task: TaskRequirements): Placement {
  return Object.freeze({
    instanceArn: instance.arn,
    gpuIds: Object.freeze(freeGpuIds(instance).slice(0, task.gpus)),
  });
}

/** The task as the working snapshot holds it until the applier names it. */
function planned(placement: Placement, task: TaskRequirements, n: number): PlacedTask {
  return {
    taskArn: `planned:${n}`,
    group: task.group,
    desiredRunning: true,
    held: {
      cpu: task.cpu,
      memory: task.memory,
      tcpPorts: task.tcpPorts,
      udpPorts: task.udpPorts,
      gpuIds: placement.gpuIds,
    },
  };
}

function plan(
  placements: readonly Placement[],
  failures: readonly PlacementFailure[],
  snapshot: ClusterSnapshot,
): Plan {
  return Object.freeze({
    placements: Object.freeze([...placements]),
    failures: Object.freeze(failures.map((f) => Object.freeze({ ...f }))),
    snapshot,
  });
}

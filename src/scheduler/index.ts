/**
 * The scheduler: pure placement logic over a read-only snapshot of a cluster. It decides; it never writes.
 *
 *   store --(applier reads, in one transaction)--> ClusterSnapshot
 *   ClusterSnapshot + TaskRequirements + strategies --placeTasks / placeOnInstances--> Plan
 *   Plan --(applier writes tasks, same transaction)--> store
 *
 * Inside a decision (`place.ts`, wired in `stack.ts`):
 *   feasible/  one checker per concern, each rejecting with ECS's failure reason (first rejection wins)
 *   rank/      one ranker per strategy (binpack, spread, random), applied in order as tie-breakers
 *   random.ts  the seeded generator behind every random choice, so a decision can be replayed
 *
 * Lint keeps this folder free of I/O imports.
 */
export type { Checker } from './feasible/checker.js';
export { firstRejection } from './feasible/checker.js';
export { NO_INSTANCES, placeOnInstances, placeTasks } from './place.js';
export type { Placement, PlacementFailure, PlacementRequest, Plan } from './place.js';
export { seedFrom, seededRandom } from './random.js';
export type { Random } from './random.js';
export type { RankContext, Ranker, StrategyRule } from './rank/ranker.js';
export { REASONS } from './reasons.js';
export type { Reason } from './reasons.js';
export { compileMemberOf, containerGpuCounts, staticHostPorts, taskRequirements } from './requirements.js';
export type { MemberOf, RequiredAttribute, RequirementOptions, TaskRequirements } from './requirements.js';
export {
  clusterSnapshot,
  freeGpuIds,
  instanceBase,
  instanceState,
  placedTask,
  queryView,
  remainingCpu,
  remainingMemory,
  snapshotFromRecords,
  withPlacement,
  withoutTask,
  withInstance,
  withoutInstance,
  withTask,
} from './snapshot.js';
export type {
  Capacity,
  ClusterSnapshot,
  Held,
  InstanceBase,
  InstanceState,
  PlacedTask,
  StaticPorts,
  Usage,
} from './snapshot.js';
export { CHECKERS, MAX_STRATEGY_RULES, rankersFor, REJECTION_ORDER } from './stack.js';
export { chooseTasksToStop } from './scale-in.js';
export type { ScaleInRequest, StopCandidate } from './scale-in.js';

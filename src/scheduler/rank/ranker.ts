/**
 * Ranking: among the instances that can take a task, which should? Each placement strategy is one ranker that
 * scores every candidate (lower is better). ECS applies the strategies in order, each later one only breaking
 * the ties of the earlier ones, so scores are compared as vectors, first strategy first (`place.ts`).
 */
import type { Random } from '../random.js';
import type { TaskRequirements } from '../requirements.js';
import type { ClusterSnapshot, InstanceState } from '../snapshot.js';

/** A placement strategy rule as the scheduler takes it (the API layer has validated ECS's shape). */
export type StrategyRule =
  | { readonly type: 'binpack'; readonly field: 'cpu' | 'memory' }
  /** `instanceId` (or its synonym `host`), or `attribute:<name>`. */
  | { readonly type: 'spread'; readonly field: string }
  | { readonly type: 'random' };

export interface RankContext {
  /** The whole cluster as it stands for this decision (spread counts tasks on every instance). */
  readonly snapshot: ClusterSnapshot;
  readonly task: TaskRequirements;
  readonly random: Random;
}

export interface Ranker {
  readonly name: string;
  /** One score per candidate, in the candidates' order; lower is better. */
  score(candidates: readonly InstanceState[], ctx: RankContext): readonly number[];
}

/**
 * Scale-in: which of a group's tasks to stop when there are more than wanted. ECS uses the placement
 * strategies for this too ("strategies and constraints are also used to choose tasks to terminate"), in
 * reverse: where placing prefers an instance, stopping prefers to leave it.
 *
 * - tasks that are not running yet go first: they serve no one;
 * - `spread`: a task where the group has the most tasks (on the instance, or in the attribute's value), so
 *   the group stays balanced;
 * - `binpack`: a task on the instance with the most room left, so that instance empties (ECS: "terminates the
 *   task on the instance with the most remaining resources after termination");
 * - `random`: at random (seeded);
 * - ties: the newest task, so the longest-running ones stay.
 *
 * Victims are chosen one at a time, each on a snapshot without the earlier ones. Pure.
 */
import { seededRandom } from './random.js';
import type { StrategyRule } from './rank/ranker.js';
import {
  remainingCpu,
  remainingMemory,
  withoutTask,
  type ClusterSnapshot,
  type InstanceState,
} from './snapshot.js';

export interface StopCandidate {
  readonly taskArn: string;
  readonly instanceArn: string;
  /** Epoch ms; absent for a task that has not started. */
  readonly startedAt?: number;
  readonly createdAt: number;
  readonly running: boolean;
}

export interface ScaleInRequest {
  readonly group: string;
  readonly strategies: readonly StrategyRule[];
  readonly count: number;
  /** Newest first before any strategy (Berth: the surplus left when a disconnected host comes back). */
  readonly newestFirst?: boolean;
}

/** The ARNs of the tasks to stop, in the order chosen. */
export function chooseTasksToStop(
  snapshot: ClusterSnapshot,
  candidates: readonly StopCandidate[],
  request: ScaleInRequest,
  seed: number,
): string[] {
  // When every candidate goes, which one goes first does not matter: skip the scoring (scale to zero).
  if (request.count >= candidates.length) return candidates.map((c) => c.taskArn);
  const random = seededRandom(seed);
  const left = [...candidates];
  const chosen: string[] = [];
  let working = snapshot;
  while (chosen.length < request.count && left.length > 0) {
    const totals = attributeTotals(working, request);
    const scores = left.map((c) => score(working, c, request, random, totals));
    let best = 0;
    for (let i = 1; i < left.length; i++) if (lower(scores[i] ?? [], scores[best] ?? [])) best = i;
    const [victim] = left.splice(best, 1);
    if (victim === undefined) break;
    chosen.push(victim.taskArn);
    working = withoutTask(working, victim.instanceArn, victim.taskArn);
  }
  return chosen;
}

/** A spread rule's field -> attribute value key -> the group's tasks there. */
type AttributeTotals = ReadonlyMap<string, ReadonlyMap<string | undefined, number>>;

function attributeKey(i: InstanceState, name: string): string | undefined {
  return i.attributes.has(name) ? `value:${i.attributes.get(name) ?? ''}` : undefined;
}

function attributeName(field: string): string {
  return field.startsWith('attribute:') ? field.slice('attribute:'.length) : field;
}

/**
 * The group's task count per attribute value, counted once per victim (not once per candidate: with a
 * thousand instances and a thousand candidates that was a million steps per victim).
 */
function attributeTotals(snapshot: ClusterSnapshot, request: ScaleInRequest): AttributeTotals {
  const totals = new Map<string, Map<string | undefined, number>>();
  for (const rule of request.strategies) {
    if (rule.type !== 'spread' || rule.field === 'instanceId' || rule.field === 'host') continue;
    if (totals.has(rule.field)) continue;
    const name = attributeName(rule.field);
    const counts = new Map<string | undefined, number>();
    for (const i of snapshot.instances) {
      const key = attributeKey(i, name);
      counts.set(key, (counts.get(key) ?? 0) + (i.groups.get(request.group) ?? 0));
    }
    totals.set(rule.field, counts);
  }
  return totals;
}

function score(
  snapshot: ClusterSnapshot,
  c: StopCandidate,
  request: ScaleInRequest,
  random: () => number,
  totals: AttributeTotals,
): number[] {
  // Newer tasks have larger times; negate so that the newest scores lowest.
  const age = -(c.startedAt ?? c.createdAt);
  const vector = [c.running ? 1 : 0];
  if (request.newestFirst === true) vector.push(age);
  const instance = snapshot.byArn.get(c.instanceArn);
  for (const rule of request.strategies)
    vector.push(ruleScore(instance, rule, request.group, random, totals));
  vector.push(age);
  return vector;
}

function ruleScore(
  instance: InstanceState | undefined,
  rule: StrategyRule,
  group: string,
  random: () => number,
  totals: AttributeTotals,
): number {
  if (instance === undefined) return Number.NEGATIVE_INFINITY; // on no known instance: stop it first
  switch (rule.type) {
    case 'random':
      return random();
    case 'binpack':
      return -(rule.field === 'cpu' ? remainingCpu(instance) : remainingMemory(instance));
    case 'spread': {
      if (rule.field === 'instanceId' || rule.field === 'host') return -(instance.groups.get(group) ?? 0);
      const key = attributeKey(instance, attributeName(rule.field));
      return -(totals.get(rule.field)?.get(key) ?? 0);
    }
  }
}

function lower(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

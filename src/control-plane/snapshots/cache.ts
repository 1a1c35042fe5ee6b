/**
 * The scheduler's cluster snapshots, kept in step with the store instead of read afresh for every decision.
 * Reading a cluster (every instance, every task that has not stopped) costs time in proportion to its size;
 * with 10,000 tasks that made each RunTask and each service evaluation ~100 ms. Here a cluster is read once,
 * then each committed write of a task or instance is applied to the snapshot (`store/observed.ts` reports
 * them), which costs in proportion to the instances, not the tasks.
 *
 * Correctness rests on the store's single writer (SQLite: one connection that a transaction holds until it
 * commits, see `api/ecs/tasks/create-tasks.ts`). A cached snapshot is used only while no write to its cluster
 * is in flight anywhere, the reader's own transaction included; otherwise the reader loads from the store,
 * which is authoritative, and the cache is left alone. A write whose outcome is unknown drops the cluster's
 * snapshot. A backend with several writer processes cannot use this cache as it is: another process's
 * writes never reach it.
 */
import type { InstanceRecord } from '../../domain/instance-record.js';
import type { TaskRecord } from '../../domain/task-record.js';
import type { SnapshotSource } from '../context.js';
import { loadSnapshot, staticPortsOf } from './load.js';
import {
  instanceBase,
  placedTask,
  withInstance,
  withoutInstance,
  withoutTask,
  withPlacement,
  type ClusterSnapshot,
  type PlacedTask,
  type StaticPorts,
} from '../../scheduler/index.js';
import { observeWrites, type WriteObserver } from './write-observer.js';
import type { Store } from '../store/types.js';

/** What one committed write does to a snapshot. */
type Effect =
  | {
      readonly kind: 'task';
      readonly instanceArn: string;
      readonly taskArn: string;
      readonly placed?: PlacedTask;
    }
  | { readonly kind: 'instance'; readonly instance: InstanceRecord }
  | { readonly kind: 'unknown' };

/**
 * A cluster's snapshot and the instance each of its tasks is on (a write names only the task's instance now).
 * `homes` is changed in place: it belongs to the newest snapshot only.
 */
interface Cached {
  readonly snapshot: ClusterSnapshot;
  readonly homes: Map<string, string>;
}

/** The instance statuses a snapshot holds (see `loadSnapshot`). */
const SCHEDULABLE = new Set(['ACTIVE', 'DRAINING']);

export class ClusterSnapshots implements SnapshotSource, WriteObserver<Effect> {
  readonly #snapshots = new Map<string, Cached>();
  /** Writes begun and not yet ended, per cluster. */
  readonly #inFlight = new Map<string, number>();
  /** Writes ever begun, per cluster: a load overlapped by one is not kept. */
  readonly #begun = new Map<string, number>();
  /** Static host ports per task definition ARN (definitions never change). */
  readonly #ports = new Map<string, StaticPorts>();
  #loads = 0;

  /** The store whose writes keep these snapshots current: use it (and only it) for every write. */
  observe(store: Store): Store {
    return observeWrites(store, this);
  }

  /** Snapshots read from the store so far (a test and bench figure: it should stay near the cluster count). */
  get loads(): number {
    return this.#loads;
  }

  async get(tx: Store, clusterArn: string): Promise<ClusterSnapshot> {
    const cached = this.#snapshots.get(clusterArn);
    if (cached !== undefined && !this.#inFlight.has(clusterArn)) return cached.snapshot;
    const quiet = !this.#inFlight.has(clusterArn);
    const begun = this.#begun.get(clusterArn);
    this.#loads += 1;
    const snapshot = await loadSnapshot(tx, clusterArn, this.#ports);
    // Kept only if no write was in flight or began meanwhile: what was read might lack it, or hold it
    // before it is committed.
    if (quiet && !this.#inFlight.has(clusterArn) && this.#begun.get(clusterArn) === begun) {
      this.#snapshots.set(clusterArn, { snapshot, homes: homesOf(snapshot) });
    }
    return snapshot;
  }

  begin(clusterArn: string): void {
    this.#inFlight.set(clusterArn, (this.#inFlight.get(clusterArn) ?? 0) + 1);
    this.#begun.set(clusterArn, (this.#begun.get(clusterArn) ?? 0) + 1);
  }

  async taskWritten(tx: Store, task: TaskRecord): Promise<Effect> {
    const instanceArn = task.containerInstanceArn;
    const taskArn = task.taskArn;
    if (task.lastStatus === 'STOPPED') return { kind: 'task', instanceArn, taskArn };
    try {
      const ports = await staticPortsOf(tx, task.taskDefinitionArn, this.#ports);
      return { kind: 'task', instanceArn, taskArn, placed: placedTask(task, ports) };
    } catch {
      return { kind: 'unknown' };
    }
  }

  instanceWritten(_clusterArn: string, instance: InstanceRecord): Effect {
    return { kind: 'instance', instance };
  }

  end(clusterArn: string, effects: readonly Effect[] | undefined): void {
    const left = (this.#inFlight.get(clusterArn) ?? 1) - 1;
    if (left > 0) this.#inFlight.set(clusterArn, left);
    else this.#inFlight.delete(clusterArn);
    const cached = this.#snapshots.get(clusterArn);
    if (cached === undefined) return;
    // Lost writes change nothing; a write this cannot follow leaves only the store to trust.
    if (effects === undefined) return;
    let next: Cached | undefined = cached;
    for (const effect of effects) next = next === undefined ? undefined : apply(next, effect);
    if (next === undefined) this.#snapshots.delete(clusterArn);
    else this.#snapshots.set(clusterArn, next);
  }
}

/**
 * The snapshot after one write, or `undefined` when only the store can say: an effect that could not be
 * worked out, or an instance joining the snapshot (the store may hold tasks for it that the snapshot, which
 * ignores tasks of instances it does not hold, never kept).
 */
function apply(cached: Cached, effect: Effect): Cached | undefined {
  const { snapshot, homes } = cached;
  if (effect.kind === 'unknown') return undefined;
  if (effect.kind === 'instance') {
    const base = instanceBase(effect.instance);
    if (!SCHEDULABLE.has(base.status)) {
      for (const task of snapshot.byArn.get(base.arn)?.tasks ?? []) homes.delete(task.taskArn);
      return { snapshot: withoutInstance(snapshot, base.arn), homes };
    }
    return snapshot.byArn.has(base.arn) ? { snapshot: withInstance(snapshot, base), homes } : undefined;
  }
  const home = homes.get(effect.taskArn);
  let next = home === undefined ? snapshot : withoutTask(snapshot, home, effect.taskArn);
  homes.delete(effect.taskArn);
  if (effect.placed !== undefined && next.byArn.has(effect.instanceArn)) {
    next = withPlacement(next, effect.instanceArn, effect.placed);
    homes.set(effect.taskArn, effect.instanceArn);
  }
  return { snapshot: next, homes };
}

/** Where each task of the snapshot is. */
function homesOf(snapshot: ClusterSnapshot): Map<string, string> {
  const homes = new Map<string, string>();
  for (const instance of snapshot.instances)
    for (const task of instance.tasks) homes.set(task.taskArn, instance.arn);
  return homes;
}

/**
 * A store that tells an observer about the writes that change what a cluster holds (tasks and container
 * instances), so that a view derived from them (the scheduler's cluster snapshots, `server/cluster-snapshots`)
 * can follow the store instead of re-reading it for every decision.
 *
 * The observer hears of writes so that its view is never ahead of what is committed: `begin(cluster)` before a
 * write is issued; the write's effect, worked out by the observer right after it (reading through the
 * writer's own transaction, which sees it); and `end(cluster, effects)` once the writes are durable, or
 * `end(cluster, undefined)` once they are known lost. Outside a transaction that is straight after the write;
 * inside one, at commit or rollback. Between `begin` and `end` the observer must not trust its view of that
 * cluster.
 */
import type { InstanceRecord } from '../../domain/instance-record.js';
import type { TaskRecord } from '../../domain/task-record.js';
import type { ContainerInstanceStore, Store, TaskStore } from '../store/types.js';

export interface WriteObserver<E> {
  begin(clusterArn: string): void;
  taskWritten(tx: Store, task: TaskRecord): Promise<E>;
  instanceWritten(clusterArn: string, instance: InstanceRecord): E;
  /** The effects of the cluster's writes, in order, once committed; `undefined` if they were not. */
  end(clusterArn: string, effects: readonly E[] | undefined): void;
}

export function observeWrites<E>(store: Store, observer: WriteObserver<E>): Store {
  return observed(store, observer, undefined);
}

function observed<E>(inner: Store, observer: WriteObserver<E>, tx: Writes<E> | undefined): Store {
  /** Runs one write with the observer told before and after; outside a transaction it ends right here. */
  const write = async (clusterArn: string, run: () => Promise<E>): Promise<void> => {
    let effects = tx?.get(clusterArn);
    if (effects === undefined) {
      observer.begin(clusterArn);
      effects = [];
      tx?.set(clusterArn, effects);
    }
    let ok = false;
    try {
      effects.push(await run());
      ok = true;
    } finally {
      if (tx === undefined) observer.end(clusterArn, ok ? effects : undefined);
    }
  };
  const tasks: TaskStore = {
    get: (arn) => inner.tasks.get(arn),
    put: (task) =>
      write(task.clusterArn, async () => {
        await inner.tasks.put(task);
        return observer.taskWritten(self, task);
      }),
    list: (filter, page) => inner.tasks.list(filter, page),
    count: (filter) => inner.tasks.count(filter),
    // Only STOPPED tasks go, and they hold nothing on any instance.
    deleteStoppedBefore: (before, limit) => inner.tasks.deleteStoppedBefore(before, limit),
  };
  const containerInstances: ContainerInstanceStore = {
    get: (arn) => inner.containerInstances.get(arn),
    findByEc2InstanceId: (clusterArn, id) => inner.containerInstances.findByEc2InstanceId(clusterArn, id),
    put: (clusterArn, instance) =>
      write(clusterArn, async () => {
        await inner.containerInstances.put(clusterArn, instance);
        return observer.instanceWritten(clusterArn, instance);
      }),
    list: (filter, page) => inner.containerInstances.list(filter, page),
    count: (filter) => inner.containerInstances.count(filter),
  };
  const self: Store = {
    clusters: inner.clusters,
    taskDefinitions: inner.taskDefinitions,
    containerInstances,
    tasks,
    services: inner.services,
    tags: inner.tags,
    accessKeys: inner.accessKeys,
    activations: inner.activations,
    managedInstances: inner.managedInstances,
    clientTokens: inner.clientTokens,
    stateChanges: inner.stateChanges,
    async transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
      const writes: Writes<E> = new Map();
      let committed = false;
      try {
        const result = await inner.transaction((t) => work(observed(t, observer, writes)));
        committed = true;
        return result;
      } finally {
        for (const [clusterArn, effects] of writes) observer.end(clusterArn, committed ? effects : undefined);
      }
    },
    close: () => inner.close(),
  };
  return self;
}

/** What a transaction wrote so far, per cluster: their `end` waits for its outcome. */
type Writes<E> = Map<string, E[]>;

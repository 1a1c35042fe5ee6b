/**
 * The change bus: one per server, the only wire between the parts that change state (operations, the
 * service controller) and the parts that react (agent delivery, the service controller, agent sessions).
 * A change is announced only after the transaction that made it committed, so a listener that reads the store
 * sees it. Listeners run synchronously, and a throwing one never fails the request that announced the change.
 *
 * Events carry only a key (an instance, a cluster): a listener re-reads what it needs, which keeps events
 * idempotent (two changes in a row may be handled as one) and the store the single source of truth.
 */

/** What use cases and operations may announce. */
export interface ChangeSink {
  /** A task was placed on the container instance, or one of its tasks was asked to stop. */
  tasksChanged(containerInstanceArn: string): void;
  /** Something a cluster's services depend on changed: a service, an instance, a service task's status. */
  clusterChanged(clusterArn: string): void;
  /** A managed instance (`mi-...`) was deregistered: its agent sessions must close. */
  instanceDeregistered(instanceId: string): void;
  /** A container instance was deregistered (DeregisterContainerInstance): its agent session must close. */
  containerInstanceDeregistered(containerInstanceArn: string): void;
}

type Listener = (key: string) => void;
type Topic = keyof ChangeSink;

export class ChangeBus implements ChangeSink {
  readonly #listeners: Record<Topic, Set<Listener>> = {
    tasksChanged: new Set(),
    clusterChanged: new Set(),
    instanceDeregistered: new Set(),
    containerInstanceDeregistered: new Set(),
  };

  /** @param reportListenerError where a throwing listener's error goes (the server logs it). */
  constructor(private readonly reportListenerError: (err: unknown) => void = () => {}) {}

  /** Subscribes to one kind of change; returns the function that unsubscribes. */
  on(topic: Topic, listener: Listener): () => void {
    const set = this.#listeners[topic];
    set.add(listener);
    return () => set.delete(listener);
  }

  tasksChanged(containerInstanceArn: string): void {
    this.#emit('tasksChanged', containerInstanceArn);
  }

  clusterChanged(clusterArn: string): void {
    this.#emit('clusterChanged', clusterArn);
  }

  instanceDeregistered(instanceId: string): void {
    this.#emit('instanceDeregistered', instanceId);
  }

  containerInstanceDeregistered(containerInstanceArn: string): void {
    this.#emit('containerInstanceDeregistered', containerInstanceArn);
  }

  #emit(topic: Topic, key: string): void {
    for (const listener of [...this.#listeners[topic]]) {
      try {
        listener(key);
      } catch (err) {
        this.reportListenerError(err);
      }
    }
  }
}

/**
 * In-process notifications about managed instances, so that parts of the control plane that hold state about
 * an instance (the agent gateway's live sessions) can react at once, e.g. close the session of an instance an
 * administrator just deregistered. One per server; listeners run synchronously after the change committed.
 */
import type { InstanceEventSink } from './operations/operation.js';

export type DeregisteredListener = (instanceId: string) => void;

export class InstanceEvents implements InstanceEventSink {
  private readonly onDeregistered = new Set<DeregisteredListener>();

  /** @param reportListenerError a throwing listener must not fail the request that announced the event. */
  constructor(private readonly reportListenerError: (err: unknown) => void = () => {}) {}

  /** Subscribes to deregistrations; returns the function that unsubscribes. */
  onInstanceDeregistered(listener: DeregisteredListener): () => void {
    this.onDeregistered.add(listener);
    return () => this.onDeregistered.delete(listener);
  }

  deregistered(instanceId: string): void {
    for (const listener of [...this.onDeregistered]) {
      try {
        listener(instanceId);
      } catch (err) {
        this.reportListenerError(err);
      }
    }
  }
}

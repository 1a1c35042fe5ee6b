/**
 * Keeps each container instance's `agentConnected` equal to "the gateway holds a session for it", and
 * records when it last changed each way (`domain/instance-record.ts`): what task connectivity, the
 * instance's statusReason and the cluster's statistics show.
 *
 * Writes are serialised per instance and each one reads the gateway's current view when it runs, not when it
 * was asked for: a session that closes just as its replacement opens (a quick reconnect) can therefore never
 * leave the flag false while the new session lives. A change bumps the record's `version`, as in ECS. The
 * time recorded is when the write runs, a moment after the session opened or closed.
 */
import type { Logger } from 'pino';
import { withAgentConnected } from '../../domain/instance-record.js';
import type { Store } from '../store/types.js';

export class AgentConnectedWriter {
  readonly #store: Store;
  readonly #log: Logger;
  readonly #isConnected: (containerInstanceArn: string) => boolean;
  readonly #now: () => Date;
  readonly #chains = new Map<string, Promise<string | undefined>>();

  constructor(
    store: Store,
    log: Logger,
    isConnected: (containerInstanceArn: string) => boolean,
    now: () => Date,
  ) {
    this.#store = store;
    this.#log = log;
    this.#isConnected = isConnected;
    this.#now = now;
  }

  /**
   * Brings the instance's flag in line with the gateway. Resolves (never rejects) when written, with the
   * instance's status, `undefined` when the record is gone or could not be read.
   */
  sync(clusterArn: string, containerInstanceArn: string): Promise<string | undefined> {
    const previous = this.#chains.get(containerInstanceArn) ?? Promise.resolve(undefined);
    const next: Promise<string | undefined> = previous
      .then(() => this.#write(clusterArn, containerInstanceArn))
      .catch((err: unknown) => {
        this.#log.error({ err, containerInstanceArn }, 'could not update agentConnected');
        return undefined;
      })
      .finally(() => {
        if (this.#chains.get(containerInstanceArn) === next) this.#chains.delete(containerInstanceArn);
      });
    this.#chains.set(containerInstanceArn, next);
    return next;
  }

  /** Resolves when every write asked for so far is done. */
  async drain(): Promise<void> {
    while (this.#chains.size > 0) await Promise.all(this.#chains.values());
  }

  /** A deregistered instance is never connected, whatever sessions exist (the gateway then closes them). */
  #write(clusterArn: string, arn: string): Promise<string | undefined> {
    return this.#store.transaction(async (tx) => {
      const record = await tx.containerInstances.get(arn);
      if (record === undefined) return undefined;
      const connected = this.#isConnected(arn) && record.status !== 'INACTIVE';
      const changed = withAgentConnected(record, connected, this.#now());
      if (changed !== undefined) await tx.containerInstances.put(clusterArn, changed);
      return record.status;
    });
  }

  /**
   * Marks every instance disconnected: sessions do not survive a restart of the control plane, and one that
   * crashed left its flags as they were. Run before the server accepts sessions. (With several replicas
   * sharing one database this must become per-replica ownership; today there is one.) The disconnection is
   * recorded at this start: when the previous process lost its sessions is not known.
   */
  async resetAll(): Promise<number> {
    const now = this.#now();
    let reset = 0;
    let after: string | undefined;
    do {
      const clusters = await this.#store.clusters.listActive({
        limit: 100,
        ...(after !== undefined && { after }),
      });
      for (const cluster of clusters.items) {
        const clusterArn = cluster.clusterArn;
        let instanceAfter: string | undefined;
        do {
          const page = await this.#store.containerInstances.list(
            { clusterArn },
            { limit: 100, ...(instanceAfter !== undefined && { after: instanceAfter }) },
          );
          for (const instance of page.items) {
            const disconnected = withAgentConnected(instance, false, now);
            if (disconnected === undefined) continue;
            await this.#store.containerInstances.put(clusterArn, disconnected);
            reset += 1;
          }
          instanceAfter = page.nextKey;
        } while (instanceAfter !== undefined);
      }
      after = clusters.nextKey;
    } while (after !== undefined);
    return reset;
  }
}

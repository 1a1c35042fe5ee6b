/**
 * What a use case is given for one request: the store, who is calling, the clock, and the narrow ports of the
 * rest of the control plane it may use. Operations build nothing of this; the front door does, per request.
 */
import type { Logger } from 'pino';
import type { Arns } from '../ecs/arn.js';
import type { ClusterSnapshot } from '../scheduler/index.js';
import type { Caller } from './auth/caller.js';
import type { SecretBox } from './auth/secret-box.js';
import type { ChangeSink } from './events.js';
import type { LogStore } from './logs-store/types.js';
import type { Store } from './store/types.js';

export interface RequestContext {
  readonly store: Store;
  readonly arns: Arns;
  readonly caller: Caller;
  readonly requestId: string;
  readonly log: Logger;
  /** The clock; injected so tests can move time. */
  readonly now: () => Date;
  readonly runtime: Runtime;
  /** A request header by lower-case name (first value), for the few operations with a header contract. */
  readonly header: (name: string) => string | undefined;
}

/** Control-plane facilities beyond the store, for the few use cases that need them. */
export interface Runtime {
  /** Seals the secrets of the access keys an operation issues (RequestManagedInstanceRoleToken). */
  readonly secretBox: SecretBox;
  /** Lifetime of instance credentials, in milliseconds. */
  readonly credentialLifetimeMs: number;
  /** The URL agents reach this control plane at, ending in `/` (DiscoverPollEndpoint). */
  readonly publicUrl: string;
  /**
   * How recently a managed instance must have been heard from to be `Online` in DescribeInstanceInformation:
   * the agent session timeout, so PingStatus and `agentConnected` agree.
   */
  readonly pingTimeoutMs: number;
  /** The server's change bus: announce a change after the transaction that made it committed. */
  readonly changes: ChangeSink;
  /** The scheduler's view of a cluster, for the applier (`snapshots/cache.ts` implements it). */
  readonly snapshots: SnapshotSource;
  /** CloudWatch Logs data, in its own store. */
  readonly logs: LogsRuntime;
}

export interface LogsRuntime {
  readonly store: LogStore;
  /** Asks for the size cap to be enforced after an append (runs after the call, in the background). */
  appended(): void;
}

/** Where appliers get a cluster's snapshot: always read inside the transaction that commits the plan. */
export interface SnapshotSource {
  get(tx: Store, clusterArn: string): Promise<ClusterSnapshot>;
}

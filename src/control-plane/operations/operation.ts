/**
 * What an API operation is: a name, who may call it, and a handler from validated input to output.
 * One file per operation defines one of these; `api/<service>/index.ts` lists them.
 */
import type { Logger } from 'pino';
import type { SecretBox } from '../auth/secret-box.js';
import type { Arns } from '../../ecs/arn.js';
import type { ErrorCode } from '../../ecs/errors.js';
import type { ServiceModel } from '../../ecs/model/index.js';
import type { ClusterSnapshot } from '../../scheduler/index.js';
import type { Store } from '../store/types.js';

/** Who signed the request. */
export interface Caller {
  readonly accessKeyId: string;
  readonly principalArn: string;
  /** `anonymous`: an unsigned request to an `anonymous` operation (accessKeyId is then empty). */
  readonly kind: 'admin' | 'instance' | 'anonymous';
  /** For instance credentials and instance-key signatures: the managed instance (`mi-...`) the caller is. */
  readonly instanceId?: string;
}

export interface RequestContext {
  readonly store: Store;
  readonly arns: Arns;
  readonly caller: Caller;
  readonly requestId: string;
  readonly log: Logger;
  /** The clock; injected so tests can move time. */
  readonly now: () => Date;
  readonly runtime: Runtime;
}

/** Control-plane facilities beyond the store, for the few operations that need them. */
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
  /** Tells the rest of the process about managed instances, e.g. that one was deregistered. */
  readonly instanceEvents: InstanceEventSink;
  /** Tells the agent gateway that the tasks of a container instance changed (placed, asked to stop). */
  readonly taskEvents: TaskEventSink;
  /** Tells the service controller that something its services depend on changed in a cluster. */
  readonly serviceEvents: ServiceEventSink;
  /** The scheduler's view of a cluster, for the applier (`server/cluster-snapshots.ts` implements it). */
  readonly snapshots: SnapshotSource;
}

/** Where appliers get a cluster's snapshot: always read inside the transaction that commits the plan. */
export interface SnapshotSource {
  get(tx: Store, clusterArn: string): Promise<ClusterSnapshot>;
}

/** What operations may announce; `server/instance-events.ts` implements it. */
export interface InstanceEventSink {
  deregistered(instanceId: string): void;
}

/** What operations may announce about tasks; `server/task-events.ts` implements it. */
export interface TaskEventSink {
  /** Call after the transaction that changed the instance's tasks committed. */
  emitChanged(containerInstanceArn: string): void;
}

/**
 * What operations may announce to the service controller: a service was created, updated or deleted, a task
 * reported a new status, an instance changed. `server/service-controller.ts` implements it.
 */
export interface ServiceEventSink {
  /** Call after the transaction that made the change committed. */
  changed(clusterArn: string): void;
}

/**
 * Who may call an operation, and how the request must be authenticated:
 * - `admin`: SigV4 with administrator keys only;
 * - `agent`: SigV4 with administrator keys or instance credentials (their own resources only; the operation
 *   checks which);
 * - `anonymous`: no signature at all (RegisterManagedInstance, whose activation code is the credential);
 * - `instance-key`: signed with a managed instance's private key (`auth/instance-key.ts`).
 */
export type Access = 'admin' | 'agent' | 'anonymous' | 'instance-key';

export interface Operation<I = never, O = unknown> {
  readonly name: string;
  readonly access: Access;
  /** `input` has passed the service model's shape validation. */
  handle(input: I, ctx: RequestContext): Promise<O>;
}

/**
 * Operations are typed with their @aws-sdk input and output shapes; the registry holds them erased (method
 * parameters are bivariant). That is sound because the dispatcher validates every body against the service
 * model before calling `handle`.
 */
export function defineOperation<I, O>(op: Operation<I, O>): Operation<unknown, unknown> {
  return op;
}

export interface ServiceDefinition {
  /** The X-Amz-Target prefix, e.g. `AmazonEC2ContainerServiceV20141113`. */
  readonly targetPrefix: string;
  /** The SigV4 signing name, e.g. `ecs`. */
  readonly signingName: string;
  readonly model: ServiceModel;
  readonly operations: ReadonlyMap<string, Operation<unknown, unknown>>;
  /** The service's own name for an unexpected failure; ECS's `ServerException` when unset. */
  readonly internalErrorCode?: ErrorCode;
}

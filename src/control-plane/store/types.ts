/**
 * The store's narrow interfaces: one per aggregate, shaped so that any SQL backend (SQLite now, PostgreSQL
 * later) can implement them and pass the same conformance suite (`store/conformance.test.ts`).
 *
 * Clusters, container instances, tasks and services are the control plane's records (`domain/*-record.ts`):
 * ECS's members plus Berth's own state, never what is derived at read time (cluster counters, for example).
 * `get` returns `undefined` for a missing record; nothing here
 * throws ApiErrors — turning absence into `ClusterNotFoundException` and friends is the API layer's job.
 * Lists are ordered by a stable sort key and paginated by "after this key", so pages survive writes.
 */
import type { Failure, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import type { ClusterRecord } from '../../domain/cluster-record.js';
import type { InstanceRecord } from '../../domain/instance-record.js';
import type { ServiceRecord } from '../../domain/service-record.js';
import type { DesiredStatus, InstanceStatus, LastStatus, ServiceStatus } from '../../domain/status.js';
import type { TaskRecord } from '../../domain/task-record.js';

export interface PageRequest {
  /** Sort key of the last item of the previous page. */
  readonly after?: string;
  readonly limit: number;
}

export interface Page<T> {
  readonly items: T[];
  /** Sort key of the last item when more may follow. */
  readonly nextKey?: string;
}

export interface ClusterStore {
  get(arn: string): Promise<ClusterRecord | undefined>;
  /** Inserts or replaces the cluster with the same ARN. */
  put(cluster: ClusterRecord): Promise<void>;
  /** ACTIVE clusters ordered by ARN. */
  listActive(page: PageRequest): Promise<Page<ClusterRecord>>;
}

export interface TaskDefinitionFilter {
  /** Exactly this family (ListTaskDefinitions' `familyPrefix` is, despite its name, an exact family). */
  readonly family?: string;
  readonly familyPrefix?: string;
  /** ACTIVE, INACTIVE or DELETE_IN_PROGRESS; undefined means any. */
  readonly status?: string;
}

export type TaskDefinitionFamilyStatus = 'ACTIVE' | 'INACTIVE';

export interface TaskDefinitionStore {
  get(family: string, revision: number): Promise<TaskDefinition | undefined>;
  /** Highest ACTIVE revision of the family. */
  latestActive(family: string): Promise<TaskDefinition | undefined>;
  /**
   * Reserves the next revision number of a family. Revisions only ever grow: deregistered and deleted
   * revisions keep their numbers, as in ECS.
   */
  reserveRevision(family: string): Promise<number>;
  put(definition: TaskDefinition): Promise<void>;
  /**
   * Ordered by family (code-point order, so `web` before `web-api`), then numeric revision; `descending`
   * reverses both. Page keys: `family:0000000042`.
   */
  list(filter: TaskDefinitionFilter, descending: boolean, page: PageRequest): Promise<Page<TaskDefinition>>;
  /**
   * Families ordered by name, filtered by ECS's family status: ACTIVE = at least one ACTIVE revision,
   * INACTIVE = no ACTIVE revision (only INACTIVE or DELETE_IN_PROGRESS ones), undefined = every family.
   */
  listFamilies(
    familyPrefix: string | undefined,
    status: TaskDefinitionFamilyStatus | undefined,
    page: PageRequest,
  ): Promise<Page<string>>;
}

export interface ContainerInstanceFilter {
  readonly clusterArn: string;
  /** Only these statuses; undefined means any. */
  readonly statuses?: readonly InstanceStatus[];
  /** Only instances whose `agentConnected` is this (a record without the flag counts as false). */
  readonly agentConnected?: boolean;
}

export interface ContainerInstanceStore {
  get(arn: string): Promise<InstanceRecord | undefined>;
  findByEc2InstanceId(clusterArn: string, ec2InstanceId: string): Promise<InstanceRecord | undefined>;
  put(clusterArn: string, instance: InstanceRecord): Promise<void>;
  /** Ordered by ARN. */
  list(filter: ContainerInstanceFilter, page: PageRequest): Promise<Page<InstanceRecord>>;
  count(filter: ContainerInstanceFilter): Promise<number>;
}

export interface TaskFilter {
  readonly clusterArn: string;
  readonly containerInstanceArn?: string;
  readonly family?: string;
  readonly startedBy?: string;
  readonly group?: string;
  readonly desiredStatus?: DesiredStatus;
  readonly lastStatus?: LastStatus;
  /** Tasks whose lastStatus is anything but this, e.g. `STOPPED` for the tasks still holding resources. */
  readonly lastStatusNot?: LastStatus;
  readonly launchType?: string;
}

export interface TaskStore {
  get(arn: string): Promise<TaskRecord | undefined>;
  put(task: TaskRecord): Promise<void>;
  /** Ordered by ARN. */
  list(filter: TaskFilter, page: PageRequest): Promise<Page<TaskRecord>>;
  count(filter: TaskFilter): Promise<number>;
  /**
   * Deletes up to `limit` STOPPED tasks (any cluster) that stopped before `before` (by `stoppedAt`, or
   * `executionStoppedAt` or `createdAt` when a record lacks it), with their recorded state changes
   * (`StateChangeStore`); returns their ARNs. Run it in a transaction, so that both go or neither.
   */
  deleteStoppedBefore(before: Date, limit: number): Promise<string[]>;
}

/** A container's part of a recorded state change. */
export interface RecordedContainerChange {
  readonly containerName: string;
  readonly status?: string;
  readonly exitCode?: number;
  readonly reason?: string;
  /** Restarts under the container's restart policy so far, as the agent counted them. */
  readonly restartCount?: number;
}

/**
 * One state change report of an agent (SubmitTaskStateChange with Berth's `seq`), exactly as it arrived: the
 * history of a task as its host saw it, including what happened while the host was cut off.
 */
export interface StateChangeRecord {
  readonly containerInstanceArn: string;
  /** The report's number in the agent's durable queue: unique and growing per container instance. */
  readonly seq: number;
  readonly taskArn: string;
  readonly clusterArn: string;
  /** The task status reported (PENDING, RUNNING, STOPPED), if any. */
  readonly status?: string;
  readonly reason?: string;
  readonly containers: readonly RecordedContainerChange[];
  /** When it happened, by the host's clock. */
  readonly at: Date;
  /** When the control plane received it. */
  readonly receivedAt: Date;
}

/**
 * The record of agents' state changes, one per (container instance, seq), in seq order; page keys are seqs.

 */
export interface StateChangeStore {
  /** Records a change; false, changing nothing, when its (containerInstanceArn, seq) is already recorded. */
  record(change: StateChangeRecord): Promise<boolean>;
  get(containerInstanceArn: string, seq: number): Promise<StateChangeRecord | undefined>;
  /** A task's changes, in seq order. */
  listByTask(taskArn: string, page: PageRequest): Promise<Page<StateChangeRecord>>;
  /** A container instance's changes, in seq order. */
  listByContainerInstance(containerInstanceArn: string, page: PageRequest): Promise<Page<StateChangeRecord>>;
}

export interface ServiceFilter {
  readonly clusterArn: string;
  /** Only these statuses; undefined means any. */
  readonly statuses?: readonly ServiceStatus[];
  readonly schedulingStrategy?: string;
  readonly launchType?: string;
}

/**
 * Services, one record per ARN (`service/<cluster>/<name>`): a service created again under the name of an
 * INACTIVE one replaces it, as in ECS, where the name is unique only among ACTIVE and DRAINING services.
 */
export interface ServiceStore {
  get(arn: string): Promise<ServiceRecord | undefined>;
  /** Inserts or replaces the service with the same ARN. */
  put(service: ServiceRecord): Promise<void>;
  /** Ordered by ARN. */
  list(filter: ServiceFilter, page: PageRequest): Promise<Page<ServiceRecord>>;
  count(filter: ServiceFilter): Promise<number>;
}

/** A stored tag: what TagResource accepted, so it always has its key and value. */
export interface StoredTag {
  key: string;
  value: string;
}

export interface TagStore {
  list(resourceArn: string): Promise<StoredTag[]>;
  /** Adds or overwrites the given keys. */
  put(resourceArn: string, tags: readonly Tag[]): Promise<void>;
  remove(resourceArn: string, keys: readonly string[]): Promise<void>;
}

export const PRINCIPAL_KINDS = ['admin', 'instance'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

/** An access key the control plane issued. The secret is kept encrypted; see auth/secret-box.ts. */
export interface AccessKeyRecord {
  readonly accessKeyId: string;
  readonly encryptedSecret: string;
  readonly principalArn: string;
  readonly kind: PrincipalKind;
  readonly createdAt: Date;
  /** For short-lived credentials. */
  readonly expiresAt?: Date;
  /** SHA-256 of the session token that must accompany this key, when it is a temporary one. */
  readonly sessionTokenHash?: string;
  /** For instance credentials: the managed instance (`mi-...`) they were issued to. */
  readonly instanceId?: string;
}

export interface AccessKeyStore {
  get(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  put(record: AccessKeyRecord): Promise<void>;
  delete(accessKeyId: string): Promise<void>;
  countByKind(kind: PrincipalKind): Promise<number>;
  /** Revokes every key issued to a managed instance. */
  deleteByInstance(instanceId: string): Promise<void>;
  /** Forgets the keys of a managed instance that expired before `before`; returns how many. */
  deleteExpiredByInstance(instanceId: string, before: Date): Promise<number>;
}

/**
 * An SSM hybrid activation. Only a SHA-256 of its code is kept: the code is a bearer secret shown once, at
 * creation, like a password.
 */
export interface ActivationRecord {
  readonly activationId: string;
  readonly codeHash: string;
  readonly iamRole: string;
  readonly description?: string;
  readonly defaultInstanceName?: string;
  readonly registrationLimit: number;
  readonly registrationsCount: number;
  readonly expirationDate: Date;
  readonly createdDate: Date;
}

/** Every given list narrows the result (values within one list are alternatives). */
export interface ActivationFilter {
  readonly activationIds?: readonly string[];
  readonly defaultInstanceNames?: readonly string[];
  readonly iamRoles?: readonly string[];
}

export interface ActivationStore {
  get(activationId: string): Promise<ActivationRecord | undefined>;
  /** Inserts a new activation; an existing id is an error. */
  create(activation: ActivationRecord): Promise<void>;
  /**
   * Counts one registration if the limit allows it, atomically (a conditional update, so two concurrent
   * registrations can never both take the last place). Returns false, changing nothing, at the limit or
   * when the activation does not exist.
   */
  countRegistration(activationId: string): Promise<boolean>;
  delete(activationId: string): Promise<boolean>;
  /** Ordered by creation time, then id. */
  list(filter: ActivationFilter, page: PageRequest): Promise<Page<ActivationRecord>>;
}

/** A host registered through an activation (SSM's "managed instance", id `mi-` + 17 hex digits). */
export interface ManagedInstanceRecord {
  readonly instanceId: string;
  readonly activationId: string;
  readonly iamRole: string;
  /** The activation's DefaultInstanceName. */
  readonly name?: string;
  /** Base64 DER SubjectPublicKeyInfo of the key the instance proves its identity with. */
  readonly publicKey: string;
  readonly publicKeyType: string;
  readonly fingerprint: string;
  readonly registrationDate: Date;
  readonly computerName?: string;
  readonly ipAddress?: string;
  readonly platformName?: string;
  readonly platformVersion?: string;
  readonly agentVersion?: string;
  /** When its agent was last heard from (kept apart from the document: it changes on every heartbeat). */
  readonly lastPingDateTime?: Date;
  /** Set by DeregisterManagedInstance; such an instance can never obtain credentials again. */
  readonly deregisteredAt?: Date;
}

export interface ManagedInstanceFilter {
  readonly instanceIds?: readonly string[];
  readonly activationIds?: readonly string[];
  readonly iamRoles?: readonly string[];
  readonly agentVersions?: readonly string[];
  /** true: pinged at or after `pingedSince`; false: never pinged or before it. */
  readonly pinged?: { readonly since: Date; readonly online: boolean };
  /** Deregistered instances are left out unless this is set. */
  readonly includeDeregistered?: boolean;
}

export interface ManagedInstanceStore {
  get(instanceId: string): Promise<ManagedInstanceRecord | undefined>;
  /** The instance holding this public key, registered or not. */
  findByPublicKey(publicKey: string): Promise<ManagedInstanceRecord | undefined>;
  /** Inserts or replaces the instance with the same id (its last ping is kept apart; see `recordPing`). */
  put(instance: ManagedInstanceRecord): Promise<void>;
  /** Sets the last ping time; false when there is no such instance. */
  recordPing(instanceId: string, at: Date): Promise<boolean>;
  /** Ordered by instance id. */
  list(filter: ManagedInstanceFilter, page: PageRequest): Promise<Page<ManagedInstanceRecord>>;
  count(filter: ManagedInstanceFilter): Promise<number>;
}

/**
 * What an idempotent request (one with a `clientToken`) did, so a retry returns the same result and a reuse
 * of the token with other parameters can be told apart (ConflictException).
 */
export interface ClientTokenRecord {
  /** The operation the token belongs to, e.g. `RunTask`: tokens of different operations never meet. */
  readonly scope: string;
  readonly token: string;
  /** A digest of the request's parameters, the token left out. */
  readonly requestHash: string;
  /** What the request created, e.g. task ARNs (ConflictException's `resourceIds`). */
  readonly resourceIds: readonly string[];
  /** The rest of the original answer the retry must repeat, e.g. RunTask's `failures`. */
  readonly failures: readonly Failure[];
  readonly createdAt: Date;
}

export interface ClientTokenStore {
  get(scope: string, token: string): Promise<ClientTokenRecord | undefined>;
  /**
   * Records a token's result; false, changing nothing, when the token is already recorded for this scope
   * (so two writers racing on one token can never both succeed).
   */
  create(record: ClientTokenRecord): Promise<boolean>;
}

export interface Store {
  readonly clusters: ClusterStore;
  readonly taskDefinitions: TaskDefinitionStore;
  readonly containerInstances: ContainerInstanceStore;
  readonly tasks: TaskStore;
  readonly services: ServiceStore;
  readonly tags: TagStore;
  readonly accessKeys: AccessKeyStore;
  readonly activations: ActivationStore;
  readonly managedInstances: ManagedInstanceStore;
  readonly clientTokens: ClientTokenStore;
  readonly stateChanges: StateChangeStore;
  /**
   * Runs `work` in one transaction: it sees its own writes, and either all of them are committed
   * (durably, before the promise resolves) or none. Transactions never nest.
   */
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

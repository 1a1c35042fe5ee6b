/**
 * The seams between the agent's parts that deal with tasks:
 *
 *   session (PayloadMessage) --> TaskStateStore.save --> AckRequest      (delivery: durable before ack)
 *                            \-> TaskEngine.accept                       (engine: one loop per task)
 *   TaskEngine --> StateChangeReporter.report --> SubmitTaskStateChange  (reporting: ordered, retried)
 *
 * The engine alone writes a task's known statuses; the control plane alone sets desired status (it arrives
 * in payloads); the reporter alone records what was sent. Pure types: no I/O.
 */
import type { AcsTask } from '../../acs/payload.js';
import type { KnownStatus } from '../../domain/status.js';

export interface NetworkBinding {
  readonly bindIP: string;
  readonly containerPort: number;
  readonly hostPort: number;
  readonly protocol: 'tcp' | 'udp';
}

export interface ContainerState {
  readonly name: string;
  /** Docker container id once created. */
  readonly runtimeId?: string;
  readonly knownStatus: KnownStatus;
  readonly exitCode?: number;
  /** Why it stopped or failed, e.g. "CannotPullContainerError: ...". At most 1024 characters. */
  readonly reason?: string;
  readonly networkBindings?: readonly NetworkBinding[];
  readonly healthStatus?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  readonly imageDigest?: string;
  /** Times restarted by its restart policy. */
  readonly restartCount?: number;
  /**
   * When it exited, by Docker's clock (epoch ms): an exit the agent learns of late (it was not running, or
   * busy) still dates the task's stop from the moment it happened.
   */
  readonly finishedAt?: number;
}

/** Everything the agent keeps about one task, persisted so a restarted agent can carry on. */
export interface TaskState {
  /** The task as last delivered by the control plane (desired status included). */
  readonly task: AcsTask;
  readonly knownStatus: KnownStatus;
  readonly containers: readonly ContainerState[];
  readonly pullStartedAt?: number;
  readonly pullStoppedAt?: number;
  readonly startedAt?: number;
  readonly executionStoppedAt?: number;
  /** Set when the task is stopped, e.g. "Essential container in task exited". */
  readonly stoppedReason?: string;
  readonly stopCode?: string;
}

/** Durable per-task state on the host. `save` resolves only once the state is on disk (fsync). */
export interface TaskStateStore {
  loadAll(): Promise<TaskState[]>;
  save(state: TaskState): Promise<void>;
  remove(taskArn: string): Promise<void>;
}

/** One state change as the control plane hears it (SubmitTaskStateChange with its container changes). */
export interface TaskStateChange {
  readonly taskArn: string;
  readonly clusterArn: string;
  /** PENDING, RUNNING or STOPPED (see `backendStatus`). */
  readonly status: 'PENDING' | 'RUNNING' | 'STOPPED';
  readonly reason?: string;
  readonly stopCode?: string;
  readonly containers: readonly ContainerState[];
  readonly pullStartedAt?: number;
  readonly pullStoppedAt?: number;
  readonly startedAt?: number;
  readonly executionStoppedAt?: number;
  /** When the change happened on the host (epoch ms), so late reports keep their real time. */
  readonly at: number;
  /**
   * The report's number in the durable report queue, set by the queue (`reporter.ts`): unique and growing
   * for the life of the data directory, and the same when a report is sent again, so the control plane can
   * record each change once.
   */
  readonly seq?: number;
}

/** Delivers state changes to the control plane in order, retrying until acknowledged. */
export interface StateChangeReporter {
  report(change: TaskStateChange): void;
}

/** The task engine: given the delivered (already persisted) task, drives it towards its desired status. */
export interface TaskEngine {
  accept(task: AcsTask): void;
  /** Tasks the engine currently manages, by ARN, with their state. */
  tasks(): ReadonlyMap<string, TaskState>;
}

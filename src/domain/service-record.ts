/**
 * A service as the control plane keeps it: ECS's Service members (with its deployments and events), those
 * every service has required and statuses typed from `status.ts`, plus what the service controller must
 * remember between passes, `controller`. That part travels in the same document, so it is written in the
 * same transaction as the service it describes; the renderer (`operations/ecs/services/view.ts`) copies
 * only ECS's members.
 *
 * Times inside `controller` are epoch milliseconds: plain numbers compare and serialise without surprises.
 */
import type { Deployment, SchedulingStrategy, Service, ServiceEvent } from '@aws-sdk/client-ecs';
import type { DeploymentStatus, RolloutState, ServiceStatus } from './status.js';

/** What the controller remembers about one deployment. */
export interface DeploymentState {
  /** A task of the deployment has reached RUNNING: the circuit breaker is in its second stage. */
  readonly reachedRunning?: boolean;
  /** A task of the deployment has been healthy: `failedTasks` is reset and no longer evaluated (ECS). */
  readonly becameHealthy?: boolean;
  /** Consecutive tasks that went from PENDING to STOPPED without running: the launch throttle's count. */
  readonly launchFailures?: number;
  /** No task of the deployment is launched before this time (the launch throttle's delay). */
  readonly nextLaunchAt?: number;
  /**
   * A rollback deployment: live tasks of its task definition count as its own whichever deployment started
   * them, so rolling back to what is still running replaces nothing.
   */
  readonly adopts?: boolean;
}

export interface ServiceState {
  /** Per deployment id. */
  readonly deployments: Readonly<Record<string, DeploymentState>>;
  /** STOPPED tasks of the service already accounted for (failures counted); pruned as tasks are purged. */
  readonly handledStopped: readonly string[];
  /**
   * Conditions behind deduplicated events (steady state, unplaceable, throttled, ...): key -> when its event
   * was last emitted. A key disappears when its cause does, so the event is emitted again if it returns.
   */
  readonly conditions: Readonly<Record<string, number>>;
  /** The last deployment that reached COMPLETED: where the circuit breaker rolls back to. */
  readonly lastCompleted?: { readonly id: string; readonly taskDefinition: string };
  /** Tasks counted as lost in the last pass (their instance disconnected for too long). */
  readonly lostTasks: readonly string[];
  /** Digest of the CreateService request, so that repeating it returns the service instead of failing. */
  readonly createHash?: string;
}

type RequiredDeploymentMember =
  | 'id'
  | 'status'
  | 'taskDefinition'
  | 'desiredCount'
  | 'pendingCount'
  | 'runningCount'
  | 'failedTasks'
  | 'createdAt'
  | 'updatedAt'
  | 'rolloutState';

export interface DeploymentRecord extends Omit<Deployment, RequiredDeploymentMember> {
  id: string;
  status: DeploymentStatus;
  taskDefinition: string;
  desiredCount: number;
  pendingCount: number;
  runningCount: number;
  failedTasks: number;
  createdAt: Date;
  updatedAt: Date;
  rolloutState?: RolloutState;
}

type RequiredServiceMember =
  | 'serviceArn'
  | 'serviceName'
  | 'clusterArn'
  | 'status'
  | 'desiredCount'
  | 'runningCount'
  | 'pendingCount'
  | 'taskDefinition'
  | 'deployments'
  | 'events'
  | 'createdAt'
  | 'schedulingStrategy';

export interface ServiceRecord extends Omit<Service, RequiredServiceMember> {
  serviceArn: string;
  serviceName: string;
  clusterArn: string;
  status: ServiceStatus;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  taskDefinition: string;
  deployments: DeploymentRecord[];
  events: ServiceEvent[];
  createdAt: Date;
  schedulingStrategy: SchedulingStrategy;
  /** Berth's: what the service controller remembers between passes. */
  controller: ServiceState;
}

export const EMPTY_SERVICE_STATE: ServiceState = Object.freeze({
  deployments: Object.freeze({}),
  handledStopped: Object.freeze([]),
  conditions: Object.freeze({}),
  lostTasks: Object.freeze([]),
});

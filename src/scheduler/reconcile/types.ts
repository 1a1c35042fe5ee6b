/**
 * The reconciler's input and output. The input is a read-only picture of one service (its configuration,
 * deployments, tasks and what the controller remembers) and of its cluster (the placement snapshot); the
 * output is a plan with named buckets (Nomad's reconciler results): what to place, what to stop, what to
 * say, and what the deployments become. The controller's applier commits the plan in one transaction.
 */
import type { DeploymentState, ServiceState } from '../../domain/service-record.js';
import type { DesiredStatus, HealthStatus, LastStatus, StopCode } from '../../domain/status.js';
import type { StrategyRule } from '../rank/ranker.js';
import type { TaskRequirements } from '../requirements.js';
import type { ClusterSnapshot } from '../snapshot.js';

export type SchedulingStrategy = 'REPLICA' | 'DAEMON';
export type { RolloutState } from '../../domain/status.js';
import type { RolloutState } from '../../domain/status.js';

export interface ServiceSpec {
  readonly name: string;
  /** DRAINING: deleted, its tasks are being stopped. */
  readonly status: 'ACTIVE' | 'DRAINING';
  readonly schedulingStrategy: SchedulingStrategy;
  /** REPLICA only; a DAEMON service's desired count is the number of instances it belongs on. */
  readonly desiredCount: number;
  readonly minimumHealthyPercent: number;
  readonly maximumPercent: number;
  readonly circuitBreaker: { readonly enable: boolean; readonly rollback: boolean };
  /** While a task is younger than this, a failing container health check is not acted on. */
  readonly healthCheckGracePeriodMs: number;
  /** Placement (and scale-in) strategy rules, defaults already applied. */
  readonly strategies: readonly StrategyRule[];
}

export interface DeploymentView {
  readonly id: string;
  readonly status: 'PRIMARY' | 'ACTIVE';
  readonly taskDefinition: string;
  readonly failedTasks: number;
  readonly rolloutState: RolloutState;
  readonly state: DeploymentState;
  /** What one task of the deployment needs from an instance (group `service:<name>`, constraints merged). */
  readonly requirements: TaskRequirements;
  /** Whether an essential container has a health check, so that HEALTHY is what makes a task healthy. */
  readonly healthChecked: boolean;
}

/** A task of the service, live or recently stopped, as the reconciler needs it. */
export interface ServiceTask {
  readonly arn: string;
  /** The last part of the ARN, as events name tasks. */
  readonly id: string;
  /** The deployment that started it. */
  readonly startedBy?: string;
  readonly taskDefinition: string;
  /** Every task is placed when it is created. */
  readonly instanceArn: string;
  readonly lastStatus: LastStatus;
  readonly desiredStatus: DesiredStatus;
  /** From the essential containers' health checks. */
  readonly health: HealthStatus;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly stopCode?: StopCode;
}

export interface ReconcileSettings {
  /** Without a container health check, a task is healthy this long after it reached RUNNING. */
  readonly healthyAfterRunningMs: number;
  /** Replace tasks of an instance disconnected for this long; undefined: never (ECS). */
  readonly replaceDisconnectedAfterMs?: number;
  /** Consecutive launch failures before the throttle delays launches. */
  readonly throttleFreeFailures: number;
  /** The first delay; it doubles with each further failure, up to the maximum. */
  readonly throttleBaseMs: number;
  readonly throttleMaxMs: number;
  /** How long a persisting condition's event stays suppressed before it is repeated (ECS: 6 hours). */
  readonly eventRepeatMs: number;
}

export interface ReconcileInput {
  readonly now: number;
  readonly service: ServiceSpec;
  /** The PRIMARY deployment first, then the ACTIVE ones, newest first. */
  readonly deployments: readonly DeploymentView[];
  readonly tasks: readonly ServiceTask[];
  readonly snapshot: ClusterSnapshot;
  readonly state: ServiceState;
  readonly settings: ReconcileSettings;
  /** Since when each disconnected instance has been seen disconnected (epoch ms), by ARN. */
  readonly disconnectedSince: ReadonlyMap<string, number>;
  /** Seeds placement and scale-in, so a decision can be replayed. */
  readonly seed: number;
  /** Names the tasks the plan places (ids go into events); injected to keep this pure and testable. */
  readonly newTaskId: () => string;
}

export interface PlannedTask {
  readonly taskId: string;
  readonly deploymentId: string;
  readonly instanceArn: string;
  readonly gpuIds: readonly string[];
}

export interface PlannedStop {
  readonly taskArn: string;
  readonly reason: string;
}

export interface DeploymentOutcome {
  readonly id: string;
  readonly status: 'PRIMARY' | 'ACTIVE';
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
  readonly failedTasks: number;
  readonly rolloutState: RolloutState;
  /** Set when the rollout state changed in this pass. */
  readonly rolloutStateReason?: string;
  readonly state: DeploymentState;
  /** An ACTIVE deployment with no task left: it leaves the service. */
  readonly removed: boolean;
}

export interface Rollback {
  readonly failedDeploymentId: string;
  /** The last COMPLETED deployment, whose task definition the new deployment runs. */
  readonly toDeploymentId: string;
  readonly toTaskDefinition: string;
}

export interface ServicePlan {
  readonly place: readonly PlannedTask[];
  readonly stop: readonly PlannedStop[];
  /** Event messages, oldest first. */
  readonly events: readonly string[];
  readonly deployments: readonly DeploymentOutcome[];
  readonly rollback?: Rollback;
  /** The service's desired count (a DAEMON's follows its instances). */
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
  readonly state: ServiceState;
  /** A DRAINING service with no task left: it becomes INACTIVE. */
  readonly drained: boolean;
}

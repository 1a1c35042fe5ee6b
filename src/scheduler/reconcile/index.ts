/**
 * The service reconciler (pure): one service and its cluster in, a plan out. See `reconcile.ts`.
 */
export { reconcile } from './reconcile.js';
export {
  breakerThreshold,
  HEALTHY_AFTER_RUNNING_MS,
  isHealthy,
  isLive,
  maxTasks,
  minHealthyTasks,
} from './health.js';
export { daemonMatches } from './daemon.js';
export * as messages from './events.js';
export type {
  DeploymentOutcome,
  DeploymentView,
  PlannedStop,
  PlannedTask,
  ReconcileInput,
  ReconcileSettings,
  Rollback,
  RolloutState,
  SchedulingStrategy,
  ServicePlan,
  ServiceSpec,
  ServiceTask,
} from './types.js';

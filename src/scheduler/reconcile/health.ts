/**
 * When a service task counts as healthy, when as unhealthy, and the deployment limits, as ECS defines them.
 */
import type { DeploymentView, ReconcileSettings, ServiceTask } from './types.js';

/**
 * ECS: without a load balancer or a container health check, a task counts as healthy 40 seconds after it
 * reached RUNNING (DeploymentConfiguration.minimumHealthyPercent documentation). The controller takes this
 * as its default and tests shorten it.
 */
export const HEALTHY_AFTER_RUNNING_MS = 40_000;

/** ECS's circuit breaker threshold bounds: at least 10 failed tasks, at most 200 (deployment-circuit-breaker). */
export const BREAKER_MIN_THRESHOLD = 10;
export const BREAKER_MAX_THRESHOLD = 200;

/** ECS: threshold = ceil(0.5 x desired count), clamped to [10, 200] (desired 1 -> 10, 25 -> 13, 400 -> 200). */
export function breakerThreshold(desiredCount: number): number {
  return Math.min(BREAKER_MAX_THRESHOLD, Math.max(BREAKER_MIN_THRESHOLD, Math.ceil(0.5 * desiredCount)));
}

/** maximumPercent bounds RUNNING + PENDING tasks during a deployment, rounded down (ECS). */
export function maxTasks(desiredCount: number, maximumPercent: number): number {
  return Math.floor((desiredCount * maximumPercent) / 100);
}

/** minimumHealthyPercent bounds the healthy tasks during a deployment, rounded up (ECS). */
export function minHealthyTasks(desiredCount: number, minimumHealthyPercent: number): number {
  return Math.ceil((desiredCount * minimumHealthyPercent) / 100);
}

/** Live: the scheduler still wants it running and it has not stopped. */
export function isLive(task: ServiceTask): boolean {
  return task.desiredStatus === 'RUNNING' && task.lastStatus !== 'STOPPED';
}

/**
 * Healthy: RUNNING and, with a container health check, HEALTHY; without one, RUNNING for the settled time.
 */
export function isHealthy(
  task: ServiceTask,
  deployment: DeploymentView | undefined,
  now: number,
  settings: ReconcileSettings,
): boolean {
  if (task.lastStatus !== 'RUNNING') return false;
  if (deployment?.healthChecked === true) return task.health === 'HEALTHY';
  return task.startedAt !== undefined && now - task.startedAt >= settings.healthyAfterRunningMs;
}

/**
 * Unhealthy enough to replace: a container health check says UNHEALTHY and the task is past the service's
 * health check grace period (counted from when it started, or was created if it has not).
 */
export function isUnhealthy(task: ServiceTask, now: number, gracePeriodMs: number): boolean {
  if (task.health !== 'UNHEALTHY' || task.lastStatus !== 'RUNNING') return false;
  return now - (task.startedAt ?? task.createdAt) >= gracePeriodMs;
}

/**
 * Deployments as ECS shows them. A deployment id is `ecs-svc/` and 19 digits: ECS's are Java's
 * Long.MAX_VALUE minus the creation time in milliseconds (e.g. ecs-svc/9223370564341623665 was made in August
 * 2016), so newer deployments have smaller ids. Berth makes them the same way, one millisecond apart at least
 * within a process, so two deployments (and the tasks that carry their id in `startedBy`) never share one.
 */
import type { DeploymentRecord } from '../../domain/service-record.js';
import { ROLLOUT_REASON_IN_PROGRESS } from './rollout-reasons.js';

const LONG_MAX = 9_223_372_036_854_775_807n;
let lastMs = 0;

export function newDeploymentId(now: Date): string {
  lastMs = Math.max(now.getTime(), lastMs + 1);
  return `ecs-svc/${(LONG_MAX - BigInt(lastMs)).toString()}`;
}

export function newDeployment(
  id: string,
  taskDefinition: string,
  desiredCount: number,
  now: Date,
  rolloutStateReason: string = ROLLOUT_REASON_IN_PROGRESS(id),
): DeploymentRecord {
  return {
    id,
    status: 'PRIMARY',
    taskDefinition,
    desiredCount,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    createdAt: now,
    updatedAt: now,
    launchType: 'EXTERNAL',
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason,
  };
}

/**
 * What the strategy-specific deciders (`replica.ts`, `daemon.ts`) share: the input, the deployment each task
 * belongs to, where each task is, and whether the primary deployment may launch tasks now.
 */
import type { DeploymentView, PlannedStop, PlannedTask, ReconcileInput, ServiceTask } from './types.js';
import type { Condition } from './events.js';
import { isHealthy, isLive, isUnhealthy } from './health.js';

/**
 * Where a task is, as far as the service is concerned:
 * - `ok`: on an ACTIVE instance;
 * - `draining`: on a DRAINING instance: it must move, within the deployment limits;
 * - `lost`: on an instance disconnected for longer than Berth's replace-disconnected setting: not counted
 *   (it is replaced elsewhere) and not stopped (its host may come back);
 * - `gone`: on no instance of the cluster any more (deregistered): not counted, stopped.
 */
export type Whereabouts = 'ok' | 'draining' | 'lost' | 'gone';

export interface DecisionContext {
  readonly input: ReconcileInput;
  readonly primary: DeploymentView;
  readonly live: readonly ServiceTask[];
  ownerOf(task: ServiceTask): string | undefined;
  where(task: ServiceTask): Whereabouts;
  healthy(task: ServiceTask): boolean;
  unhealthy(task: ServiceTask): boolean;
  /** Not FAILED, not throttled, service not being deleted. */
  readonly launchAllowed: boolean;
  /** Scale-in victims newest first (a disconnected host came back with its tasks). */
  readonly newestFirst: boolean;
}

export interface Decision {
  readonly desired: number;
  readonly place: readonly PlannedTask[];
  readonly stop: readonly PlannedStop[];
  /** Tasks stopped for failing health checks, per deployment (they count as failed tasks). */
  readonly unhealthyStopped: readonly ServiceTask[];
  readonly conditions: readonly Condition[];
}

/** The stop reason ECS records for tasks its service scheduler stops. */
export function scalingReason(deploymentId: string): string {
  return `Scaling activity initiated by (deployment ${deploymentId})`;
}

export const FAILED_HEALTH_CHECKS_REASON = 'Task failed container health checks';

export function decisionContext(
  input: ReconcileInput,
  primary: DeploymentView,
  launchAllowed: boolean,
): DecisionContext {
  const byId = new Map(input.deployments.map((d) => [d.id, d]));
  const ownerOf = (task: ServiceTask): string | undefined => {
    // A rollback deployment takes over the live tasks of the definition it rolls back to.
    if (primary.state.adopts === true && isLive(task) && task.taskDefinition === primary.taskDefinition)
      return primary.id;
    return task.startedBy !== undefined && byId.has(task.startedBy) ? task.startedBy : undefined;
  };
  const where = (task: ServiceTask): Whereabouts => {
    const instance = input.snapshot.byArn.get(task.instanceArn);
    if (instance === undefined) return 'gone';
    if (instance.status !== 'ACTIVE') return 'draining';
    const after = input.settings.replaceDisconnectedAfterMs;
    const since = input.disconnectedSince.get(instance.arn);
    if (!instance.agentConnected && after !== undefined && since !== undefined && input.now - since >= after)
      return 'lost';
    return 'ok';
  };
  const live = input.tasks.filter(isLive);
  const previouslyLost = new Set(input.state.lostTasks);
  return {
    input,
    primary,
    live,
    ownerOf,
    where,
    healthy: (task) => {
      const owner = ownerOf(task);
      return isHealthy(task, owner === undefined ? undefined : byId.get(owner), input.now, input.settings);
    },
    unhealthy: (task) => isUnhealthy(task, input.now, input.service.healthCheckGracePeriodMs),
    launchAllowed,
    newestFirst: live.some((t) => previouslyLost.has(t.arn) && where(t) === 'ok'),
  };
}

/**
 * Stops `doomed` tasks within minimumHealthyPercent. Tasks that are not RUNNING, and tasks failing their
 * health checks, go first and freely: they serve no one. A RUNNING task goes only while what is left stays
 * at or above `minHealthy`, counted both as healthy tasks and as RUNNING ones: a task that runs but is not
 * yet healthy (young, or waiting for its first health check) is kept rather than leave the service with
 * fewer running tasks than the minimum. Returns the tasks to stop and whether one had to stay for that.
 */
export function stopWithinMinimum(
  c: DecisionContext,
  doomed: readonly ServiceTask[],
  counted: readonly ServiceTask[],
  minHealthy: number,
): { stop: ServiceTask[]; blocked: boolean } {
  const free = (t: ServiceTask) => t.lastStatus !== 'RUNNING' || c.unhealthy(t);
  const ordered = [
    ...doomed.filter(free),
    ...doomed.filter((t) => !free(t) && !c.healthy(t)),
    ...doomed.filter((t) => !free(t) && c.healthy(t)),
  ];
  const stop: ServiceTask[] = [];
  let healthyLeft = counted.filter((t) => c.healthy(t)).length;
  let runningLeft = counted.filter((t) => t.lastStatus === 'RUNNING' && !c.unhealthy(t)).length;
  let blocked = false;
  for (const task of ordered) {
    if (free(task)) {
      stop.push(task);
      continue;
    }
    const healthy = c.healthy(task);
    if ((healthy ? healthyLeft - 1 : healthyLeft) >= minHealthy && runningLeft - 1 >= minHealthy) {
      stop.push(task);
      runningLeft -= 1;
      if (healthy) healthyLeft -= 1;
    } else {
      blocked = true;
    }
  }
  return { stop, blocked };
}

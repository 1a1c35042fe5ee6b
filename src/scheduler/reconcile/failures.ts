/**
 * What the service learns from its tasks since the last pass: which deployments have tasks that reached
 * RUNNING or became healthy, and which tasks stopped on their own (not by the scheduler, not by a user).
 *
 * - `failedTasks` (circuit breaker): a task that stopped before its deployment had any healthy task counts,
 *   whether it never reached RUNNING (stage 1) or stopped or failed its health checks after (stage 2). Once
 *   the deployment has a healthy task the count is reset to 0 and no longer evaluated (ECS:
 *   "Once a service deployment has one or more successfully running tasks, the failed task count resets to
 *   zero and stops being evaluated").
 * - The launch throttle counts only tasks that went from PENDING to STOPPED (ECS: "tasks that reached
 *   RUNNING and then exit don't trigger it"); after `throttleFreeFailures` of them in a row, each further one
 *   doubles the delay before the next launch, up to `throttleMaxMs`. A healthy task resets it; a new
 *   deployment (new task definition) starts without it.
 */
import type { DeploymentState } from '../../domain/service-record.js';
import type { DecisionContext } from './context.js';

/** Stop codes of stops the service did or a user asked for: those tasks did not fail. */
const NOT_FAILURES = new Set(['ServiceSchedulerInitiated', 'UserInitiated']);

export interface DeploymentProgress {
  failedTasks: number;
  state: DeploymentState;
}

export function learn(
  c: DecisionContext,
  progress: Map<string, DeploymentProgress>,
): { handledStopped: string[] } {
  const { input } = c;
  const handled = new Set(input.state.handledStopped);
  for (const t of input.tasks) {
    if (t.lastStatus !== 'STOPPED' || handled.has(t.arn)) continue;
    handled.add(t.arn);
    const d = t.startedBy === undefined ? undefined : progress.get(t.startedBy);
    if (d === undefined || NOT_FAILURES.has(t.stopCode ?? '')) continue;
    countFailure(d);
    if (t.startedAt === undefined) countLaunchFailure(c, d);
  }
  for (const t of c.live) {
    const owner = c.ownerOf(t);
    const d = owner === undefined ? undefined : progress.get(owner);
    if (d === undefined) continue;
    if (t.lastStatus === 'RUNNING' && d.state.reachedRunning !== true)
      d.state = { ...d.state, reachedRunning: true };
    if (c.healthy(t) && d.state.becameHealthy !== true) {
      d.failedTasks = 0;
      const { launchFailures: _f, nextLaunchAt: _n, ...rest } = d.state;
      d.state = { ...rest, reachedRunning: true, becameHealthy: true };
    }
  }
  // Keep only tasks the store still has: the rest were purged and can never be seen again.
  const present = new Set(input.tasks.map((t) => t.arn));
  return { handledStopped: [...handled].filter((arn) => present.has(arn)) };
}

/** A task stopped by the scheduler for failing its health checks also counts as failed. */
export function countUnhealthy(progress: Map<string, DeploymentProgress>, owner: string | undefined): void {
  const d = owner === undefined ? undefined : progress.get(owner);
  if (d !== undefined) countFailure(d);
}

function countFailure(d: DeploymentProgress): void {
  if (d.state.becameHealthy !== true) d.failedTasks += 1;
}

function countLaunchFailure(c: DecisionContext, d: DeploymentProgress): void {
  const s = c.input.settings;
  const failures = (d.state.launchFailures ?? 0) + 1;
  const beyond = failures - s.throttleFreeFailures;
  const delay = beyond > 0 ? Math.min(s.throttleMaxMs, s.throttleBaseMs * 2 ** (beyond - 1)) : 0;
  d.state = {
    ...d.state,
    launchFailures: failures,
    ...(delay > 0 && { nextLaunchAt: c.input.now + delay }),
  };
}

/**
 * Service event messages in ECS's exact words (Developer Guide, "Service event messages"), and the rule that a
 * message whose cause persists is not repeated: a condition's event is emitted when the condition appears,
 * then at most once per `eventRepeatMs` (ECS: 6 hours) while it lasts.
 */
import { REASONS } from '../reasons.js';
import type { PlacementFailure } from '../place.js';
import { REJECTION_ORDER } from '../stack.js';

const TROUBLESHOOTING = 'For more information, see the Troubleshooting section.';

export function steadyState(service: string): string {
  return `(service ${service}) has reached a steady state.`;
}

export function startedTasks(service: string, taskIds: readonly string[]): string {
  return `(service ${service}) has started ${taskIds.length} tasks: ${taskIds.map((id) => `(task ${id})`).join(' ')}.`;
}

export function stoppedTasks(service: string, taskIds: readonly string[]): string {
  return `(service ${service}) has stopped ${taskIds.length} running tasks: ${taskIds.map((id) => `(task ${id})`).join(' ')}.`;
}

export function unableToStartConsistently(service: string): string {
  return `(service ${service}) is unable to consistently start tasks successfully.`;
}

export function blockedByDeploymentConfiguration(service: string): string {
  return (
    `(service ${service}) was unable to stop or start tasks during a deployment because of the service ` +
    'deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.'
  );
}

export function failedHealthChecks(service: string, taskId: string): string {
  return `(service ${service}) (task ${taskId}) failed container health checks.`;
}

export function deploymentCompleted(service: string, deploymentId: string): string {
  return `(service ${service}) (deployment ${deploymentId}) deployment completed.`;
}

export function deploymentFailed(service: string, deploymentId: string): string {
  return `(service ${service}) (deployment ${deploymentId}) deployment failed: tasks failed to start.`;
}

export function rollingBack(service: string, deploymentId: string): string {
  return `(service ${service}) rolling back to deployment ${deploymentId}.`;
}

/** Rollout state reasons as ECS words them on the Deployment object. */
export const ROLLOUT_REASONS = {
  inProgress: (id: string) => `ECS deployment ${id} in progress.`,
  completed: (id: string) => `ECS deployment ${id} completed.`,
  failed: 'ECS deployment circuit breaker: tasks failed to start.',
  rollback: (id: string) => `ECS deployment circuit breaker: rolling back to deploymentId ${id}.`,
} as const;

/** What ECS says the closest instance lacked, by Berth's failure reason. */
const CLOSEST_PHRASES: Readonly<Record<string, string>> = {
  [REASONS.cpu]: 'has insufficient CPU units available.',
  [REASONS.memory]: 'has insufficient memory available.',
  [REASONS.ports]: 'is already using a port required by your task.',
  [REASONS.ports_udp]: 'is already using a port required by your task.',
  [REASONS.gpu]: 'has insufficient GPU units available.',
  [REASONS.attribute]: 'is missing an attribute required by your task.',
  [REASONS.memberOf]: 'does not satisfy the placement constraints of your task.',
  [REASONS.distinctInstance]: 'does not satisfy the placement constraints of your task.',
};

/**
 * "was unable to place a task because no container instance met all of its requirements", naming the
 * closest instance: the one rejected latest in the checkers' order (it passed the most checks).
 */
export function unableToPlace(service: string, failures: readonly PlacementFailure[]): string {
  const head = `(service ${service}) was unable to place a task because no container instance met all of its requirements.`;
  let closest: PlacementFailure | undefined;
  let rank = -1;
  for (const f of failures) {
    if (f.arn === undefined) continue;
    const r = REJECTION_ORDER.indexOf(f.reason as (typeof REJECTION_ORDER)[number]);
    if (r > rank) {
      rank = r;
      closest = f;
    }
  }
  if (closest?.arn === undefined) {
    return `${head} Reason: No Container Instances were found in your cluster. ${TROUBLESHOOTING}`;
  }
  const id = closest.arn.split('/').pop() ?? closest.arn;
  const phrase = CLOSEST_PHRASES[closest.reason] ?? `encountered error "${closest.reason}".`;
  return `${head} The closest matching (container-instance ${id}) ${phrase} ${TROUBLESHOOTING}`;
}

/** A condition that may be present in a pass, with the message it stands for. */
export interface Condition {
  readonly key: string;
  readonly message: string;
}

/**
 * Which of this pass's conditions to announce, and the conditions to remember: a condition is announced when
 * it was not present in the previous pass, or when its last announcement is `repeatMs` old.
 */
export function announce(
  previous: Readonly<Record<string, number>>,
  present: readonly Condition[],
  now: number,
  repeatMs: number,
): { messages: string[]; conditions: Record<string, number> } {
  const messages: string[] = [];
  const conditions: Record<string, number> = {};
  for (const c of present) {
    if (c.key in conditions) continue;
    const last = previous[c.key];
    if (last === undefined || now - last >= repeatMs) {
      messages.push(c.message);
      conditions[c.key] = now;
    } else {
      conditions[c.key] = last;
    }
  }
  return { messages, conditions };
}

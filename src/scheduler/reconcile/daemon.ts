/**
 * DAEMON: exactly one task of the primary deployment on every ACTIVE instance that meets the service's
 * constraints and the task definition's required attributes (ECS: "one task on each active container
 * instance that meets all of the task placement constraints"). Tasks on instances that drain, leave or no
 * longer match are stopped; new instances get their task. maximumPercent is 100 for daemons, so an instance
 * gets its new task only once its old one has stopped; old tasks are stopped within minimumHealthyPercent
 * (0 by default: all at once).
 */
import { firstRejection } from '../feasible/checker.js';
import { memberOf } from '../feasible/constraints.js';
import { requiredAttributes } from '../feasible/required-attributes.js';
import { placeOnInstances } from '../place.js';
import type { InstanceState } from '../snapshot.js';
import type { Condition } from './events.js';
import { unableToPlace } from './events.js';
import {
  FAILED_HEALTH_CHECKS_REASON,
  scalingReason,
  stopWithinMinimum,
  type Decision,
  type DecisionContext,
} from './context.js';
import { minHealthyTasks } from './health.js';
import type { DeploymentView, PlannedStop, PlannedTask, ReconcileInput, ServiceTask } from './types.js';

/** Whether the daemon belongs on this instance: ACTIVE, with the required attributes, within constraints. */
export function daemonMatches(instance: InstanceState, primary: DeploymentView): boolean {
  return (
    instance.status === 'ACTIVE' &&
    firstRejection([requiredAttributes, memberOf], instance, primary.requirements) === undefined
  );
}

export function daemonInstances(input: ReconcileInput, primary: DeploymentView): InstanceState[] {
  return input.snapshot.instances.filter((i) => daemonMatches(i, primary));
}

export function decideDaemon(c: DecisionContext): Decision {
  const { input, primary } = c;
  const matching = new Set(daemonInstances(input, primary).map((i) => i.arn));
  const desired = matching.size;
  const reason = scalingReason(primary.id);
  const stops: PlannedStop[] = [];
  const conditions: Condition[] = [];
  const old: ServiceTask[] = [];
  const unhealthyStopped: ServiceTask[] = [];
  const occupied = new Set<string>();
  const primaryOn = new Map<string, ServiceTask[]>();

  for (const t of c.live) {
    const arn = t.instanceArn;
    if (!matching.has(arn)) {
      stops.push({ taskArn: t.arn, reason });
      continue;
    }
    occupied.add(arn);
    if (c.unhealthy(t)) {
      stops.push({ taskArn: t.arn, reason: FAILED_HEALTH_CHECKS_REASON });
      unhealthyStopped.push(t);
    } else if (c.ownerOf(t) !== primary.id) {
      old.push(t);
    } else {
      primaryOn.set(arn, [...(primaryOn.get(arn) ?? []), t]);
    }
  }
  // One per instance: a second copy (e.g. from a race with a re-registration) goes, the oldest stays.
  for (const tasks of primaryOn.values()) {
    const sorted = [...tasks].sort((a, b) => (a.startedAt ?? a.createdAt) - (b.startedAt ?? b.createdAt));
    for (const extra of sorted.slice(1)) stops.push({ taskArn: extra.arn, reason });
  }
  // An instance still holding a task of the service that is stopping gets its new task once that is gone.
  for (const t of input.tasks) {
    if (t.desiredStatus === 'STOPPED' && t.lastStatus !== 'STOPPED') occupied.add(t.instanceArn);
  }

  const place: PlannedTask[] = [];
  if (c.launchAllowed) {
    // A disconnected instance cannot start anything: its task waits until it is back, without an event.
    const targets = [...matching].filter(
      (arn) => !occupied.has(arn) && input.snapshot.byArn.get(arn)?.agentConnected === true,
    );
    if (targets.length > 0) {
      const plan = placeOnInstances(input.snapshot, primary.requirements, targets);
      for (const p of plan.placements) {
        place.push({
          taskId: input.newTaskId(),
          deploymentId: primary.id,
          instanceArn: p.instanceArn,
          gpuIds: p.gpuIds,
        });
      }
      if (plan.failures.length > 0) {
        const message = unableToPlace(input.service.name, plan.failures);
        conditions.push({ key: `unplaceable:${message}`, message });
      }
    }
  }

  const counted = c.live.filter((t) => matching.has(t.instanceArn) && !unhealthyStopped.includes(t));
  const { stop } = stopWithinMinimum(
    c,
    old,
    counted,
    minHealthyTasks(desired, input.service.minimumHealthyPercent),
  );
  for (const t of stop) stops.push({ taskArn: t.arn, reason });
  return { desired, place, stop: stops, unhealthyStopped, conditions };
}

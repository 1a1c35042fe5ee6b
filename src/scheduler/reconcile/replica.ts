/**
 * REPLICA: keep `desiredCount` tasks of the primary deployment running, and get there from wherever the
 * service is (scaling, a rolling update, replacing tasks that stopped, failed health checks, sit on a
 * DRAINING instance or were lost with a disconnected host) without ever going above maximumPercent
 * (RUNNING + PENDING, rounded down) or stopping a healthy task when that would leave fewer healthy tasks than
 * minimumHealthyPercent (rounded up). New tasks are started first, as far as the maximum allows; old ones are
 * stopped as far as the minimum allows. Each pass takes one such step; the next pass sees its effects.
 */
import { placeTasks } from '../place.js';
import { chooseTasksToStop } from '../scale-in.js';
import type { Condition } from './events.js';
import { blockedByDeploymentConfiguration, unableToPlace } from './events.js';
import {
  FAILED_HEALTH_CHECKS_REASON,
  scalingReason,
  stopWithinMinimum,
  type Decision,
  type DecisionContext,
} from './context.js';
import { maxTasks, minHealthyTasks } from './health.js';
import type { PlannedStop, PlannedTask, ServiceTask } from './types.js';

export function decideReplica(c: DecisionContext): Decision {
  const { input, primary } = c;
  const service = input.service;
  const desired = service.desiredCount;
  const reason = scalingReason(primary.id);
  const stops: PlannedStop[] = [];
  const conditions: Condition[] = [];

  // Tasks whose host was deregistered will never run again: stop the records, count them no more.
  for (const t of c.live) if (c.where(t) === 'gone') stops.push({ taskArn: t.arn, reason });
  const counted = c.live.filter((t) => c.where(t) === 'ok' || c.where(t) === 'draining');
  const unhealthy = counted.filter((t) => c.unhealthy(t));
  let keep = counted.filter(
    (t) => c.ownerOf(t) === primary.id && c.where(t) === 'ok' && !unhealthy.includes(t),
  );
  if (keep.length > desired) {
    const victims = new Set(
      chooseTasksToStop(
        input.snapshot,
        keep.map((t) => ({
          taskArn: t.arn,
          instanceArn: t.instanceArn,
          ...(t.startedAt !== undefined && { startedAt: t.startedAt }),
          createdAt: t.createdAt,
          running: t.lastStatus === 'RUNNING',
        })),
        {
          group: primary.requirements.group,
          strategies: service.strategies,
          count: keep.length - desired,
          newestFirst: c.newestFirst,
        },
        input.seed,
      ),
    );
    keep = keep.filter((t) => !victims.has(t.arn));
  }
  const doomed = counted.filter((t) => !keep.includes(t));

  // Start what is missing, as far as maximumPercent allows. Tasks told to stop are still RUNNING or PENDING
  // until their agent reports them STOPPED, so they take room too (on a connected or draining host).
  const stopping = input.tasks.filter(
    (t) =>
      t.desiredStatus === 'STOPPED' &&
      t.lastStatus !== 'STOPPED' &&
      (c.where(t) === 'ok' || c.where(t) === 'draining'),
  );
  const need = desired - keep.length;
  const room = maxTasks(desired, service.maximumPercent) - counted.length - stopping.length;
  const wanted = c.launchAllowed ? Math.max(0, Math.min(need, room)) : 0;
  const place: PlannedTask[] = [];
  if (wanted > 0) {
    const plan = placeTasks(
      input.snapshot,
      { task: primary.requirements, count: wanted, strategies: service.strategies },
      input.seed,
    );
    for (const p of plan.placements) {
      place.push({
        taskId: input.newTaskId(),
        deploymentId: primary.id,
        instanceArn: p.instanceArn,
        gpuIds: p.gpuIds,
      });
    }
    if (plan.placements.length < wanted) {
      const message = unableToPlace(service.name, plan.failures);
      conditions.push({ key: `unplaceable:${message}`, message });
    }
  }

  // Stop what must go, as far as minimumHealthyPercent allows.
  const { stop, blocked } = stopWithinMinimum(
    c,
    doomed,
    counted,
    minHealthyTasks(desired, service.minimumHealthyPercent),
  );
  for (const t of stop) {
    stops.push({ taskArn: t.arn, reason: unhealthy.includes(t) ? FAILED_HEALTH_CHECKS_REASON : reason });
  }
  if (c.launchAllowed && need > 0 && wanted === 0 && room <= 0 && stop.length === 0 && blocked) {
    conditions.push({
      key: 'deployment-configuration',
      message: blockedByDeploymentConfiguration(service.name),
    });
  }
  const unhealthyStopped: ServiceTask[] = stop.filter((t) => unhealthy.includes(t));
  return { desired, place, stop: stops, unhealthyStopped, conditions };
}

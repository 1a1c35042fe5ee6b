/**
 * The service reconciler: one pass over one service, from a read-only picture to a plan. Pure and
 * deterministic for a given input (the seed and the task-id generator included); it never writes.
 *
 *   1. learn from the tasks: failures since the last pass (`failures.ts`), tasks that reached RUNNING or
 *      became healthy;
 *   2. the circuit breaker: a primary deployment with too many failed tasks fails, and rolls back to the last
 *      COMPLETED deployment when asked to;
 *   3. decide per scheduling strategy what to place and stop (`replica.ts`, `daemon.ts`; a deleted service
 *      stops everything);
 *   4. count, retire emptied deployments, detect the steady state, and phrase the events.
 */
import type { DeploymentState } from '../../domain/service-record.js';
import { decisionContext, scalingReason, type Decision, type DecisionContext } from './context.js';
import { daemonInstances, decideDaemon } from './daemon.js';
import {
  announce,
  deploymentCompleted,
  deploymentFailed,
  failedHealthChecks,
  rollingBack,
  ROLLOUT_REASONS,
  startedTasks,
  steadyState,
  stoppedTasks,
  unableToStartConsistently,
  type Condition,
} from './events.js';
import { countUnhealthy, learn, type DeploymentProgress } from './failures.js';
import { breakerThreshold } from './health.js';
import { decideReplica } from './replica.js';
import type { DeploymentOutcome, ReconcileInput, RolloutState, Rollback, ServicePlan } from './types.js';

export function reconcile(input: ReconcileInput): ServicePlan {
  const [first] = input.deployments;
  if (first === undefined) throw new Error(`service ${input.service.name} has no deployment`);
  const service = input.service;
  const events: string[] = [];

  // 1. Learn.
  const progress = new Map<string, DeploymentProgress>(
    input.deployments.map((d) => [d.id, { failedTasks: d.failedTasks, state: { ...d.state } }]),
  );
  const { handledStopped } = learn(decisionContext(input, first, false), progress);
  const mine = progress.get(first.id) ?? { failedTasks: 0, state: {} };
  const primary = { ...first, state: mine.state };

  // 2. The circuit breaker.
  let rolloutState: RolloutState = primary.rolloutState;
  let rolloutStateReason: string | undefined;
  let rollback: Rollback | undefined;
  const expected =
    service.schedulingStrategy === 'DAEMON' ? daemonInstances(input, primary).length : service.desiredCount;
  if (
    service.circuitBreaker.enable &&
    rolloutState === 'IN_PROGRESS' &&
    mine.state.becameHealthy !== true &&
    mine.failedTasks >= breakerThreshold(expected)
  ) {
    rolloutState = 'FAILED';
    rolloutStateReason = ROLLOUT_REASONS.failed;
    events.push(deploymentFailed(service.name, primary.id));
    const target = input.state.lastCompleted;
    if (service.circuitBreaker.rollback && target !== undefined && target.id !== primary.id) {
      rollback = {
        failedDeploymentId: primary.id,
        toDeploymentId: target.id,
        toTaskDefinition: target.taskDefinition,
      };
      events.push(rollingBack(service.name, target.id));
    }
  }

  // 3. Decide.
  const throttledUntil = mine.state.nextLaunchAt ?? 0;
  const launchAllowed =
    service.status === 'ACTIVE' && rolloutState !== 'FAILED' && throttledUntil <= input.now;
  const c = decisionContext(input, primary, launchAllowed);
  const decision =
    service.status === 'DRAINING'
      ? stopEverything(c)
      : service.schedulingStrategy === 'DAEMON'
        ? decideDaemon(c)
        : decideReplica(c);
  for (const t of decision.unhealthyStopped) {
    countUnhealthy(progress, c.ownerOf(t));
    events.push(failedHealthChecks(service.name, t.id));
  }
  const conditions: Condition[] = [...decision.conditions];
  if (service.status === 'ACTIVE' && rolloutState !== 'FAILED' && throttledUntil > input.now) {
    conditions.push({ key: 'throttled', message: unableToStartConsistently(service.name) });
  }

  // 4. Count and conclude.
  const stopped = new Set(decision.stop.map((s) => s.taskArn));
  const remaining = c.live.filter((t) => !stopped.has(t.arn));
  const ownTasks = (id: string) => remaining.filter((t) => c.ownerOf(t) === id);
  const primaryCounted = ownTasks(primary.id).filter((t) => c.where(t) === 'ok');
  const othersLeft = input.deployments.some((d) => d.id !== primary.id && ownTasks(d.id).length > 0);
  const steady =
    service.status === 'ACTIVE' &&
    rolloutState !== 'FAILED' &&
    !othersLeft &&
    decision.place.length === 0 &&
    decision.stop.length === 0 &&
    primaryCounted.length === decision.desired &&
    primaryCounted.every((t) => c.healthy(t));
  let lastCompleted = input.state.lastCompleted;
  if (steady && rolloutState === 'IN_PROGRESS') {
    rolloutState = 'COMPLETED';
    rolloutStateReason = ROLLOUT_REASONS.completed(primary.id);
    lastCompleted = { id: primary.id, taskDefinition: primary.taskDefinition };
  }
  if (steady) conditions.push({ key: 'steady', message: steadyState(service.name) });

  const deployments: DeploymentOutcome[] = input.deployments.map((d) => {
    const own = ownTasks(d.id);
    const running = own.filter((t) => t.lastStatus === 'RUNNING').length;
    const placed = decision.place.filter((p) => p.deploymentId === d.id).length;
    const isPrimary = d.id === primary.id;
    const p = progress.get(d.id);
    const state: DeploymentState = p?.state ?? d.state;
    return {
      id: d.id,
      status: d.status,
      desiredCount: isPrimary ? decision.desired : own.length,
      runningCount: running,
      pendingCount: own.length - running + placed,
      failedTasks: p?.failedTasks ?? d.failedTasks,
      rolloutState: isPrimary ? rolloutState : d.rolloutState,
      ...(isPrimary && rolloutStateReason !== undefined && { rolloutStateReason }),
      state,
      removed: !isPrimary && own.length === 0,
    };
  });

  if (decision.stop.length > 0) {
    const ids = decision.stop.map((s) => s.taskArn.split('/').pop() ?? s.taskArn);
    events.push(stoppedTasks(service.name, ids));
  }
  if (decision.place.length > 0) {
    events.push(
      startedTasks(
        service.name,
        decision.place.map((p) => p.taskId),
      ),
    );
  }
  if (rolloutStateReason === ROLLOUT_REASONS.completed(primary.id)) {
    events.push(deploymentCompleted(service.name, primary.id));
  }
  const announced = announce(input.state.conditions, conditions, input.now, input.settings.eventRepeatMs);
  events.push(...announced.messages);

  const running = remaining.filter((t) => t.lastStatus === 'RUNNING').length;
  const kept = new Set(input.deployments.map((d) => d.id));
  const deploymentStates: Record<string, DeploymentState> = {};
  for (const d of deployments) if (!d.removed && kept.has(d.id)) deploymentStates[d.id] = d.state;
  return {
    place: decision.place,
    stop: decision.stop,
    events,
    deployments,
    ...(rollback !== undefined && { rollback }),
    desiredCount: decision.desired,
    runningCount: running,
    pendingCount: remaining.length - running + decision.place.length,
    state: {
      ...input.state,
      deployments: deploymentStates,
      handledStopped,
      conditions: announced.conditions,
      ...(lastCompleted !== undefined && { lastCompleted }),
      lostTasks: c.live.filter((t) => c.where(t) === 'lost').map((t) => t.arn),
    },
    drained: service.status === 'DRAINING' && remaining.length === 0,
  };
}

/** A deleted (DRAINING) service: every task it still wants running is stopped, wherever it is. */
function stopEverything(c: DecisionContext): Decision {
  const reason = scalingReason(c.primary.id);
  return {
    desired: 0,
    place: [],
    stop: c.live.map((t) => ({ taskArn: t.arn, reason })),
    unhealthyStopped: [],
    conditions: [],
  };
}

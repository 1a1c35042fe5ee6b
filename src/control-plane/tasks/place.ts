/**
 * The applier: the one place that turns a placement decision into tasks. In one store transaction it reads
 * the cluster into a snapshot, asks the pure scheduler for a plan, writes the planned tasks as PENDING, and
 * commits; then it tells the agent gateway which instances have new work.
 *
 * Concurrency contract. Two RunTask calls must never both take the last room on an instance. On SQLite the
 * snapshot is read inside the same transaction that writes the tasks, and the store has one connection that a
 * transaction holds from its first statement to its commit (Kysely's SQLite driver serialises every query
 * behind a mutex): no other writer can commit between our read and our write, so the plan is still valid
 * when it is committed and needs no re-check. A backend with several concurrent writers (PostgreSQL replicas)
 * must restore that guarantee before committing: re-check each placement against the instance's current
 * tasks under a row lock on the instance (SELECT ... FOR UPDATE) or a version number compared on write, and
 * re-plan the batch if any check fails, as Nomad's plan applier re-checks plans against the latest state.
 */
import type { Failure, PlacementConstraint } from '@aws-sdk/client-ecs';
import type { TaskRecord } from '../../domain/task-record.js';
import { invalidParameter } from '../../ecs/errors.js';
import {
  NO_INSTANCES,
  placeOnInstances,
  placeTasks,
  REASONS,
  seedFrom,
  type Plan,
  type StrategyRule,
} from '../../scheduler/index.js';
import type { ClientTokenRecord } from '../store/types.js';
import type { RequestContext } from '../context.js';
import { requireCluster } from '../lookup/cluster.js';
import { instanceRef } from '../lookup/container-instance.js';
import { checkSameRequest } from './client-token.js';
import { newTaskRecord } from './new-task.js';
import type { SharedTaskInput } from './run-input.js';
import { logTaskPlaced } from './task-log.js';
import { taskTemplate } from './task-template.js';

/** Where the tasks go: chosen by the scheduler (RunTask), or one on each named instance (StartTask). */
export type Target =
  | {
      readonly kind: 'place';
      readonly count: number;
      readonly strategies: readonly StrategyRule[];
      /** The request's constraints; the task definition's are added to them. */
      readonly constraints: readonly PlacementConstraint[];
    }
  | { readonly kind: 'instances'; readonly refs: readonly string[] };

export interface CreateTasksRequest {
  readonly operation: 'RunTask' | 'StartTask';
  readonly cluster: string | undefined;
  readonly input: SharedTaskInput;
  readonly target: Target;
  readonly clientToken?: { readonly token: string; readonly requestHash: string };
}

/** The stored records of the tasks created (or, for a replayed client token, as they are now). */
export interface CreatedTasks {
  readonly tasks: TaskRecord[];
  readonly failures: Failure[];
}

export async function createTasks(ctx: RequestContext, request: CreateTasksRequest): Promise<CreatedTasks> {
  // Derived from the request id (which the server logs), so a surprising placement can be replayed.
  const seed = seedFrom(ctx.requestId);
  const outcome = await ctx.store.transaction(async (tx) => {
    const cluster = await requireCluster({ ...ctx, store: tx }, request.cluster);
    const token = request.clientToken;
    if (token !== undefined) {
      const existing = await tx.clientTokens.get(request.operation, token.token);
      if (existing !== undefined) {
        checkSameRequest(existing, token.requestHash, request.operation);
        return { kind: 'replayed', record: existing } as const;
      }
    }
    const target = request.target;
    const template = await taskTemplate(
      ctx,
      tx,
      cluster,
      request.input,
      target.kind === 'place' ? target.constraints : [],
    );
    const snapshot = await ctx.runtime.snapshots.get(tx, cluster.clusterArn);
    const failures: Failure[] = [];
    let plan: Plan;
    if (target.kind === 'place') {
      plan = placeTasks(
        snapshot,
        { task: template.requirements, count: target.count, strategies: target.strategies },
        seed,
      );
      // ECS answers a cluster without container instances with this exception, word for word (tools
      // match on it), rather than with a failure.
      if (plan.failures.some((f) => f.detail === NO_INSTANCES)) throw invalidParameter(NO_INSTANCES);
    } else {
      const arns: string[] = [];
      for (const ref of target.refs) {
        const resolved = instanceRef(ctx, cluster, ref);
        if (resolved.arn === undefined) failures.push({ arn: resolved.reported, reason: REASONS.missing });
        else arns.push(resolved.arn);
      }
      plan = placeOnInstances(snapshot, template.requirements, arns);
    }
    failures.push(...plan.failures.map((f) => ({ ...f })));
    const now = ctx.now();
    const tasks = plan.placements.map((p) =>
      newTaskRecord(ctx, template, p, snapshot.byArn.get(p.instanceArn), now),
    );
    for (const task of tasks) {
      await tx.tasks.put(task);
      if (template.tags.length > 0) await tx.tags.put(task.taskArn, template.tags);
    }
    if (token !== undefined) {
      const record: ClientTokenRecord = {
        scope: request.operation,
        token: token.token,
        requestHash: token.requestHash,
        resourceIds: tasks.map((t) => t.taskArn),
        failures,
        createdAt: now,
      };
      // Cannot lose on SQLite (see the contract above); on a multi-writer backend the loser rolls back here.
      if (!(await tx.clientTokens.create(record))) {
        const winner = await tx.clientTokens.get(request.operation, token.token);
        if (winner !== undefined) checkSameRequest(winner, '', request.operation);
      }
    }
    ctx.log.debug(
      { seed, placed: tasks.length, failures: failures.length, group: template.group },
      'placed tasks',
    );
    const hosts = new Map(tasks.map((t) => [t.taskArn, snapshot.byArn.get(t.containerInstanceArn)]));
    return { kind: 'created', tasks, failures, hosts } as const;
  });

  if (outcome.kind === 'replayed') return replay(ctx, outcome.record);
  const { tasks, failures, hosts } = outcome;
  for (const task of tasks) logTaskPlaced(ctx.log, task, hosts.get(task.taskArn)?.ec2InstanceId);
  for (const arn of new Set(tasks.map((t) => t.containerInstanceArn))) {
    ctx.runtime.changes.tasksChanged(arn);
  }
  return { tasks, failures };
}

/** The tasks a token already stands for, as they are now, with the original failures. */
async function replay(ctx: RequestContext, record: ClientTokenRecord): Promise<CreatedTasks> {
  const tasks: TaskRecord[] = [];
  for (const arn of record.resourceIds) {
    const task = await ctx.store.tasks.get(arn);
    if (task !== undefined) tasks.push(task);
  }
  return { tasks, failures: record.failures.map((f) => ({ ...f })) };
}

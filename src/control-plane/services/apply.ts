/**
 * The service applier: one service, one transaction. It reads the service and its cluster (so nothing can
 * change between the read and the write: the store serialises transactions, see `create-tasks.ts`), asks the
 * pure reconciler for a plan, and commits it: new tasks written PENDING (the same records RunTask writes),
 * stops requested the way StopTask requests them, the service's deployments, counts, events and internal
 * state updated. It returns the instances whose tasks changed, which the controller announces on
 * `tasksChanged` on the change bus after the commit so the agents hear of it.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ServiceEvent, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { isDeepStrictEqual } from 'node:util';
import type { SnapshotSource } from '../context.js';
import { newDeployment, newDeploymentId } from './deployment.js';
import { ROLLOUT_REASON_ROLLBACK } from './rollout-reasons.js';
import { newTaskRecord } from '../tasks/new-task.js';
import { requestStop } from '../tasks/request-stop.js';
import { MANAGED_CLUSTER_TAG, type TaskTemplate } from '../tasks/task-template.js';
import type { ClusterRecord } from '../../domain/cluster-record.js';
import type { DeploymentRecord, ServiceRecord } from '../../domain/service-record.js';
import type { Arns } from '../../ecs/arn.js';
import { seedFrom } from '../../scheduler/index.js';
import { reconcile, type ReconcileSettings, type ServicePlan } from '../../scheduler/reconcile/index.js';
import type { Store } from '../store/types.js';
import { loadService, serviceGroup, type LoadedService } from './inputs.js';
import { logDeploymentChanges } from './deployment-log.js';
import { logTaskPlaced, logTaskStopRequested } from '../tasks/task-log.js';
import type { TaskRecord } from '../../domain/task-record.js';

/** ECS keeps a service's 100 most recent events. */
export const MAX_SERVICE_EVENTS = 100;
/** ECS managed tag naming the service that started a task. */
export const MANAGED_SERVICE_TAG = 'aws:ecs:serviceName';

export interface ApplyDeps {
  readonly store: Store;
  readonly arns: Arns;
  readonly now: () => Date;
  readonly settings: ReconcileSettings;
  /** Since when each instance has been seen disconnected; kept up to date from the snapshots read here. */
  readonly disconnectedSince: Map<string, number>;
  readonly newTaskId: () => string;
  readonly snapshots: SnapshotSource;
  /** Where the tasks placed and stopped and the deployments' progress are logged, after each commit. */
  readonly log: Logger;
}

export interface Applied {
  /** Instances whose tasks were placed or asked to stop. */
  readonly instances: readonly string[];
  readonly plan?: ServicePlan;
}

export async function evaluateService(deps: ApplyDeps, serviceArn: string): Promise<Applied> {
  const written = await deps.store.transaction(async (tx) => {
    const record = await tx.services.get(serviceArn);
    if (record === undefined || record.status === 'INACTIVE') return undefined;
    const cluster = await tx.clusters.get(record.clusterArn);
    const loaded = cluster === undefined ? undefined : await loadService(tx, deps.snapshots, record);
    if (cluster === undefined || loaded === undefined) return undefined;
    const now = deps.now();
    await observeConnections(tx, loaded, deps.disconnectedSince, now.getTime());
    const plan = reconcile({
      now: now.getTime(),
      service: loaded.spec,
      deployments: loaded.deployments,
      tasks: loaded.serviceTasks,
      snapshot: loaded.snapshot,
      state: record.controller,
      settings: deps.settings,
      disconnectedSince: deps.disconnectedSince,
      seed: seedFrom(`${serviceArn}:${now.getTime()}`),
      newTaskId: deps.newTaskId,
    });
    const instances = new Set<string>();
    const placed = await placeTasks(deps, tx, cluster, record, loaded, plan, now, instances);
    const stopped: TaskRecord[] = [];
    for (const stop of plan.stop) {
      const task = loaded.tasks.find((t) => t.taskArn === stop.taskArn);
      if (task === undefined) continue;
      const stopping = await requestStop(tx, task, now, 'ServiceSchedulerInitiated', stop.reason);
      if (stopping === undefined) continue;
      instances.add(stopping.containerInstanceArn);
      stopped.push(stopping);
    }
    const next = nextRecord(record, plan, now);
    if (!isDeepStrictEqual(next, record)) await tx.services.put(next);
    if (next.status === 'INACTIVE') await dropTags(tx, serviceArn);
    const hosts = loaded.snapshot.byArn;
    return { instances: [...instances], plan, placed, stopped, before: record, next, hosts };
  });
  if (written === undefined) return { instances: [] };
  const { placed, stopped, before, next, hosts, plan } = written;
  for (const task of placed)
    logTaskPlaced(deps.log, task, hosts.get(task.containerInstanceArn)?.ec2InstanceId);
  for (const task of stopped) logTaskStopRequested(deps.log, task);
  logDeploymentChanges(deps.log, serviceArn, before.deployments, next.deployments, plan.rollback);
  return { instances: written.instances, plan };
}

/**
 * Keeps `since` (instance -> when its agent was disconnected) in step with the snapshot. An instance newly
 * seen disconnected gets the time recorded when its session was lost (`domain/instance-record.ts`), the one
 * its statusReason shows, rather than the time of this pass, which may come seconds later; without a
 * recorded time (a record written before Berth kept one), the time of this pass.
 */
async function observeConnections(
  tx: Store,
  loaded: LoadedService,
  since: Map<string, number>,
  now: number,
): Promise<void> {
  for (const i of loaded.snapshot.instances) {
    if (i.agentConnected) since.delete(i.arn);
    else if (!since.has(i.arn)) {
      const record = await tx.containerInstances.get(i.arn);
      const recorded = record?.agentDisconnectedAt?.getTime();
      since.set(i.arn, Math.min(recorded ?? now, now));
    }
  }
}

async function placeTasks(
  deps: ApplyDeps,
  tx: Store,
  cluster: ClusterRecord,
  record: ServiceRecord,
  loaded: LoadedService,
  plan: ServicePlan,
  now: Date,
  instances: Set<string>,
): Promise<TaskRecord[]> {
  const placed: TaskRecord[] = [];
  if (plan.place.length === 0) return placed;
  const templates = new Map<string, TaskTemplate>();
  for (const p of plan.place) {
    let template = templates.get(p.deploymentId);
    if (template === undefined) {
      const deployment = loaded.deployments.find((d) => d.id === p.deploymentId);
      const definition = loaded.definitions.get(deployment?.taskDefinition ?? '');
      if (deployment === undefined || definition === undefined) continue;
      template = {
        cluster,
        definition,
        overrides: { containerOverrides: [], inferenceAcceleratorOverrides: [] },
        group: serviceGroup(record.serviceName),
        startedBy: deployment.id,
        tags: await taskTags(tx, cluster, record, definition),
        requirements: deployment.requirements,
      };
      templates.set(p.deploymentId, template);
    }
    const task = newTaskRecord(
      deps,
      template,
      { instanceArn: p.instanceArn, gpuIds: p.gpuIds },
      loaded.snapshot.byArn.get(p.instanceArn),
      now,
      p.taskId,
    );
    await tx.tasks.put(task);
    if (template.tags.length > 0) await tx.tags.put(task.taskArn, template.tags);
    instances.add(p.instanceArn);
    placed.push(task);
  }
  return placed;
}

/**
 * Tags of a service's task: the service's (propagateTags SERVICE) or the task definition's
 * (TASK_DEFINITION), then, with enableECSManagedTags, the cluster's and the service's names.
 */
async function taskTags(
  tx: Store,
  cluster: ClusterRecord,
  record: ServiceRecord,
  definition: TaskDefinition,
): Promise<Tag[]> {
  const tags: Tag[] = [];
  if (record.propagateTags === 'SERVICE') tags.push(...(await tx.tags.list(record.serviceArn)));
  if (record.propagateTags === 'TASK_DEFINITION')
    tags.push(...(await tx.tags.list(definition.taskDefinitionArn ?? '')));
  if (record.enableECSManagedTags === true) {
    tags.push({ key: MANAGED_CLUSTER_TAG, value: cluster.clusterName });
    tags.push({ key: MANAGED_SERVICE_TAG, value: record.serviceName });
  }
  return tags;
}

/** The service record after the plan: deployments, counts, events, state, and INACTIVE once drained. */
export function nextRecord(record: ServiceRecord, plan: ServicePlan, now: Date): ServiceRecord {
  const outcomes = new Map(plan.deployments.map((d) => [d.id, d]));
  let deployments: DeploymentRecord[] = [];
  for (const d of record.deployments) {
    const o = outcomes.get(d.id);
    if (o === undefined) {
      deployments.push(d);
      continue;
    }
    if (o.removed) continue;
    const updated: DeploymentRecord = {
      ...d,
      desiredCount: o.desiredCount,
      runningCount: o.runningCount,
      pendingCount: o.pendingCount,
      failedTasks: o.failedTasks,
      rolloutState: o.rolloutState,
      ...(o.rolloutStateReason !== undefined && { rolloutStateReason: o.rolloutStateReason }),
    };
    deployments.push(isDeepStrictEqual(updated, d) ? d : { ...updated, updatedAt: now });
  }
  let state = plan.state;
  let taskDefinition = record.taskDefinition;
  if (plan.rollback !== undefined) {
    const id = newDeploymentId(now);
    deployments = [
      newDeployment(
        id,
        plan.rollback.toTaskDefinition,
        plan.desiredCount,
        now,
        ROLLOUT_REASON_ROLLBACK(plan.rollback.toDeploymentId),
      ),
      ...deployments.map((d): DeploymentRecord =>
        d.status === 'PRIMARY' ? { ...d, status: 'ACTIVE', updatedAt: now } : d,
      ),
    ];
    state = { ...state, deployments: { ...state.deployments, [id]: { adopts: true } } };
    taskDefinition = plan.rollback.toTaskDefinition;
  }
  const fresh: ServiceEvent[] = [...plan.events]
    .reverse()
    .map((message) => ({ id: randomUUID(), createdAt: now, message }));
  return {
    ...record,
    ...(plan.drained && { status: 'INACTIVE' }),
    desiredCount: plan.desiredCount,
    runningCount: plan.runningCount,
    pendingCount: plan.pendingCount,
    taskDefinition,
    deployments,
    events: [...fresh, ...record.events].slice(0, MAX_SERVICE_EVENTS),
    controller: state,
  };
}

async function dropTags(tx: Store, arn: string): Promise<void> {
  const tags = await tx.tags.list(arn);
  if (tags.length > 0)
    await tx.tags.remove(
      arn,
      tags.map((t) => t.key),
    );
}

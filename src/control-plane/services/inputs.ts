/**
 * Reads what the reconciler needs about one service, inside the applier's transaction: the cluster snapshot,
 * the service's tasks (live and recently stopped), and for each deployment its task definition's
 * requirements. Turns stored ECS objects into the reconciler's plain input; decides nothing.
 */
import type { PlacementStrategy, TaskDefinition } from '@aws-sdk/client-ecs';
import { mergeConstraints } from '../tasks/placement-input.js';
import type { ServiceRecord } from '../../domain/service-record.js';
import type { TaskRecord } from '../../domain/task-record.js';
import { taskRequirements, type ClusterSnapshot, type StrategyRule } from '../../scheduler/index.js';
import type { DeploymentView, ServiceSpec, ServiceTask } from '../../scheduler/reconcile/index.js';
import type { SnapshotSource } from '../context.js';
import { taskDefinitionByArn } from '../lookup/task-definition-by-arn.js';
import type { Store } from '../store/types.js';

/**
 * Strategies when a service names none. ECS's default for services is spread over
 * attribute:ecs.availability-zone; hosts on premises often have no zone, so Berth then spreads over
 * instances, which is what the zone spread amounts to when every instance is its own failure domain.
 */
export const DEFAULT_SERVICE_STRATEGIES: readonly StrategyRule[] = Object.freeze([
  { type: 'spread', field: 'attribute:ecs.availability-zone' },
  { type: 'spread', field: 'instanceId' },
]);

const PAGE = 1000;

export interface LoadedService {
  readonly spec: ServiceSpec;
  readonly deployments: DeploymentView[];
  /** Definitions by ARN, for the tasks the applier creates. */
  readonly definitions: ReadonlyMap<string, TaskDefinition>;
  readonly tasks: TaskRecord[];
  readonly serviceTasks: ServiceTask[];
  readonly snapshot: ClusterSnapshot;
}

export function serviceGroup(name: string): string {
  return `service:${name}`;
}

export async function loadService(
  tx: Store,
  snapshots: SnapshotSource,
  record: ServiceRecord,
): Promise<LoadedService | undefined> {
  const clusterArn = record.clusterArn;
  const name = record.serviceName;
  const group = serviceGroup(name);
  const snapshot = await snapshots.get(tx, clusterArn);
  const tasks: TaskRecord[] = [];
  let after: string | undefined;
  do {
    const page = await tx.tasks.list(
      { clusterArn, group },
      { limit: PAGE, ...(after !== undefined && { after }) },
    );
    tasks.push(...page.items);
    after = page.nextKey;
  } while (after !== undefined);

  const definitions = new Map<string, TaskDefinition>();
  const state = record.controller;
  const deployments: DeploymentView[] = [];
  for (const d of record.deployments) {
    const arn = d.taskDefinition;
    let definition = definitions.get(arn);
    if (definition === undefined) {
      definition = await taskDefinitionByArn(tx.taskDefinitions, arn);
      if (definition === undefined) continue; // deleted outright: nothing of it can be started any more
      definitions.set(arn, definition);
    }
    deployments.push({
      id: d.id,
      status: d.status === 'PRIMARY' ? 'PRIMARY' : 'ACTIVE',
      taskDefinition: arn,
      failedTasks: d.failedTasks,
      rolloutState: d.rolloutState ?? 'IN_PROGRESS',
      state: state.deployments[d.id] ?? {},
      requirements: taskRequirements(definition, {
        group,
        constraints: mergeConstraints(definition.placementConstraints, record.placementConstraints ?? []),
      }),
      healthChecked: (definition.containerDefinitions ?? []).some(
        (c) => (c.essential ?? true) && c.healthCheck !== undefined,
      ),
    });
  }
  if (deployments[0]?.status !== 'PRIMARY') return undefined;
  const config = record.deploymentConfiguration ?? {};
  const spec: ServiceSpec = {
    name,
    status: record.status === 'DRAINING' ? 'DRAINING' : 'ACTIVE',
    schedulingStrategy: record.schedulingStrategy === 'DAEMON' ? 'DAEMON' : 'REPLICA',
    desiredCount: record.desiredCount,
    minimumHealthyPercent: config.minimumHealthyPercent ?? 100,
    maximumPercent: config.maximumPercent ?? 200,
    circuitBreaker: {
      enable: config.deploymentCircuitBreaker?.enable === true,
      rollback: config.deploymentCircuitBreaker?.rollback === true,
    },
    healthCheckGracePeriodMs: (record.healthCheckGracePeriodSeconds ?? 0) * 1000,
    strategies: strategiesOf(record.placementStrategy),
  };
  return { spec, deployments, definitions, tasks, serviceTasks: tasks.map(serviceTask), snapshot };
}

/** The stored (validated) strategy rules, or the default for services. */
export function strategiesOf(rules: readonly PlacementStrategy[] | undefined): readonly StrategyRule[] {
  if (rules === undefined || rules.length === 0) return DEFAULT_SERVICE_STRATEGIES;
  return rules.map((r): StrategyRule => {
    if (r.type === 'binpack') return { type: 'binpack', field: r.field === 'cpu' ? 'cpu' : 'memory' };
    if (r.type === 'spread') return { type: 'spread', field: r.field ?? 'instanceId' };
    return { type: 'random' };
  });
}

function serviceTask(t: TaskRecord): ServiceTask {
  const arn = t.taskArn;
  return {
    arn,
    id: arn.split('/').pop() ?? arn,
    ...(t.startedBy !== undefined && { startedBy: t.startedBy }),
    taskDefinition: t.taskDefinitionArn,
    instanceArn: t.containerInstanceArn,
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    health: t.healthStatus ?? 'UNKNOWN',
    createdAt: t.createdAt.getTime(),
    ...(t.startedAt !== undefined && { startedAt: t.startedAt.getTime() }),
    ...(t.stopCode !== undefined && { stopCode: t.stopCode }),
  };
}

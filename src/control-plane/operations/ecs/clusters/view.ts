/**
 * What DescribeClusters and friends return: the stored cluster plus counters derived from live state
 * (they are never stored, so they cannot drift) and the optional parts `include` asks for.
 *
 * STATISTICS also tells how many registered instances have their agent disconnected
 * (`disconnectedContainerInstancesCount`) and, when any has, since when the longest-disconnected one has been
 * (`disconnectedSince`, ISO 8601): a fleet's uplink trouble at a glance, in a list every client prints.
 */
import type { Cluster, KeyValuePair } from '@aws-sdk/client-ecs';
import type { ClusterRecord } from '../../../../domain/cluster-record.js';
import { agentConnectivity } from '../../../../domain/instance-record.js';
import type { Store } from '../../../store/types.js';
import type { RequestContext } from '../../../context.js';
import { copyMembers, type Members } from '../render.js';

const CLUSTER_MEMBERS: Members<Cluster> = {
  clusterArn: true,
  clusterName: true,
  configuration: true,
  status: true,
  registeredContainerInstancesCount: true,
  runningTasksCount: true,
  pendingTasksCount: true,
  activeServicesCount: true,
  statistics: true,
  tags: true,
  settings: true,
  capacityProviders: true,
  defaultCapacityProviderStrategy: true,
  attachments: true,
  attachmentsStatus: true,
  serviceConnectDefaults: true,
};

export const CLUSTER_INCLUDES = ['ATTACHMENTS', 'CONFIGURATIONS', 'SETTINGS', 'STATISTICS', 'TAGS'] as const;

export interface ClusterViewOptions {
  readonly include?: readonly string[];
  /** Create and update calls always return settings, whatever `include` says. */
  readonly alwaysSettings?: boolean;
}

export async function clusterView(
  ctx: RequestContext,
  cluster: ClusterRecord,
  o: ClusterViewOptions = {},
): Promise<Cluster> {
  const arn = cluster.clusterArn;
  const include = new Set(o.include ?? []);
  const [instances, running, pending, activeServices, drainingServices] = await Promise.all([
    ctx.store.containerInstances.count({ clusterArn: arn, statuses: ['ACTIVE', 'DRAINING'] }),
    ctx.store.tasks.count({ clusterArn: arn, lastStatus: 'RUNNING' }),
    ctx.store.tasks.count({ clusterArn: arn, lastStatus: 'PENDING' }),
    ctx.store.services.count({ clusterArn: arn, statuses: ['ACTIVE'] }),
    ctx.store.services.count({ clusterArn: arn, statuses: ['DRAINING'] }),
  ]);
  const {
    settings,
    configuration,
    tags: _storedTags,
    ...rest
  } = copyMembers<Cluster>(cluster, CLUSTER_MEMBERS);
  const view: Cluster = {
    ...rest,
    registeredContainerInstancesCount: instances,
    runningTasksCount: running,
    pendingTasksCount: pending,
    activeServicesCount: activeServices,
    statistics: include.has('STATISTICS')
      ? [
          ...statistics(running, pending, activeServices, drainingServices),
          ...(await disconnectedStatistics(ctx.store, arn)),
        ]
      : [],
    tags: include.has('TAGS') ? await ctx.store.tags.list(arn) : [],
  };
  if (o.alwaysSettings || include.has('SETTINGS')) view.settings = settings ?? [];
  if (configuration !== undefined && (o.alwaysSettings || include.has('CONFIGURATIONS'))) {
    view.configuration = configuration;
  }
  return view;
}

/** Every task Berth runs is an EXTERNAL one; the EC2 and Fargate counters exist for tools that expect them. */
function statistics(running: number, pending: number, active: number, draining: number): KeyValuePair[] {
  const pairs: [string, number][] = [
    ['runningEC2TasksCount', 0],
    ['runningFargateTasksCount', 0],
    ['runningExternalTasksCount', running],
    ['pendingEC2TasksCount', 0],
    ['pendingFargateTasksCount', 0],
    ['pendingExternalTasksCount', pending],
    ['activeEC2ServiceCount', 0],
    ['activeFargateServiceCount', 0],
    ['activeExternalServiceCount', active],
    ['drainingEC2ServiceCount', 0],
    ['drainingFargateServiceCount', 0],
    ['drainingExternalServiceCount', draining],
  ];
  return pairs.map(([name, value]) => ({ name, value: String(value) }));
}

/** Disconnected instances are few unless a site is cut off, so reading their records is cheap. */
async function disconnectedStatistics(store: Store, clusterArn: string): Promise<KeyValuePair[]> {
  let count = 0;
  let oldest: Date | undefined;
  let after: string | undefined;
  do {
    const page = await store.containerInstances.list(
      { clusterArn, statuses: ['ACTIVE', 'DRAINING'], agentConnected: false },
      { limit: 100, ...(after !== undefined && { after }) },
    );
    for (const instance of page.items) {
      count += 1;
      const { since } = agentConnectivity(instance);
      if (since !== undefined && (oldest === undefined || since < oldest)) oldest = since;
    }
    after = page.nextKey;
  } while (after !== undefined);
  return [
    { name: 'disconnectedContainerInstancesCount', value: String(count) },
    ...(count > 0 && oldest !== undefined
      ? [{ name: 'disconnectedSince', value: oldest.toISOString() }]
      : []),
  ];
}

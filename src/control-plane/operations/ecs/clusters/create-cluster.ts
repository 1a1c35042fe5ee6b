import type { CreateClusterRequest, CreateClusterResponse } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { validateName } from '../../../../domain/validate/names.js';
import { validateTags } from '../../../../domain/validate/tags.js';
import { DEFAULT_CLUSTER } from '../../../lookup/cluster.js';
import { checkConfiguration, mergeSettings } from './settings.js';
import type { ClusterRecord } from '../../../../domain/cluster-record.js';
import { clusterView } from './view.js';

/** Idempotent, as in ECS: creating an existing ACTIVE cluster returns it unchanged. */
export const createCluster = defineOperation<CreateClusterRequest, CreateClusterResponse>({
  name: 'CreateCluster',
  access: 'admin',
  async handle(input, ctx) {
    const name = input.clusterName ?? DEFAULT_CLUSTER;
    validateName('cluster', name);
    validateTags(input.tags);
    if (
      (input.capacityProviders?.length ?? 0) > 0 ||
      (input.defaultCapacityProviderStrategy?.length ?? 0) > 0
    ) {
      throw invalidParameter(
        'Capacity providers are not supported on Berth clusters; run tasks with launchType EXTERNAL.',
      );
    }
    const settings = mergeSettings([{ name: 'containerInsights', value: 'disabled' }], input.settings ?? []);
    checkConfiguration(input.configuration);
    const arn = ctx.arns.cluster(name);
    const cluster = await ctx.store.transaction(async (tx) => {
      const existing = await tx.clusters.get(arn);
      if (existing?.status === 'ACTIVE') return existing;
      const created: ClusterRecord = {
        clusterArn: arn,
        clusterName: name,
        status: 'ACTIVE',
        settings,
        capacityProviders: [],
        defaultCapacityProviderStrategy: [],
        ...(input.configuration && { configuration: input.configuration }),
        ...(input.serviceConnectDefaults && { serviceConnectDefaults: input.serviceConnectDefaults }),
      };
      await tx.clusters.put(created);
      if (input.tags?.length) await tx.tags.put(arn, input.tags);
      return created;
    });
    return { cluster: await clusterView(ctx, cluster, { alwaysSettings: true, include: ['TAGS'] }) };
  },
});

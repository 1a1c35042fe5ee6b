import type { UpdateClusterRequest, UpdateClusterResponse } from '@aws-sdk/client-ecs';
import { defineOperation } from '../../operation.js';
import { requireCluster } from '../../../lookup/cluster.js';
import { checkConfiguration, mergeSettings } from './settings.js';
import { clusterView } from './view.js';

export const updateCluster = defineOperation<UpdateClusterRequest, UpdateClusterResponse>({
  name: 'UpdateCluster',
  access: 'admin',
  async handle(input, ctx) {
    checkConfiguration(input.configuration);
    const updated = await ctx.store.transaction(async (tx) => {
      const cluster = await requireCluster({ ...ctx, store: tx }, input.cluster);
      const next = {
        ...cluster,
        ...(input.settings && { settings: mergeSettings(cluster.settings, input.settings) }),
        ...(input.configuration && { configuration: input.configuration }),
        ...(input.serviceConnectDefaults && { serviceConnectDefaults: input.serviceConnectDefaults }),
      };
      await tx.clusters.put(next);
      return next;
    });
    return { cluster: await clusterView(ctx, updated, { alwaysSettings: true }) };
  },
});

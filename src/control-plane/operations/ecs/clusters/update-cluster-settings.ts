import type { UpdateClusterSettingsRequest, UpdateClusterSettingsResponse } from '@aws-sdk/client-ecs';
import { defineOperation } from '../../operation.js';
import { requireCluster } from '../../../lookup/cluster.js';
import { mergeSettings } from './settings.js';
import { clusterView } from './view.js';

export const updateClusterSettings = defineOperation<
  UpdateClusterSettingsRequest,
  UpdateClusterSettingsResponse
>({
  name: 'UpdateClusterSettings',
  access: 'admin',
  async handle(input, ctx) {
    const updated = await ctx.store.transaction(async (tx) => {
      const cluster = await requireCluster({ ...ctx, store: tx }, input.cluster);
      const next = { ...cluster, settings: mergeSettings(cluster.settings, input.settings ?? []) };
      await tx.clusters.put(next);
      return next;
    });
    return { cluster: await clusterView(ctx, updated, { alwaysSettings: true }) };
  },
});

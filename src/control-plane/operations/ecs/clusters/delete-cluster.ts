import type { DeleteClusterRequest, DeleteClusterResponse } from '@aws-sdk/client-ecs';
import { ApiError } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { requireCluster } from '../../../lookup/cluster.js';
import type { ClusterRecord } from '../../../../domain/cluster-record.js';
import { clusterView } from './view.js';

/**
 * A deleted cluster turns INACTIVE and stays describable; its tags go. ECS refuses while the cluster still
 * holds registered instances, active or draining services, or active tasks.
 */
export const deleteCluster = defineOperation<DeleteClusterRequest, DeleteClusterResponse>({
  name: 'DeleteCluster',
  access: 'admin',
  async handle(input, ctx) {
    const deleted = await ctx.store.transaction(async (tx) => {
      const cluster = await requireCluster({ ...ctx, store: tx }, input.cluster);
      const clusterArn = cluster.clusterArn;
      // Services first: they are what a teardown removes first (then tasks, then instances).
      if ((await tx.services.count({ clusterArn, statuses: ['ACTIVE', 'DRAINING'] })) > 0) {
        throw new ApiError(
          'ClusterContainsServicesException',
          'The Cluster cannot be deleted while Services are active.',
        );
      }
      if ((await tx.containerInstances.count({ clusterArn, statuses: ['ACTIVE', 'DRAINING'] })) > 0) {
        throw new ApiError(
          'ClusterContainsContainerInstancesException',
          'The Cluster cannot be deleted while Container Instances are active or draining.',
        );
      }
      if ((await tx.tasks.count({ clusterArn, desiredStatus: 'RUNNING' })) > 0) {
        throw new ApiError(
          'ClusterContainsTasksException',
          'The Cluster cannot be deleted while Tasks are active.',
        );
      }
      const next: ClusterRecord = { ...cluster, status: 'INACTIVE' };
      await tx.clusters.put(next);
      const tags = await tx.tags.list(clusterArn);
      await tx.tags.remove(
        clusterArn,
        tags.map((t) => t.key),
      );
      return next;
    });
    return { cluster: await clusterView(ctx, deleted, { alwaysSettings: true }) };
  },
});

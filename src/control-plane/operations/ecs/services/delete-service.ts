/**
 * DeleteService. Without `force` the service must be scaled to 0 first (ECS's exception and sentence);
 * with it, the desired count becomes 0. The service turns DRAINING at once: hidden from ListServices, still
 * described, its name still taken. The controller stops its tasks and makes it INACTIVE once none is left
 * running or pending.
 */
import type { DeleteServiceRequest, DeleteServiceResponse } from '@aws-sdk/client-ecs';
import type { ServiceRecord } from '../../../../domain/service-record.js';
import { invalidParameter } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { requireCluster } from '../../../lookup/cluster.js';
import { requireActive, requireService } from '../../../lookup/service.js';
import { serviceView } from './view.js';

export const SCALED_ABOVE_ZERO = 'The service cannot be stopped while it is scaled above 0.';

export const deleteService = defineOperation<DeleteServiceRequest, DeleteServiceResponse>({
  name: 'DeleteService',
  access: 'admin',
  async handle(input, ctx) {
    const record = await ctx.store.transaction(async (tx) => {
      const cluster = await requireCluster({ ...ctx, store: tx }, input.cluster);
      const service = await requireService(ctx, tx, cluster, input.service);
      requireActive(service);
      const daemon = service.schedulingStrategy === 'DAEMON';
      if (!daemon && service.desiredCount > 0 && input.force !== true) {
        throw invalidParameter(
          `${SCALED_ABOVE_ZERO} Scale it to 0 with UpdateService --desired-count 0 first, or delete it with force.`,
        );
      }
      const now = ctx.now();
      const next: ServiceRecord = {
        ...service,
        status: 'DRAINING',
        desiredCount: 0,
        deployments: service.deployments.map((d) =>
          d.status === 'PRIMARY' ? { ...d, desiredCount: 0, updatedAt: now } : d,
        ),
      };
      await tx.services.put(next);
      return next;
    });
    ctx.runtime.changes.clusterChanged(record.clusterArn);
    return { service: await serviceView(ctx, record, false) };
  },
});

/**
 * ListServices: the ARNs of a cluster's ACTIVE services (DRAINING ones are being deleted and, as in ECS, no
 * longer listed), optionally by launch type and scheduling strategy, 10 per page unless asked otherwise.
 */
import type { ListServicesRequest, ListServicesResponse } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { nextTokenOf, pageRequest } from '../common.js';
import { requireCluster } from '../../../lookup/cluster.js';

/** ListServices pages hold 10 services by default, unlike ECS's other lists (100). */
export const DEFAULT_LIST_SERVICES_PAGE = 10;

export const listServices = defineOperation<ListServicesRequest, ListServicesResponse>({
  name: 'ListServices',
  access: 'admin',
  async handle(input, ctx) {
    const page = pageRequest(input.maxResults, input.nextToken, DEFAULT_LIST_SERVICES_PAGE);
    const strategy = input.schedulingStrategy;
    if (strategy !== undefined && strategy !== 'REPLICA' && strategy !== 'DAEMON') {
      throw invalidParameter(`schedulingStrategy must be REPLICA or DAEMON; got '${String(strategy)}'.`);
    }
    if (input.resourceManagementType !== undefined && input.resourceManagementType !== 'CUSTOMER') {
      // Berth manages no services on a user's behalf: every service is the customer's own.
      return { serviceArns: [] };
    }
    const cluster = await requireCluster(ctx, input.cluster);
    const result = await ctx.store.services.list(
      {
        clusterArn: cluster.clusterArn,
        statuses: ['ACTIVE'],
        ...(strategy !== undefined && { schedulingStrategy: strategy }),
        ...(input.launchType !== undefined && { launchType: input.launchType }),
      },
      page,
    );
    return { serviceArns: result.items.map((s) => s.serviceArn), ...nextTokenOf(result) };
  },
});

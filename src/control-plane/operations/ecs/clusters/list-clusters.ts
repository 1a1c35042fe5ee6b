import type { ListClustersRequest, ListClustersResponse } from '@aws-sdk/client-ecs';
import { defineOperation } from '../../operation.js';
import { nextTokenOf, pageRequest } from '../common.js';

export const listClusters = defineOperation<ListClustersRequest, ListClustersResponse>({
  name: 'ListClusters',
  access: 'admin',
  async handle(input, ctx) {
    const page = await ctx.store.clusters.listActive(pageRequest(input.maxResults, input.nextToken));
    return { clusterArns: page.items.map((c) => c.clusterArn), ...nextTokenOf(page) };
  },
});

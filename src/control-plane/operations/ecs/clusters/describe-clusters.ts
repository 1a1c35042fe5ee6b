import type {
  Cluster,
  DescribeClustersRequest,
  DescribeClustersResponse,
  Failure,
} from '@aws-sdk/client-ecs';
import { defineOperation } from '../../operation.js';
import { checkBatch, missing } from '../common.js';
import { clusterRef, DEFAULT_CLUSTER } from '../../../lookup/cluster.js';
import { clusterView } from './view.js';

export const describeClusters = defineOperation<DescribeClustersRequest, DescribeClustersResponse>({
  name: 'DescribeClusters',
  access: 'admin',
  async handle(input, ctx) {
    const names = input.clusters ?? [DEFAULT_CLUSTER];
    checkBatch('clusters', names, 100, 0);
    const clusters: Cluster[] = [];
    const failures: Failure[] = [];
    for (const name of names) {
      let arn: string;
      try {
        arn = clusterRef(ctx, name).arn;
      } catch {
        failures.push(missing(name.startsWith('arn:') ? name : ctx.arns.cluster(name)));
        continue;
      }
      const cluster = await ctx.store.clusters.get(arn);
      if (cluster) clusters.push(await clusterView(ctx, cluster, { include: input.include ?? [] }));
      else failures.push(missing(arn));
    }
    return { clusters, failures };
  },
});

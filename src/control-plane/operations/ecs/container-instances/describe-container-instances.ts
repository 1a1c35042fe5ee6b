import type {
  ContainerInstance,
  DescribeContainerInstancesRequest,
  DescribeContainerInstancesResponse,
  Failure,
} from '@aws-sdk/client-ecs';
import { defineOperation } from '../../operation.js';
import { checkBatch, missing } from '../common.js';
import { requireCluster } from '../../../lookup/cluster.js';
import { instanceRef } from '../../../lookup/container-instance.js';
import { instanceView } from './view.js';

export const MAX_DESCRIBE = 100;

/** Deregistered (INACTIVE) instances stay describable, as in ECS; ids the cluster never had are MISSING. */
export const describeContainerInstances = defineOperation<
  DescribeContainerInstancesRequest,
  DescribeContainerInstancesResponse
>({
  name: 'DescribeContainerInstances',
  access: 'admin',
  async handle(input, ctx) {
    const refs = input.containerInstances ?? [];
    checkBatch('containerInstances', refs, MAX_DESCRIBE);
    const cluster = await requireCluster(ctx, input.cluster);
    const containerInstances: ContainerInstance[] = [];
    const failures: Failure[] = [];
    for (const ref of refs) {
      const { arn, reported } = instanceRef(ctx, cluster, ref);
      const found = arn === undefined ? undefined : await ctx.store.containerInstances.get(arn);
      if (found === undefined) failures.push(missing(reported));
      else {
        containerInstances.push(
          await instanceView(ctx, cluster.clusterArn, found, { include: input.include ?? [] }),
        );
      }
    }
    return { containerInstances, failures };
  },
});

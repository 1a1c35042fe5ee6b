/**
 * DescribeServices: up to 10 services by name or ARN, in any status (DRAINING and INACTIVE ones too, which
 * is how `aws ecs wait services-inactive` sees a deletion finish). Unknown ones are failures with reason
 * MISSING, which the services-stable waiter treats as failure.
 */
import type {
  DescribeServicesRequest,
  DescribeServicesResponse,
  Failure,
  Service,
} from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { checkBatch, includes, missing } from '../common.js';
import { requireCluster } from '../../../lookup/cluster.js';
import { serviceRef } from '../../../lookup/service.js';
import { serviceView } from './view.js';

/** DescribeServices takes at most 10 services per call (ECS). */
export const MAX_DESCRIBE_SERVICES = 10;

export const describeServices = defineOperation<DescribeServicesRequest, DescribeServicesResponse>({
  name: 'DescribeServices',
  access: 'admin',
  async handle(input, ctx) {
    const refs = input.services ?? [];
    checkBatch('services', refs, MAX_DESCRIBE_SERVICES);
    for (const value of (input.include ?? []) as readonly string[]) {
      if (value !== 'TAGS') throw invalidParameter(`include can only contain TAGS; got '${value}'.`);
    }
    const withTags = includes(input.include, 'TAGS');
    const cluster = await requireCluster(ctx, input.cluster);
    const services: Service[] = [];
    const failures: Failure[] = [];
    for (const value of refs) {
      const ref = serviceRef(ctx, cluster, value);
      const record = ref.valid ? await ctx.store.services.get(ref.arn) : undefined;
      if (record === undefined) failures.push(missing(ref.arn));
      else services.push(await serviceView(ctx, record, withTags));
    }
    return { services, failures };
  },
});

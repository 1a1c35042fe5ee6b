import type {
  Failure,
  UpdateContainerInstancesStateRequest,
  UpdateContainerInstancesStateResponse,
} from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { checkBatch, missing } from '../common.js';
import { requireCluster } from '../../../lookup/cluster.js';
import { instanceRef } from '../../../lookup/container-instance.js';
import type { InstanceRecord } from '../../../../domain/instance-record.js';
import { instanceView } from './view.js';

export const MAX_STATE_UPDATES = 10;

/**
 * ACTIVE <-> DRAINING, nothing else. Setting the status an instance already has changes nothing (and does not
 * bump its version). An instance in any other status can be described but not updated: it is reported in
 * `failures` with its status as the reason, next to the instances that could be updated, all in one
 * transaction so a concurrent deregistration can't slip in between the check and the write.
 */
export const updateContainerInstancesState = defineOperation<
  UpdateContainerInstancesStateRequest,
  UpdateContainerInstancesStateResponse
>({
  name: 'UpdateContainerInstancesState',
  access: 'admin',
  async handle(input, ctx) {
    const refs = input.containerInstances ?? [];
    checkBatch('containerInstances', refs, MAX_STATE_UPDATES);
    const status = input.status;
    if (status !== 'ACTIVE' && status !== 'DRAINING') {
      throw invalidParameter(
        `Container instance status can only be set to ACTIVE or DRAINING; got '${status}'.`,
      );
    }
    const { clusterArn, updated, failures } = await ctx.store.transaction(async (tx) => {
      const cluster = await requireCluster({ ...ctx, store: tx }, input.cluster);
      const clusterArn = cluster.clusterArn;
      const updated: InstanceRecord[] = [];
      const failures: Failure[] = [];
      for (const ref of refs) {
        const { arn, reported } = instanceRef(ctx, cluster, ref);
        const found = arn === undefined ? undefined : await tx.containerInstances.get(arn);
        if (found === undefined) {
          failures.push(missing(reported));
        } else if (found.status === status) {
          updated.push(found);
        } else if (found.status !== 'ACTIVE' && found.status !== 'DRAINING') {
          failures.push({
            arn: found.containerInstanceArn,
            reason: found.status,
            detail: `Only ACTIVE and DRAINING container instances can change status; this one is ${found.status}.`,
          });
        } else {
          const next: InstanceRecord = { ...found, status, version: found.version + 1 };
          await tx.containerInstances.put(clusterArn, next);
          updated.push(next);
        }
      }
      return { clusterArn, updated, failures };
    });
    // Services move their tasks off DRAINING instances, and may use ACTIVE ones again.
    ctx.runtime.changes.clusterChanged(clusterArn);
    const containerInstances = await Promise.all(updated.map((i) => instanceView(ctx, clusterArn, i)));
    return { containerInstances, failures };
  },
});

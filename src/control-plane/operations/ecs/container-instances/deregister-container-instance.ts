import type {
  DeregisterContainerInstanceRequest,
  DeregisterContainerInstanceResponse,
} from '@aws-sdk/client-ecs';
import { withAgentConnected, type InstanceRecord } from '../../../../domain/instance-record.js';
import { invalidParameter } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { requireCluster } from '../../../lookup/cluster.js';
import { findInstance } from '../../../lookup/container-instance.js';
import { instanceView } from './view.js';

/**
 * The instance turns INACTIVE for good: it stays describable but is never listed, placed on or re-registered,
 * and its tags go (deleting a resource deletes its tags). Without `force`, ECS refuses while tasks are meant
 * to run on it; with `force` those tasks are left as they are, orphaned, as ECS documents. Deregistering an
 * instance that is already INACTIVE returns it unchanged. The agent's session, if open, is closed with
 * InactiveInstanceException (the session gateway listens on the change bus).
 */
export const deregisterContainerInstance = defineOperation<
  DeregisterContainerInstanceRequest,
  DeregisterContainerInstanceResponse
>({
  name: 'DeregisterContainerInstance',
  access: 'admin',
  async handle(input, ctx) {
    const ref = input.containerInstance ?? '';
    const { clusterArn, instance } = await ctx.store.transaction(async (tx) => {
      const cluster = await requireCluster({ ...ctx, store: tx }, input.cluster);
      const clusterArn = cluster.clusterArn;
      const found = await findInstance(ctx, tx, cluster, ref);
      if (found === undefined) {
        throw invalidParameter(
          `Container instance '${ref}' not found in cluster ${cluster.clusterName}. ` +
            'Give an id or ARN from ListContainerInstances.',
        );
      }
      if (found.status === 'INACTIVE') return { clusterArn, instance: found };
      const arn = found.containerInstanceArn;
      const running = await tx.tasks.count({
        clusterArn,
        containerInstanceArn: arn,
        desiredStatus: 'RUNNING',
      });
      if (running > 0 && input.force !== true) {
        throw invalidParameter(
          `Found running tasks on the instance (${running}). Stop them first, or deregister with force ` +
            'to leave them running unmanaged.',
        );
      }
      const next: InstanceRecord = {
        ...(withAgentConnected(found, false, ctx.now()) ?? found),
        status: 'INACTIVE',
        version: found.version + 1,
      };
      await tx.containerInstances.put(clusterArn, next);
      const tags = await tx.tags.list(arn);
      await tx.tags.remove(
        arn,
        tags.map((t) => t.key),
      );
      return { clusterArn, instance: next };
    });
    ctx.log.info({ containerInstanceArn: instance.containerInstanceArn }, 'container instance deregistered');
    // Its agent's session ends; service tasks left on a deregistered instance are replaced elsewhere.
    ctx.runtime.changes.containerInstanceDeregistered(instance.containerInstanceArn);
    ctx.runtime.changes.clusterChanged(clusterArn);
    return { containerInstance: await instanceView(ctx, clusterArn, instance) };
  },
});

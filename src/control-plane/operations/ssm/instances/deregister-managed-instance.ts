import { MANAGED_INSTANCE_ID } from '../../../../sigv4/instance-key.js';
import { withAgentConnected } from '../../../../domain/instance-record.js';
import { ApiError } from '../../../../ecs/errors.js';
import type { Store } from '../../../store/types.js';
import { defineOperation } from '../../operation.js';
import type { DeregisterManagedInstanceRequest } from '../types.js';

/**
 * DeregisterManagedInstance, in one transaction: the instance is marked deregistered (it keeps its record, so
 * its agent is told why it is refused), every access key issued to it is revoked at once, and its ECS
 * container instances show their agent disconnected. As in ECS, those container instances stay ACTIVE until
 * an administrator deregisters them; their agent just can no longer authenticate. Live agent sessions are
 * closed by whoever listens to `instanceDeregistered` on the change bus.
 */
export const deregisterManagedInstance = defineOperation<
  DeregisterManagedInstanceRequest,
  Record<string, never>
>({
  name: 'DeregisterManagedInstance',
  access: 'admin',
  async handle(input, ctx) {
    const id = input.InstanceId;
    if (!MANAGED_INSTANCE_ID.test(id)) {
      throw new ApiError(
        'InvalidInstanceId',
        `Instance ID '${id}' is not valid: a managed instance id is mi- followed by 17 hexadecimal digits.`,
      );
    }
    await ctx.store.transaction(async (tx) => {
      const record = await tx.managedInstances.get(id);
      if (record === undefined || record.deregisteredAt !== undefined) {
        throw new ApiError('InvalidInstanceId', `Instance ${id} is not a registered managed instance.`);
      }
      await tx.managedInstances.put({ ...record, deregisteredAt: ctx.now() });
      await tx.accessKeys.deleteByInstance(id);
      await disconnectContainerInstances(tx, id, ctx.now());
    });
    ctx.log.info({ instanceId: id }, 'managed instance deregistered');
    ctx.runtime.changes.instanceDeregistered(id);
    return {};
  },
});

/** Clusters with container instances cannot be deleted, so looking through the ACTIVE ones finds them all. */
async function disconnectContainerInstances(tx: Store, instanceId: string, now: Date): Promise<void> {
  let after: string | undefined;
  do {
    const clusters = await tx.clusters.listActive({ limit: 100, ...(after !== undefined && { after }) });
    for (const cluster of clusters.items) {
      const clusterArn = cluster.clusterArn;
      const found = await tx.containerInstances.findByEc2InstanceId(clusterArn, instanceId);
      const disconnected = found === undefined ? undefined : withAgentConnected(found, false, now);
      if (disconnected !== undefined) await tx.containerInstances.put(clusterArn, disconnected);
    }
    after = clusters.nextKey;
  } while (after !== undefined);
}

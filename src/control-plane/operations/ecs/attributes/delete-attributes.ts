import type { Attribute, DeleteAttributesRequest, DeleteAttributesResponse } from '@aws-sdk/client-ecs';
import { defineOperation } from '../../operation.js';
import { checkWrites, targeted, targetsOf } from './targets.js';

/**
 * Removes attributes by name. A value, if given, is not compared (ECS asks callers not to send one). Removing
 * an attribute the instance does not have is not an error, so a retried call succeeds; the target itself must
 * exist (TargetNotFoundException), so a typo in the instance id is still caught.
 */
export const deleteAttributes = defineOperation<DeleteAttributesRequest, DeleteAttributesResponse>({
  name: 'DeleteAttributes',
  access: 'admin',
  async handle(input, ctx) {
    const requested = input.attributes ?? [];
    checkWrites(requested);
    const deleted = await ctx.store.transaction(async (tx) => {
      const { cluster, targets } = await targetsOf(ctx, tx, input.cluster, requested);
      const out: Attribute[] = [];
      for (const [arn, { instance, attributes }] of targets) {
        const names = new Set(attributes.map((a) => a.name));
        const current = instance.attributes;
        const kept = current.filter((a) => !names.has(a.name));
        if (kept.length !== current.length) {
          const next = { ...instance, attributes: kept, version: instance.version + 1 };
          await tx.containerInstances.put(cluster.clusterArn, next);
        }
        out.push(...attributes.map((a) => targeted(a, arn)));
      }
      return out;
    });
    return { attributes: deleted };
  },
});

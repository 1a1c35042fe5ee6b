import type { Attribute, PutAttributesRequest, PutAttributesResponse } from '@aws-sdk/client-ecs';
import { ApiError } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { instanceId } from '../../../lookup/container-instance.js';
import {
  countCustom,
  MAX_CUSTOM_ATTRIBUTES,
  mergeAttributes,
  storedAttribute,
} from '../../../../domain/validate/attributes.js';
import { checkWrites, targeted, targetsOf } from './targets.js';

/**
 * Creates or replaces attributes on container instances. The whole call is one transaction: if one target is
 * missing or would exceed the custom attribute limit, no instance changes.
 */
export const putAttributes = defineOperation<PutAttributesRequest, PutAttributesResponse>({
  name: 'PutAttributes',
  access: 'admin',
  async handle(input, ctx) {
    const requested = input.attributes ?? [];
    checkWrites(requested);
    // Every value is checked before anything is read, so a bad one can't hide behind a missing target.
    for (const a of requested) storedAttribute(a);
    const applied = await ctx.store.transaction(async (tx) => {
      const { cluster, targets } = await targetsOf(ctx, tx, input.cluster, requested);
      const out: Attribute[] = [];
      for (const [arn, { instance, attributes: changes }] of targets) {
        const stored = changes.map((c) => storedAttribute(c));
        const merged = mergeAttributes(instance.attributes, stored);
        const custom = countCustom(merged);
        if (custom > MAX_CUSTOM_ATTRIBUTES) {
          throw new ApiError(
            'AttributeLimitExceededException',
            `Container instance ${instanceId(arn)} would have ${custom} custom attributes; a resource can ` +
              `have at most ${MAX_CUSTOM_ATTRIBUTES}. Remove some with DeleteAttributes first.`,
          );
        }
        if (JSON.stringify(merged) !== JSON.stringify(instance.attributes)) {
          const next = { ...instance, attributes: merged, version: instance.version + 1 };
          await tx.containerInstances.put(cluster.clusterArn, next);
        }
        out.push(...stored.map((a) => targeted(a, arn)));
      }
      return out;
    });
    return { attributes: applied };
  },
});

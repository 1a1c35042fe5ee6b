import type { UntagResourceRequest, UntagResourceResponse } from '@aws-sdk/client-ecs';
import { defineOperation } from '../../operation.js';
import { validateTagKeys } from '../../../../domain/validate/tags.js';
import { resolveTaggable } from './resource.js';

/** Removes the given keys; keys the resource does not have are ignored, as everywhere in AWS tagging. */
export const untagResource = defineOperation<UntagResourceRequest, UntagResourceResponse>({
  name: 'UntagResource',
  access: 'admin',
  async handle(input, ctx) {
    const keys = input.tagKeys ?? [];
    validateTagKeys(keys);
    await ctx.store.transaction(async (tx) => {
      const arn = await resolveTaggable(ctx, tx, input.resourceArn ?? '');
      await tx.tags.remove(arn, keys);
    });
    return {};
  },
});

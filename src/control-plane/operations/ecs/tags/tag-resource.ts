import type { TagResourceRequest, TagResourceResponse } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { isReservedTagKey, MAX_TAGS, validateTags } from '../../../../domain/validate/tags.js';
import { resolveTaggable } from './resource.js';

/**
 * Adds tags or overwrites the values of existing keys; other tags stay. The 50-tag limit applies to the
 * resource's tags after the call (existing keys plus new ones, a re-used key counting once), and reserved
 * `aws:` keys do not count, as ECS documents.
 */
export const tagResource = defineOperation<TagResourceRequest, TagResourceResponse>({
  name: 'TagResource',
  access: 'admin',
  async handle(input, ctx) {
    const tags = input.tags ?? [];
    validateTags(tags);
    await ctx.store.transaction(async (tx) => {
      const arn = await resolveTaggable(ctx, tx, input.resourceArn ?? '');
      const keys = new Set((await tx.tags.list(arn)).map((t) => t.key));
      for (const t of tags) keys.add(t.key ?? '');
      const counted = [...keys].filter((k) => !isReservedTagKey(k)).length;
      if (counted > MAX_TAGS) {
        throw invalidParameter(
          `Too many tags: ${arn} would have ${counted} tags, and a resource can have at most ${MAX_TAGS}. ` +
            'Remove some with UntagResource first.',
        );
      }
      if (tags.length > 0) await tx.tags.put(arn, tags);
    });
    return {};
  },
});

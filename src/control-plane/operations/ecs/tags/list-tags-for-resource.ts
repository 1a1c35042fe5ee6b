import type { ListTagsForResourceRequest, ListTagsForResourceResponse } from '@aws-sdk/client-ecs';
import { defineOperation } from '../../operation.js';
import { resolveTaggable } from './resource.js';

export const listTagsForResource = defineOperation<ListTagsForResourceRequest, ListTagsForResourceResponse>({
  name: 'ListTagsForResource',
  access: 'admin',
  async handle(input, ctx) {
    const arn = await resolveTaggable(ctx, ctx.store, input.resourceArn ?? '');
    return { tags: await ctx.store.tags.list(arn) };
  },
});

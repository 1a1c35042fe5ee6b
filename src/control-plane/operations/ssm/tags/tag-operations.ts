/**
 * AddTagsToResource, RemoveTagsFromResource and ListTagsForResource for managed instances, the one SSM
 * resource type Berth has that the model lets callers tag (activations take their tags at creation).
 */
import { ApiError } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { type RequestContext } from '../../../context.js';
import { fromStoredTags, managedInstanceArn, toStoredTags } from '../common.js';
import type {
  AddTagsToResourceRequest,
  ListTagsForResourceRequest,
  ListTagsForResourceResult,
  RemoveTagsFromResourceRequest,
  TaggableResourceType,
} from '../types.js';

/** The model's own limit on one TagList, applied to what a resource holds in total. */
const MAX_TAGS_PER_RESOURCE = 1000;

async function taggedArn(ctx: RequestContext, type: TaggableResourceType, id: string): Promise<string> {
  if (type !== 'ManagedInstance') {
    throw new ApiError(
      'InvalidResourceType',
      `Berth tags only ManagedInstance resources here, not ${type} (activations take Tags in CreateActivation).`,
    );
  }
  const instance = await ctx.store.managedInstances.get(id);
  if (instance === undefined || instance.deregisteredAt !== undefined) {
    throw new ApiError('InvalidResourceId', `Managed instance ${id} does not exist or is deregistered.`);
  }
  return managedInstanceArn(ctx, id);
}

export const addTagsToResource = defineOperation<AddTagsToResourceRequest, Record<string, never>>({
  name: 'AddTagsToResource',
  access: 'admin',
  async handle(input, ctx) {
    const arn = await taggedArn(ctx, input.ResourceType, input.ResourceId);
    await ctx.store.transaction(async (tx) => {
      await tx.tags.put(arn, toStoredTags(input.Tags));
      const count = (await tx.tags.list(arn)).length;
      if (count > MAX_TAGS_PER_RESOURCE) {
        throw new ApiError(
          'TooManyTagsError',
          `A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags; this would give it ${count}.`,
        );
      }
    });
    return {};
  },
});

export const removeTagsFromResource = defineOperation<RemoveTagsFromResourceRequest, Record<string, never>>({
  name: 'RemoveTagsFromResource',
  access: 'admin',
  async handle(input, ctx) {
    const arn = await taggedArn(ctx, input.ResourceType, input.ResourceId);
    await ctx.store.tags.remove(arn, input.TagKeys);
    return {};
  },
});

export const listTagsForResource = defineOperation<ListTagsForResourceRequest, ListTagsForResourceResult>({
  name: 'ListTagsForResource',
  access: 'admin',
  async handle(input, ctx) {
    const arn = await taggedArn(ctx, input.ResourceType, input.ResourceId);
    return { TagList: fromStoredTags(await ctx.store.tags.list(arn)) };
  },
});

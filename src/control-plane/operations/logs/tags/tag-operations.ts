/**
 * Tags of log groups: TagResource, UntagResource and ListTagsForResource by ARN, and the older
 * TagLogGroup, UntagLogGroup and ListTagsLogGroup by name, which AWS keeps for existing callers.
 */
import { ApiError } from '../../../../ecs/errors.js';
import type { RequestContext } from '../../../context.js';
import { defineOperation } from '../../operation.js';
import { groupNotFound, invalidParameter, MAX_TAGS } from '../common.js';

function groupOfArn(arn: string): string {
  const m = /^arn:aws[a-z-]*:logs:[^:]*:\d*:log-group:([^:]+)(:\*)?$/.exec(arn);
  if (m === null) throw invalidParameter(`${arn} is not a log group ARN; Berth tags log groups only.`);
  return m[1] ?? '';
}

async function retag(ctx: RequestContext, group: string, add: Record<string, string>, remove: string[]) {
  const store = ctx.runtime.logs.store.groups;
  const current = await store.get(group);
  if (current === undefined) throw groupNotFound();
  const keys = new Set([...Object.keys(current.tags), ...Object.keys(add)]);
  for (const k of remove) keys.delete(k);
  if (keys.size > MAX_TAGS) {
    throw new ApiError('TooManyTagsException', `A log group can have at most ${MAX_TAGS} tags.`);
  }
  if (!(await store.retag(group, add, remove))) throw groupNotFound();
}

async function tagsOf(ctx: RequestContext, group: string): Promise<Record<string, string>> {
  const g = await ctx.runtime.logs.store.groups.get(group);
  if (g === undefined) throw groupNotFound();
  return { ...g.tags };
}

export const tagResource = defineOperation<{ resourceArn: string; tags: Record<string, string> }, object>({
  name: 'TagResource',
  access: 'admin',
  async handle(input, ctx) {
    await retag(ctx, groupOfArn(input.resourceArn), input.tags, []);
    return {};
  },
});

export const untagResource = defineOperation<{ resourceArn: string; tagKeys: string[] }, object>({
  name: 'UntagResource',
  access: 'admin',
  async handle(input, ctx) {
    await retag(ctx, groupOfArn(input.resourceArn), {}, input.tagKeys);
    return {};
  },
});

export const listTagsForResource = defineOperation<{ resourceArn: string }, { tags: Record<string, string> }>(
  {
    name: 'ListTagsForResource',
    access: 'admin',
    async handle(input, ctx) {
      return { tags: await tagsOf(ctx, groupOfArn(input.resourceArn)) };
    },
  },
);

export const tagLogGroup = defineOperation<{ logGroupName: string; tags: Record<string, string> }, object>({
  name: 'TagLogGroup',
  access: 'admin',
  async handle(input, ctx) {
    await retag(ctx, input.logGroupName, input.tags, []);
    return {};
  },
});

export const untagLogGroup = defineOperation<{ logGroupName: string; tags: string[] }, object>({
  name: 'UntagLogGroup',
  access: 'admin',
  async handle(input, ctx) {
    await retag(ctx, input.logGroupName, {}, input.tags);
    return {};
  },
});

export const listTagsLogGroup = defineOperation<{ logGroupName: string }, { tags: Record<string, string> }>({
  name: 'ListTagsLogGroup',
  access: 'admin',
  async handle(input, ctx) {
    return { tags: await tagsOf(ctx, input.logGroupName) };
  },
});

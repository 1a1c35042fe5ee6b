import type { DescribeTaskDefinitionRequest, DescribeTaskDefinitionResponse } from '@aws-sdk/client-ecs';
import { defineOperation } from '../../operation.js';
import { includes } from '../common.js';
import { resolveTaskDefinition } from '../../../lookup/task-definition.js';

/**
 * A bare family means its latest ACTIVE revision; `family:revision` and ARNs reach any revision, INACTIVE and
 * DELETE_IN_PROGRESS ones included (ECS keeps those describable). Tags only when `include` asks for them.
 */
export const describeTaskDefinition = defineOperation<
  DescribeTaskDefinitionRequest,
  DescribeTaskDefinitionResponse
>({
  name: 'DescribeTaskDefinition',
  access: 'admin',
  async handle(input, ctx) {
    const taskDefinition = await resolveTaskDefinition(ctx, input.taskDefinition ?? '');
    if (!includes(input.include, 'TAGS')) return { taskDefinition };
    return { taskDefinition, tags: await ctx.store.tags.list(taskDefinition.taskDefinitionArn ?? '') };
  },
});

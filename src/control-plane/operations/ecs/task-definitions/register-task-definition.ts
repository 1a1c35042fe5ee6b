import type { RegisterTaskDefinitionRequest, RegisterTaskDefinitionResponse } from '@aws-sdk/client-ecs';
import {
  buildTaskDefinition,
  validateTaskDefinitionInput,
} from '../../../../domain/task-definition/index.js';
import { ApiError } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { MAX_REVISION } from '../../../lookup/task-definition.js';

/**
 * Every call registers a new revision, even of an identical definition: revisions start at 1 and only grow,
 * whatever happened to earlier ones (deregistered and deleted revisions keep their numbers). The revision is
 * reserved, the definition and its tags written, in one transaction, so a refused or failed registration
 * leaves nothing behind and two concurrent ones never share a number.
 */
export const registerTaskDefinition = defineOperation<
  RegisterTaskDefinitionRequest,
  RegisterTaskDefinitionResponse
>({
  name: 'RegisterTaskDefinition',
  access: 'admin',
  async handle(input, ctx) {
    validateTaskDefinitionInput(input);
    const family = input.family as string;
    const tags = input.tags ?? [];
    const taskDefinition = await ctx.store.transaction(async (tx) => {
      const revision = await tx.taskDefinitions.reserveRevision(family);
      if (revision > MAX_REVISION) {
        throw new ApiError(
          'LimitExceededException',
          `Family '${family}' already has the maximum of ${MAX_REVISION.toLocaleString('en-US')} revisions. ` +
            'Register the definition under a new family name.',
        );
      }
      const arn = ctx.arns.taskDefinition(family, revision);
      const built = buildTaskDefinition(input, {
        arn,
        revision,
        registeredAt: ctx.now(),
        registeredBy: ctx.caller.principalArn,
      });
      await tx.taskDefinitions.put(built);
      if (tags.length > 0) await tx.tags.put(arn, tags);
      return built;
    });
    // ECS answers with the tags beside the definition, only when some were given.
    return tags.length > 0 ? { taskDefinition, tags } : { taskDefinition };
  },
});

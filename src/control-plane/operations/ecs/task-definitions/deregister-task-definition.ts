import type { DeregisterTaskDefinitionRequest, DeregisterTaskDefinitionResponse } from '@aws-sdk/client-ecs';
import { clientError } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { withStatus } from './lifecycle.js';
import { findTaskDefinition, parseTaskDefinitionRef } from '../../../lookup/task-definition.js';

/**
 * Marks one revision INACTIVE. ECS requires the revision ("You must specify a revision"): a bare family is
 * refused rather than guessed. Deregistering a revision that is already INACTIVE (or DELETE_IN_PROGRESS)
 * changes nothing and returns it, so cleanup scripts can be run again.
 *
 * "The specified task definition does not exist." is ECS's exact sentence; cleanup tools (Cloud Custodian,
 * for one) compare the message to it, so nothing is appended.
 */
export const deregisterTaskDefinition = defineOperation<
  DeregisterTaskDefinitionRequest,
  DeregisterTaskDefinitionResponse
>({
  name: 'DeregisterTaskDefinition',
  access: 'admin',
  async handle(input, ctx) {
    const ref = parseTaskDefinitionRef(ctx, input.taskDefinition ?? '');
    if (ref.revision === undefined) {
      throw clientError(
        `Revision is missing. Name the revision to deregister as family:revision (e.g. ${ref.family || 'web'}:1) ` +
          'or give its full ARN.',
      );
    }
    const taskDefinition = await ctx.store.transaction(async (tx) => {
      const found = await findTaskDefinition(tx, ref);
      if (!found) throw clientError('The specified task definition does not exist.');
      if (found.status !== 'ACTIVE') return found;
      const next = withStatus(found, 'INACTIVE', { deregisteredAt: ctx.now() });
      await tx.taskDefinitions.put(next);
      return next;
    });
    return { taskDefinition };
  },
});

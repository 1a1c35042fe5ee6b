import { ApiError } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { activationArn } from '../common.js';
import type { DeleteActivationRequest } from '../types.js';

/**
 * DeleteActivation: no host can register with it any more. Instances it already registered keep working, as
 * in SSM (deregister them one by one to stop them).
 */
export const deleteActivation = defineOperation<DeleteActivationRequest, Record<string, never>>({
  name: 'DeleteActivation',
  access: 'admin',
  async handle(input, ctx) {
    const id = input.ActivationId;
    await ctx.store.transaction(async (tx) => {
      const arn = activationArn(ctx, id);
      const tags = await tx.tags.list(arn);
      if (!(await tx.activations.delete(id))) {
        throw new ApiError('InvalidActivationId', `Activation ID ${id} does not exist (or was deleted).`);
      }
      await tx.tags.remove(
        arn,
        tags.map((t) => t.key),
      );
    });
    ctx.log.info({ activationId: id }, 'activation deleted');
    return {};
  },
});

import { ApiError } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { groupNotFound } from '../common.js';

export const createLogStream = defineOperation<
  { logGroupName: string; logStreamName: string },
  Record<string, never>
>({
  name: 'CreateLogStream',
  access: 'agent',
  async handle(input, ctx) {
    const r = await ctx.runtime.logs.store.streams.create(
      input.logGroupName,
      input.logStreamName,
      ctx.now().getTime(),
    );
    if (r === 'no-group') throw groupNotFound();
    if (r === 'exists') {
      throw new ApiError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    }
    return {};
  },
});

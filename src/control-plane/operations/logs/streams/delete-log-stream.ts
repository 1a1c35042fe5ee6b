import { defineOperation } from '../../operation.js';
import { groupNotFound, streamNotFound } from '../common.js';

export const deleteLogStream = defineOperation<
  { logGroupName: string; logStreamName: string },
  Record<string, never>
>({
  name: 'DeleteLogStream',
  access: 'admin',
  async handle(input, ctx) {
    const r = await ctx.runtime.logs.store.streams.delete(input.logGroupName, input.logStreamName);
    if (r === 'no-group') throw groupNotFound();
    if (r === 'no-stream') throw streamNotFound();
    return {};
  },
});

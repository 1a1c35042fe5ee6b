import { defineOperation } from '../../operation.js';
import { groupNotFound } from '../common.js';

export const deleteLogGroup = defineOperation<{ logGroupName: string }, Record<string, never>>({
  name: 'DeleteLogGroup',
  access: 'admin',
  async handle(input, ctx) {
    if (!(await ctx.runtime.logs.store.groups.delete(input.logGroupName))) throw groupNotFound();
    return {};
  },
});

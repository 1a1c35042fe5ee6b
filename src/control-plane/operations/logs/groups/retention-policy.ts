/** PutRetentionPolicy and DeleteRetentionPolicy; the sweeper (`logs-store/sweeper.ts`) enforces them. */
import { defineOperation } from '../../operation.js';
import { groupNotFound, invalidParameter, RETENTION_DAYS } from '../common.js';

export const putRetentionPolicy = defineOperation<
  { logGroupName: string; retentionInDays: number },
  Record<string, never>
>({
  name: 'PutRetentionPolicy',
  access: 'admin',
  async handle(input, ctx) {
    if (!(RETENTION_DAYS as readonly number[]).includes(input.retentionInDays)) {
      throw invalidParameter(
        `1 validation error detected: Value '${input.retentionInDays}' at 'retentionInDays' failed to satisfy ` +
          `constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
      );
    }
    const done = await ctx.runtime.logs.store.groups.setRetention(input.logGroupName, input.retentionInDays);
    if (!done) throw groupNotFound();
    return {};
  },
});

export const deleteRetentionPolicy = defineOperation<{ logGroupName: string }, Record<string, never>>({
  name: 'DeleteRetentionPolicy',
  access: 'admin',
  async handle(input, ctx) {
    if (!(await ctx.runtime.logs.store.groups.setRetention(input.logGroupName, undefined)))
      throw groupNotFound();
    return {};
  },
});

import { ApiError } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { groupNameOf, groupView, invalidParameter } from '../common.js';

interface DescribeLogGroupsRequest {
  logGroupNamePrefix?: string;
  logGroupNamePattern?: string;
  logGroupIdentifiers?: string[];
  nextToken?: string;
  limit?: number;
}

/** AWS's largest page, which is also its default. */
const DEFAULT_LIMIT = 50;

export const describeLogGroups = defineOperation<
  DescribeLogGroupsRequest,
  { logGroups: Record<string, unknown>[]; nextToken?: string }
>({
  name: 'DescribeLogGroups',
  access: 'admin',
  async handle(input, ctx) {
    if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
      throw invalidParameter('LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive.');
    }
    const groups = ctx.runtime.logs.store.groups;
    if (input.logGroupIdentifiers !== undefined) {
      const found = [];
      for (const id of input.logGroupIdentifiers) {
        const g = await groups.get(groupNameOf(id));
        if (g) found.push(groupView(ctx, g));
      }
      return { logGroups: found };
    }
    const page = await groups.list({
      ...(input.logGroupNamePrefix !== undefined && { prefix: input.logGroupNamePrefix }),
      ...(input.logGroupNamePattern !== undefined && { pattern: input.logGroupNamePattern }),
      ...(input.nextToken !== undefined && { after: checkedToken(input.nextToken) }),
      limit: input.limit ?? DEFAULT_LIMIT,
    });
    return {
      logGroups: page.items.map((g) => groupView(ctx, g)),
      ...(page.next !== undefined && { nextToken: page.next }),
    };
  },
});

function checkedToken(token: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) {
    throw new ApiError('InvalidParameterException', 'The specified nextToken is invalid.');
  }
  return token;
}

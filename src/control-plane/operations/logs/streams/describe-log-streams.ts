import { defineOperation } from '../../operation.js';
import { groupNameOf, groupNotFound, invalidParameter, streamView } from '../common.js';

interface DescribeLogStreamsRequest {
  logGroupName?: string;
  logGroupIdentifier?: string;
  logStreamNamePrefix?: string;
  orderBy?: 'LogStreamName' | 'LastEventTime';
  descending?: boolean;
  nextToken?: string;
  limit?: number;
}

const DEFAULT_LIMIT = 50;

export const describeLogStreams = defineOperation<
  DescribeLogStreamsRequest,
  { logStreams: Record<string, unknown>[]; nextToken?: string }
>({
  name: 'DescribeLogStreams',
  // The awslogs driver looks its stream up before it creates it.
  access: 'agent',
  async handle(input, ctx) {
    if ((input.logGroupName === undefined) === (input.logGroupIdentifier === undefined)) {
      throw invalidParameter('Specify exactly one of logGroupName and logGroupIdentifier.');
    }
    const group = input.logGroupName ?? groupNameOf(input.logGroupIdentifier ?? '');
    const orderBy = input.orderBy ?? 'LogStreamName';
    if (orderBy === 'LastEventTime' && input.logStreamNamePrefix !== undefined) {
      throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
    }
    const page = await ctx.runtime.logs.store.streams.list(group, {
      ...(input.logStreamNamePrefix !== undefined && { prefix: input.logStreamNamePrefix }),
      orderBy,
      descending: input.descending ?? false,
      ...(input.nextToken !== undefined && { after: input.nextToken }),
      limit: input.limit ?? DEFAULT_LIMIT,
    });
    if (page === undefined) throw groupNotFound();
    return {
      logStreams: page.items.map((s) => streamView(ctx, group, s)),
      ...(page.next !== undefined && { nextToken: page.next }),
    };
  },
});

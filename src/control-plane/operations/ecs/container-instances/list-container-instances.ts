import type { ListContainerInstancesRequest, ListContainerInstancesResponse } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../../../ecs/errors.js';
import { evaluateQuery, parseQuery, QuerySyntaxError } from '../../../../query/index.js';
import type { QueryExpr } from '../../../../query/index.js';
import { encodePageToken } from '../../../store/codec.js';
import type { ContainerInstanceFilter, PageRequest } from '../../../store/types.js';
import type { RequestContext } from '../../../context.js';
import { defineOperation } from '../../operation.js';
import { nextTokenOf, pageRequest } from '../common.js';
import { requireCluster } from '../../../lookup/cluster.js';
import { queryInstance, runningTasksOn } from './view.js';
import { INSTANCE_STATUSES, type InstanceStatus } from '../../../../domain/status.js';

/** Without `status`, ECS lists every instance that is not INACTIVE; INACTIVE ones are never listed. */
const LISTED_STATUSES: InstanceStatus[] = [
  'ACTIVE',
  'DRAINING',
  'REGISTERING',
  'DEREGISTERING',
  'REGISTRATION_FAILED',
];

/** How many instances a filtered listing reads from the store at a time. */
const SCAN_CHUNK = 100;

export const listContainerInstances = defineOperation<
  ListContainerInstancesRequest,
  ListContainerInstancesResponse
>({
  name: 'ListContainerInstances',
  access: 'admin',
  async handle(input, ctx) {
    const page = pageRequest(input.maxResults, input.nextToken);
    const expr = input.filter === undefined ? undefined : parseFilter(input.filter);
    const cluster = await requireCluster(ctx, input.cluster);
    const filter = {
      clusterArn: cluster.clusterArn,
      // A status outside ECS's vocabulary matches no instance.
      statuses:
        input.status === undefined ? LISTED_STATUSES : INSTANCE_STATUSES.filter((s) => s === input.status),
    };
    if (expr === undefined) {
      const found = await ctx.store.containerInstances.list(filter, page);
      return {
        containerInstanceArns: found.items.map((i) => i.containerInstanceArn),
        ...nextTokenOf(found),
      };
    }
    return filtered(ctx, filter, expr, page);
  },
});

function parseFilter(filter: string): QueryExpr {
  try {
    return parseQuery(filter);
  } catch (e) {
    if (e instanceof QuerySyntaxError) throw invalidParameter(`Invalid filter expression: ${e.message}`);
    throw e;
  }
}

/**
 * Reads the cluster's instances in ARN order and keeps those the expression selects, until a page is full.
 * The token is the ARN of the last instance returned, so the next call resumes right after it, whatever was
 * skipped before it.
 */
async function filtered(
  ctx: RequestContext,
  filter: ContainerInstanceFilter,
  expr: QueryExpr,
  page: PageRequest,
): Promise<ListContainerInstancesResponse> {
  const withTasks = mentionsTasks(expr);
  const arns: string[] = [];
  let after = page.after;
  for (;;) {
    const chunk = await ctx.store.containerInstances.list(filter, {
      limit: SCAN_CHUNK,
      ...(after !== undefined && { after }),
    });
    for (const instance of chunk.items) {
      const arn = instance.containerInstanceArn;
      const running = withTasks ? await runningTasksOn(ctx.store, filter.clusterArn, arn) : [];
      if (!evaluateQuery(expr, queryInstance(instance, running))) continue;
      // A token only when another match exists, so the last page is never an empty one.
      const last = arns[arns.length - 1];
      if (arns.length === page.limit && last !== undefined) {
        return { containerInstanceArns: arns, nextToken: encodePageToken(last) };
      }
      arns.push(arn);
    }
    if (chunk.nextKey === undefined) return { containerInstanceArns: arns };
    after = chunk.nextKey;
  }
}

/** Whether evaluating needs the instance's tasks; most filters look at attributes only. */
function mentionsTasks(expr: QueryExpr): boolean {
  switch (expr.kind) {
    case 'condition':
      return expr.subject.kind === 'runningTasksCount' || expr.subject.kind === 'task:group';
    case 'not':
      return mentionsTasks(expr.operand);
    case 'and':
    case 'or':
      return mentionsTasks(expr.left) || mentionsTasks(expr.right);
  }
}

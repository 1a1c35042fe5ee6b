import type { ListTasksRequest, ListTasksResponse } from '@aws-sdk/client-ecs';
import { ApiError, invalidParameter } from '../../../../ecs/errors.js';
import { SERVICE_NOT_FOUND } from '../../../lookup/service.js';
import type { TaskFilter } from '../../../store/types.js';
import { defineOperation } from '../../operation.js';
import { type RequestContext } from '../../../context.js';
import { nextTokenOf, pageRequest } from '../common.js';
import { requireCluster } from '../../../lookup/cluster.js';
import { validateName } from '../../../../domain/validate/names.js';

/**
 * Filters combine with AND. `desiredStatus` defaults to RUNNING; PENDING is accepted but, as ECS documents,
 * never matches, because a task's desired status is only ever RUNNING or STOPPED.
 */
export const listTasks = defineOperation<ListTasksRequest, ListTasksResponse>({
  name: 'ListTasks',
  access: 'admin',
  async handle(input, ctx) {
    checkStartedByAlone(input);
    const page = pageRequest(input.maxResults, input.nextToken);
    const cluster = await requireCluster(ctx, input.cluster);
    const clusterArn = cluster.clusterArn;
    const clusterName = cluster.clusterName;
    const desiredStatus = input.desiredStatus ?? 'RUNNING';
    if (input.family !== undefined) validateName('family', input.family);
    const filter: TaskFilter = {
      clusterArn,
      desiredStatus: desiredStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
      ...(input.containerInstance !== undefined && {
        containerInstanceArn: await containerInstanceArn(ctx, clusterName, input.containerInstance),
      }),
      ...(input.family !== undefined && { family: input.family }),
      ...(input.startedBy !== undefined && { startedBy: input.startedBy }),
      ...(input.serviceName !== undefined && {
        group: await serviceGroup(ctx, clusterName, input.serviceName),
      }),
      ...(input.launchType !== undefined && { launchType: input.launchType }),
    };
    // Checked after the other filters so that a typo in them is still reported. Berth runs no daemons.
    if (desiredStatus === 'PENDING' || input.daemonName !== undefined) return { taskArns: [] };
    const result = await ctx.store.tasks.list(filter, page);
    return { taskArns: result.items.map((t) => t.taskArn), ...nextTokenOf(result) };
  },
});

/**
 * ECS refuses `startedBy` next to the other filters ("cannot specify startedBy with other arguments").
 * `cluster` picks where to look and `desiredStatus` is always in force (it defaults to RUNNING), so those
 * two may accompany it, as AWS's own ecs-cli relied on.
 */
function checkStartedByAlone(input: ListTasksRequest): void {
  if (input.startedBy === undefined) return;
  const others = (['containerInstance', 'family', 'serviceName', 'launchType', 'daemonName'] as const).filter(
    (name) => input[name] !== undefined,
  );
  if (others.length > 0) {
    throw invalidParameter(
      `Cannot specify startedBy with other arguments (got ${others.join(', ')}). ` +
        'Only cluster and desiredStatus may be combined with startedBy.',
    );
  }
}

/**
 * The container instance filter must name an instance registered in this cluster (by id or ARN); one that
 * does not exist is an error rather than an empty list, so a typo does not read as "no tasks there".
 */
async function containerInstanceArn(
  ctx: RequestContext,
  clusterName: string,
  value: string,
): Promise<string> {
  let arn: string | undefined;
  if (value.startsWith('arn:')) {
    const parsed = ctx.arns.parseOwn(value);
    const [inCluster, id] = parsed?.path ?? [];
    if (
      parsed?.resourceType === 'container-instance' &&
      parsed.path.length === 2 &&
      inCluster === clusterName &&
      id !== undefined &&
      id !== ''
    ) {
      arn = ctx.arns.containerInstance(clusterName, id);
    }
  } else if (value !== '' && !value.includes('/')) {
    arn = ctx.arns.containerInstance(clusterName, value);
  }
  if (arn === undefined || !(await ctx.store.containerInstances.get(arn))) {
    throw invalidParameter(
      `Container instance '${value}' was not found in cluster ${clusterName}. ` +
        'Give the id or ARN of an instance registered in this cluster.',
    );
  }
  return arn;
}

/**
 * Tasks a service starts carry the group `service:<name>`. The service must exist in the cluster (in any
 * status: a deleted service's tasks can still be listed while they stop); otherwise ServiceNotFoundException.
 */
async function serviceGroup(ctx: RequestContext, clusterName: string, value: string): Promise<string> {
  let name: string | undefined;
  if (value.startsWith('arn:')) {
    const parsed = ctx.arns.parseOwn(value);
    const [inCluster, inArn] = parsed?.path ?? [];
    if (parsed?.resourceType !== 'service' || parsed.path.length !== 2 || inCluster !== clusterName) {
      throw invalidParameter(
        `serviceName '${value}' is not the name or ARN of a service in cluster ${clusterName}.`,
      );
    }
    name = inArn;
  } else {
    name = value;
  }
  validateName('service', name);
  if ((await ctx.store.services.get(ctx.arns.service(clusterName, name))) === undefined) {
    throw new ApiError(
      'ServiceNotFoundException',
      `${SERVICE_NOT_FOUND} No service ${name} in cluster ${clusterName}.`,
    );
  }
  return `service:${name}`;
}

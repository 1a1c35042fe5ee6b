import type { DescribeTasksRequest, DescribeTasksResponse, Failure, Task } from '@aws-sdk/client-ecs';
import { ApiError, invalidParameter } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { type RequestContext } from '../../../context.js';
import { checkBatch, includes, missing } from '../common.js';
import { clusterRef } from '../../../lookup/cluster.js';
import { instanceLookup, taskView } from './view.js';

export const MAX_DESCRIBE_TASKS = 100;

/**
 * Tasks are looked up within the named cluster: a short id means a task of that cluster, and an ARN of
 * another cluster (or region, or account) is reported MISSING rather than found elsewhere. A deleted
 * (INACTIVE) cluster still answers, because ECS keeps describing the tasks of a deleted cluster.
 */
export const describeTasks = defineOperation<DescribeTasksRequest, DescribeTasksResponse>({
  name: 'DescribeTasks',
  access: 'admin',
  async handle(input, ctx) {
    const ids = input.tasks ?? [];
    // ECS's own wording for an empty list.
    if (ids.length === 0) throw invalidParameter('Tasks cannot be empty.');
    checkBatch('tasks', ids, MAX_DESCRIBE_TASKS);
    const cluster = clusterRef(ctx, input.cluster);
    if (!(await ctx.store.clusters.get(cluster.arn))) {
      throw new ApiError('ClusterNotFoundException', 'Cluster not found.');
    }
    const withTags = includes(input.include, 'TAGS');
    const tasks: Task[] = [];
    const failures: Failure[] = [];
    const seen = new Set<string>();
    const instances = instanceLookup(ctx);
    for (const id of ids) {
      const arn = taskArnIn(ctx, cluster.name, id);
      const key = arn ?? id;
      if (seen.has(key)) continue;
      seen.add(key);
      const task = arn === undefined ? undefined : await ctx.store.tasks.get(arn);
      if (task) tasks.push(await taskView(ctx, task, withTags, instances));
      else failures.push(missing(id.startsWith('arn:') ? id : (arn ?? id)));
    }
    return { tasks, failures };
  },
});

/** The ARN a task id or ARN names within `clusterName`, or undefined when it cannot name a task there. */
function taskArnIn(ctx: RequestContext, clusterName: string, value: string): string | undefined {
  if (!value.startsWith('arn:')) {
    return value === '' || value.includes('/') ? undefined : ctx.arns.task(clusterName, value);
  }
  const arn = ctx.arns.parseOwn(value);
  if (arn?.resourceType !== 'task' || arn.path.length !== 2) return undefined;
  const [inCluster = '', id = ''] = arn.path;
  return inCluster === clusterName && id !== '' ? ctx.arns.task(inCluster, id) : undefined;
}

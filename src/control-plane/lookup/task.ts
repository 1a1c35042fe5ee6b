import type { RequestContext } from '../context.js';

/**
 * The ARN a task id or ARN names within `clusterName`, or undefined when it cannot name a task there (an ARN
 * of another cluster, region or account, or something that is not a task ARN at all).
 */
export function taskArnIn(ctx: RequestContext, clusterName: string, value: string): string | undefined {
  if (!value.startsWith('arn:')) {
    return value === '' || value.includes('/') ? undefined : ctx.arns.task(clusterName, value);
  }
  const arn = ctx.arns.parseOwn(value);
  if (arn?.resourceType !== 'task' || arn.path.length !== 2) return undefined;
  const [inCluster = '', id = ''] = arn.path;
  return inCluster === clusterName && id !== '' ? ctx.arns.task(inCluster, id) : undefined;
}

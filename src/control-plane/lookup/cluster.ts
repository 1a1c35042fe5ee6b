/**
 * Which cluster a `cluster` parameter means: its short name, its ARN, or nothing for `default`. A cluster ARN
 * of another region or account, or a name ECS would refuse, is simply not found.
 */
import type { ClusterRecord } from '../../domain/cluster-record.js';
import { ApiError } from '../../ecs/errors.js';
import type { RequestContext } from '../context.js';

export const DEFAULT_CLUSTER = 'default';
const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** The name and ARN a `cluster` parameter (short name, ARN, or absent for `default`) refers to. */
export function clusterRef(ctx: RequestContext, cluster: string | undefined): { name: string; arn: string } {
  const value = cluster === undefined || cluster === '' ? DEFAULT_CLUSTER : cluster;
  if (value.startsWith('arn:')) {
    const arn = ctx.arns.parseOwn(value);
    const name = arn?.resourceType === 'cluster' && arn.path.length === 1 ? arn.path[0] : undefined;
    if (name === undefined || !CLUSTER_NAME.test(name))
      throw new ApiError('ClusterNotFoundException', 'Cluster not found.');
    return { name, arn: ctx.arns.cluster(name) };
  }
  if (!CLUSTER_NAME.test(value)) throw new ApiError('ClusterNotFoundException', 'Cluster not found.');
  return { name: value, arn: ctx.arns.cluster(value) };
}

/** The ACTIVE cluster a request names, or ClusterNotFoundException. */
export async function requireCluster(
  ctx: RequestContext,
  cluster: string | undefined,
): Promise<ClusterRecord> {
  const { arn } = clusterRef(ctx, cluster);
  const found = await ctx.store.clusters.get(arn);
  if (!found || found.status !== 'ACTIVE')
    throw new ApiError('ClusterNotFoundException', 'Cluster not found.');
  return found;
}

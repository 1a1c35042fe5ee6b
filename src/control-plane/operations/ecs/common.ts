/**
 * Lookups and parameter rules shared by many ECS operations: which cluster a request means, how lists page,
 * how describe calls report what they could not find.
 */
import type { Cluster, Failure } from '@aws-sdk/client-ecs';
import { ApiError, invalidParameter } from '../../../ecs/errors.js';
import { decodePageToken, encodePageToken } from '../../store/codec.js';
import type { Page, PageRequest } from '../../store/types.js';
import type { RequestContext } from '../operation.js';

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
export async function requireCluster(ctx: RequestContext, cluster: string | undefined): Promise<Cluster> {
  const { arn } = clusterRef(ctx, cluster);
  const found = await ctx.store.clusters.get(arn);
  if (!found || found.status !== 'ACTIVE')
    throw new ApiError('ClusterNotFoundException', 'Cluster not found.');
  return found;
}

export const MAX_PAGE_SIZE = 100;

/** Validates `maxResults` and `nextToken` of a list call. */
export function pageRequest(
  maxResults: number | undefined,
  nextToken: string | undefined,
  defaultSize = MAX_PAGE_SIZE,
): PageRequest {
  if (maxResults !== undefined && (maxResults < 1 || maxResults > MAX_PAGE_SIZE)) {
    throw invalidParameter(`maxResults must be between 1 and ${MAX_PAGE_SIZE}; got ${maxResults}.`);
  }
  const limit = maxResults ?? defaultSize;
  if (nextToken === undefined || nextToken === '') return { limit };
  const after = decodePageToken(nextToken);
  if (after === undefined)
    throw invalidParameter('Invalid nextToken: pass the nextToken of a previous response unchanged.');
  return { after, limit };
}

export function nextTokenOf<T>(page: Page<T>): { nextToken?: string } {
  return page.nextKey === undefined ? {} : { nextToken: encodePageToken(page.nextKey) };
}

export function missing(arn: string): Failure {
  return { arn, reason: 'MISSING' };
}

/** Refuses lists longer than a batch limit, the way ECS words it. */
export function checkBatch(name: string, values: readonly unknown[], max: number, min = 1): void {
  if (values.length < min) throw invalidParameter(`${name} can not be empty.`);
  if (values.length > max)
    throw invalidParameter(`${name} can have at most ${max} items; got ${values.length}.`);
}

/** Parses an `include` list against the values an operation supports. */
export function includes<T extends string>(include: readonly string[] | undefined, value: T): boolean {
  return include?.includes(value) ?? false;
}

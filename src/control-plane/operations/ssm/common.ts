/**
 * What several SSM operations share: resource names for tags, paging with SSM's errors, tags in SSM's
 * member spelling, and timestamps as they arrive.
 */
import type { Tag } from '@aws-sdk/client-ecs';
import { ApiError } from '../../../ecs/errors.js';
import { decodePageToken, encodePageToken } from '../../store/codec.js';
import type { Page, PageRequest } from '../../store/types.js';
import type { RequestContext } from '../../context.js';
import type { SsmTag } from './types.js';

export function invalidParameters(message: string): ApiError {
  return new ApiError('InvalidParameters', message);
}

/**
 * Tags live in the shared tag store under an ARN. SSM does not expose ARNs for activations, so these are
 * Berth's names for the two kinds of resource (the shapes AWS uses in IAM policies).
 */
export function activationArn(ctx: RequestContext, activationId: string): string {
  return `arn:aws:ssm:${ctx.arns.region}:${ctx.arns.accountId}:activation/${activationId}`;
}

export function managedInstanceArn(ctx: RequestContext, instanceId: string): string {
  return `arn:aws:ssm:${ctx.arns.region}:${ctx.arns.accountId}:managed-instance/${instanceId}`;
}

export function toStoredTags(tags: readonly SsmTag[]): Tag[] {
  return tags.map((t) => ({ key: t.Key, value: t.Value }));
}

export function fromStoredTags(tags: readonly Tag[]): SsmTag[] {
  return tags.map((t) => ({ Key: t.key ?? '', Value: t.value ?? '' }));
}

/** `MaxResults` is range-checked by the model; this reads `NextToken`. */
export function ssmPageRequest(
  maxResults: number | undefined,
  nextToken: string | undefined,
  defaultSize: number,
): PageRequest {
  const limit = maxResults ?? defaultSize;
  if (nextToken === undefined || nextToken === '') return { limit };
  const after = decodePageToken(nextToken);
  if (after === undefined) {
    throw new ApiError(
      'InvalidNextToken',
      'The NextToken is not valid: pass the NextToken of a previous response unchanged.',
    );
  }
  return { after, limit };
}

export function ssmNextToken<T>(page: Page<T>): { NextToken?: string } {
  return page.nextKey === undefined ? {} : { NextToken: encodePageToken(page.nextKey) };
}

/** An awsJson timestamp as it arrives (epoch seconds, or ISO-8601 text the model check let through). */
export function timestampOf(value: number | string): Date {
  return typeof value === 'number' ? new Date(value * 1000) : new Date(value);
}

/** The alternatives several filters of the same key leave: each filter narrows the previous ones. */
export function narrow(previous: readonly string[] | undefined, values: readonly string[]): string[] {
  const unique = [...new Set(values)];
  return previous === undefined ? unique : unique.filter((v) => previous.includes(v));
}

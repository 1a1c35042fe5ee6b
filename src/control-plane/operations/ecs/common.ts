/**
 * Parameter rules shared by many ECS operations: how lists page, how describe calls report what they could
 * not find, batch limits. Which cluster a request means is `lookup/cluster.ts`.
 */
import type { Failure } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../../ecs/errors.js';
import { decodePageToken, encodePageToken } from '../../store/codec.js';
import type { Page, PageRequest } from '../../store/types.js';

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

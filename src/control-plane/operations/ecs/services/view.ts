/**
 * What CreateService, UpdateService, DeleteService and DescribeServices return: the stored service without
 * Berth's internal state, its tags from the tag store when asked for, events newest first (at most 100, as
 * ECS keeps).
 */
import type { Service } from '@aws-sdk/client-ecs';
import { publicService, type ServiceRecord } from '../../../../domain/service-record.js';
import type { RequestContext } from '../../../context.js';

export async function serviceView(
  ctx: RequestContext,
  record: ServiceRecord,
  withTags: boolean,
): Promise<Service> {
  const { tags: _stored, ...rest } = publicService(record);
  return withTags ? { ...rest, tags: await ctx.store.tags.list(record.serviceArn ?? '') } : rest;
}

/**
 * What CreateService, UpdateService, DeleteService and DescribeServices return: the stored service's ECS
 * members (`../render.ts`: the controller's state is never shown), its tags from the tag store when asked for, events newest first (at most 100, as
 * ECS keeps).
 */
import type { Service } from '@aws-sdk/client-ecs';
import type { ServiceRecord } from '../../../../domain/service-record.js';
import type { RequestContext } from '../../../context.js';
import { copyMembers, type Members } from '../render.js';

const SERVICE_MEMBERS: Members<Service> = {
  serviceArn: true,
  serviceName: true,
  clusterArn: true,
  loadBalancers: true,
  serviceRegistries: true,
  status: true,
  desiredCount: true,
  runningCount: true,
  pendingCount: true,
  launchType: true,
  capacityProviderStrategy: true,
  platformVersion: true,
  platformFamily: true,
  taskDefinition: true,
  deploymentConfiguration: true,
  taskSets: true,
  deployments: true,
  roleArn: true,
  events: true,
  createdAt: true,
  currentServiceDeployment: true,
  currentServiceRevisions: true,
  placementConstraints: true,
  placementStrategy: true,
  networkConfiguration: true,
  healthCheckGracePeriodSeconds: true,
  schedulingStrategy: true,
  deploymentController: true,
  tags: true,
  createdBy: true,
  enableECSManagedTags: true,
  propagateTags: true,
  enableExecuteCommand: true,
  availabilityZoneRebalancing: true,
  resourceManagementType: true,
};

/** ECS's Service for a record, as stored (see `serviceView` for tags). */
export function renderService(record: ServiceRecord): Service {
  return copyMembers<Service>(record, SERVICE_MEMBERS);
}

export async function serviceView(
  ctx: RequestContext,
  record: ServiceRecord,
  withTags: boolean,
): Promise<Service> {
  const { tags: _stored, ...rest } = renderService(record);
  return withTags ? { ...rest, tags: await ctx.store.tags.list(record.serviceArn) } : rest;
}

/**
 * UpdateService. What starts a new deployment, as in ECS: a different task definition, or
 * `forceNewDeployment` (e.g. to pull a moved image tag again). The new deployment becomes PRIMARY and the
 * previous PRIMARY becomes ACTIVE; the controller then rolls tasks over within the deployment limits. What
 * does not: `desiredCount`, `deploymentConfiguration`, placement constraints and strategies (replaced when
 * given, used for the tasks placed from then on), the health check grace period, tag propagation. Only an
 * ACTIVE service can be updated (ServiceNotActiveException).
 */
import type { PlacementStrategy, UpdateServiceRequest, UpdateServiceResponse } from '@aws-sdk/client-ecs';
import type { DeploymentRecord, ServiceRecord } from '../../../../domain/service-record.js';
import { invalidParameter } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { requireCluster } from '../../../lookup/cluster.js';
import { mergeConstraints, validateConstraints, validateStrategies } from '../../../tasks/placement-input.js';
import { runnableDefinition } from '../../../tasks/task-template.js';
import { newDeployment, newDeploymentId } from '../../../services/deployment.js';
import { logDeploymentChanges } from '../../../services/deployment-log.js';
import { requireActive, requireService } from '../../../lookup/service.js';
import {
  checkDesiredCount,
  checkUnsupported,
  deploymentConfiguration,
  type EffectiveDeploymentConfiguration,
} from './service-input.js';
import { serviceView } from './view.js';

export const updateService = defineOperation<UpdateServiceRequest, UpdateServiceResponse>({
  name: 'UpdateService',
  access: 'admin',
  async handle(input, ctx) {
    checkUnsupported(input);
    checkDesiredCount(input.desiredCount);
    const constraints =
      input.placementConstraints === undefined ? undefined : validateConstraints(input.placementConstraints);
    const strategies =
      input.placementStrategy === undefined ? undefined : validateStrategies(input.placementStrategy);
    if (input.taskDefinition !== undefined && input.taskDefinition.trim() === '') {
      throw invalidParameter('taskDefinition can not be empty. Give a family, family:revision or ARN.');
    }

    const { record, before } = await ctx.store.transaction(async (tx) => {
      const cluster = await requireCluster({ ...ctx, store: tx }, input.cluster);
      const service = await requireService(ctx, tx, cluster, input.service);
      requireActive(service);
      const daemon = service.schedulingStrategy === 'DAEMON';
      if (daemon && input.desiredCount !== undefined) {
        throw invalidParameter(
          'The daemon scheduling strategy does not support a desired count for services.',
        );
      }
      if (daemon && strategies !== undefined && strategies.length > 0) {
        throw invalidParameter('Placement strategies are not supported with the DAEMON scheduling strategy.');
      }
      const config = deploymentConfiguration(
        daemon ? 'DAEMON' : 'REPLICA',
        input.deploymentConfiguration,
        service.deploymentConfiguration as EffectiveDeploymentConfiguration,
      );
      const now = ctx.now();
      const primary = service.deployments.find((d) => d.status === 'PRIMARY');
      let definitionArn = primary?.taskDefinition ?? service.taskDefinition;
      const definition = await runnableDefinition(ctx, tx, input.taskDefinition ?? definitionArn);
      mergeConstraints(definition.placementConstraints, constraints ?? service.placementConstraints ?? []);
      const changesDefinition = definition.taskDefinitionArn !== definitionArn;
      definitionArn = definition.taskDefinitionArn ?? definitionArn;
      const desiredCount = daemon ? service.desiredCount : (input.desiredCount ?? service.desiredCount);
      let deployments = service.deployments.map((d): DeploymentRecord =>
        d.status === 'PRIMARY' ? { ...d, desiredCount, updatedAt: now } : d,
      );
      if (changesDefinition || input.forceNewDeployment === true) {
        deployments = [
          newDeployment(newDeploymentId(now), definitionArn, desiredCount, now),
          ...deployments.map((d): DeploymentRecord =>
            d.status === 'PRIMARY' ? { ...d, status: 'ACTIVE' } : d,
          ),
        ];
      }
      const next: ServiceRecord = {
        ...service,
        desiredCount,
        taskDefinition: definitionArn,
        deploymentConfiguration: config,
        deployments,
        ...(constraints !== undefined && { placementConstraints: constraints }),
        ...(strategies !== undefined && {
          placementStrategy: strategies.map((s): PlacementStrategy =>
            s.type === 'random' ? { type: 'random' } : { type: s.type, field: s.field },
          ),
        }),
        ...(input.healthCheckGracePeriodSeconds !== undefined && {
          healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds,
        }),
        ...(input.propagateTags !== undefined && { propagateTags: input.propagateTags }),
        ...(input.enableECSManagedTags !== undefined && { enableECSManagedTags: input.enableECSManagedTags }),
      };
      await tx.services.put(next);
      return { record: next, before: service.deployments };
    });
    logDeploymentChanges(ctx.log, record.serviceArn, before, record.deployments);
    ctx.runtime.changes.clusterChanged(record.clusterArn);
    return { service: await serviceView(ctx, record, false) };
  },
});

/**
 * CreateService: a service keeps `desiredCount` copies (REPLICA) or one copy per matching instance (DAEMON)
 * of a task definition running. The record is written with its first deployment (PRIMARY, IN_PROGRESS) and
 * the service controller is told; it places the tasks. A name is unique in its cluster among ACTIVE and
 * DRAINING services: repeating the same request returns the service, anything else under that name is
 * ECS's "Creation of service was not idempotent."; an INACTIVE service's name is free again.
 */
import type { CreateServiceRequest, CreateServiceResponse, PlacementStrategy } from '@aws-sdk/client-ecs';
import { EMPTY_SERVICE_STATE, type ServiceRecord } from '../../../../domain/service-record.js';
import { invalidParameter } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { requireCluster } from '../../../lookup/cluster.js';
import { requestHash } from '../../../tasks/client-token.js';
import { mergeConstraints, validateConstraints, validateStrategies } from '../../../tasks/placement-input.js';
import { runnableDefinition } from '../../../tasks/task-template.js';
import { validateName } from '../../../../domain/validate/names.js';
import { validateTags } from '../../../../domain/validate/tags.js';
import { newDeployment, newDeploymentId } from '../../../services/deployment.js';
import { logDeploymentChanges } from '../../../services/deployment-log.js';
import {
  checkClientToken,
  checkDesiredCount,
  checkLaunchType,
  checkUnsupported,
  deploymentConfiguration,
  type SchedulingStrategy,
} from './service-input.js';
import { serviceView } from './view.js';

export const NOT_IDEMPOTENT = 'Creation of service was not idempotent.';

export const createService = defineOperation<CreateServiceRequest, CreateServiceResponse>({
  name: 'CreateService',
  access: 'admin',
  async handle(input, ctx) {
    const name = input.serviceName;
    validateName('service', name);
    const strategy = schedulingStrategy(input.schedulingStrategy);
    checkUnsupported(input);
    checkLaunchType(input.launchType);
    checkClientToken(input.clientToken);
    if (input.role !== undefined) {
      throw invalidParameter(
        'role is the IAM role ECS uses to register a service with load balancers, which Berth does not have. Remove it.',
      );
    }
    const taskDefinition = input.taskDefinition ?? '';
    if (taskDefinition.trim() === '') {
      throw invalidParameter('taskDefinition can not be empty. Give a family, family:revision or ARN.');
    }
    if (strategy === 'REPLICA' && input.desiredCount === undefined) {
      throw invalidParameter('desiredCount is required for a service with the REPLICA scheduling strategy.');
    }
    if (strategy === 'DAEMON' && input.desiredCount !== undefined) {
      // ECS's sentence; a daemon's count follows the instances it runs on.
      throw invalidParameter('The daemon scheduling strategy does not support a desired count for services.');
    }
    checkDesiredCount(input.desiredCount);
    const config = deploymentConfiguration(strategy, input.deploymentConfiguration);
    const constraints = validateConstraints(input.placementConstraints);
    const strategies = validateStrategies(input.placementStrategy);
    if (strategy === 'DAEMON' && strategies.length > 0) {
      throw invalidParameter('Placement strategies are not supported with the DAEMON scheduling strategy.');
    }
    validateTags(input.tags);
    const hash = requestHash(input);

    const { record, created } = await ctx.store.transaction(async (tx) => {
      const cluster = await requireCluster({ ...ctx, store: tx }, input.cluster);
      const clusterName = cluster.clusterName;
      const serviceArn = ctx.arns.service(clusterName, name);
      const existing = await tx.services.get(serviceArn);
      if (existing !== undefined && existing.status !== 'INACTIVE') {
        if (existing.status === 'ACTIVE' && existing.controller.createHash === hash) {
          return { record: existing, created: false };
        }
        throw invalidParameter(
          `${NOT_IDEMPOTENT} A service named ${name} is already ${existing.status} in cluster ${clusterName}` +
            (existing.status === 'DRAINING'
              ? '; wait until it is INACTIVE, or choose another name.'
              : '; update it with UpdateService, or choose another name.'),
        );
      }
      const definition = await runnableDefinition(ctx, tx, taskDefinition);
      // Within the limit of 10 per task, counting the task definition's own.
      mergeConstraints(definition.placementConstraints, constraints);
      const now = ctx.now();
      const definitionArn = definition.taskDefinitionArn ?? '';
      const desiredCount = input.desiredCount ?? 0;
      const id = newDeploymentId(now);
      const record: ServiceRecord = {
        serviceArn,
        serviceName: name,
        clusterArn: cluster.clusterArn,
        loadBalancers: [],
        serviceRegistries: [],
        status: 'ACTIVE',
        desiredCount,
        runningCount: 0,
        pendingCount: 0,
        launchType: 'EXTERNAL',
        taskDefinition: definitionArn,
        deploymentConfiguration: config,
        deployments: [newDeployment(id, definitionArn, desiredCount, now)],
        events: [],
        createdAt: now,
        placementConstraints: constraints,
        placementStrategy: strategies.map((s): PlacementStrategy =>
          s.type === 'random' ? { type: 'random' } : { type: s.type, field: s.field },
        ),
        healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds ?? 0,
        schedulingStrategy: strategy,
        deploymentController: { type: 'ECS' },
        createdBy: ctx.caller.principalArn,
        enableECSManagedTags: input.enableECSManagedTags === true,
        propagateTags: input.propagateTags ?? 'NONE',
        enableExecuteCommand: false,
        controller: { ...EMPTY_SERVICE_STATE, createHash: hash },
      };
      await tx.services.put(record);
      if ((input.tags ?? []).length > 0) await tx.tags.put(serviceArn, input.tags ?? []);
      return { record, created: true };
    });
    if (created) {
      logDeploymentChanges(ctx.log, record.serviceArn, [], record.deployments);
      ctx.runtime.changes.clusterChanged(record.clusterArn);
    }
    return { service: await serviceView(ctx, record, true) };
  },
});

function schedulingStrategy(value: string | undefined): SchedulingStrategy {
  if (value === undefined || value === 'REPLICA') return 'REPLICA';
  if (value === 'DAEMON') return 'DAEMON';
  throw invalidParameter(`schedulingStrategy must be REPLICA or DAEMON; got '${value}'.`);
}

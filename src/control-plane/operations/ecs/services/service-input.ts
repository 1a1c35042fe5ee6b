/**
 * The parameters of CreateService and UpdateService, checked before anything is read, against ECS's rules
 * (CreateService API reference, DeploymentConfiguration shape) and what Berth runs: EXTERNAL instances, the
 * ECS (rolling) deployment controller, no load balancers, service discovery or awsvpc networking. A feature
 * Berth lacks is refused with what to do instead, never silently ignored.
 */
import type {
  CreateServiceRequest,
  DeploymentConfiguration,
  DeploymentCircuitBreaker,
  PropagateTags,
  UpdateServiceRequest,
} from '@aws-sdk/client-ecs';
import { ApiError, invalidParameter } from '../../../../ecs/errors.js';

export type SchedulingStrategy = 'REPLICA' | 'DAEMON';

/** ECS quota "Tasks per service (desired count)". */
export const MAX_DESIRED_COUNT = 5000;
/** ECS's bounds for maximumPercent of a REPLICA service (and the DAEMON value, which is fixed). */
export const MAX_MAXIMUM_PERCENT = 2000;
export const DEFAULTS = {
  REPLICA: { maximumPercent: 200, minimumHealthyPercent: 100 },
  DAEMON: { maximumPercent: 100, minimumHealthyPercent: 0 },
} as const;
/** healthCheckGracePeriodSeconds is an Integer in ECS's model: up to 2,147,483,647 seconds. */
export const MAX_GRACE_PERIOD_SECONDS = 2_147_483_647;
const CLIENT_TOKEN = /^[\x21-\x7e]{1,36}$/;
const PROPAGATE = ['SERVICE', 'TASK_DEFINITION', 'NONE'];

type Shared = Pick<
  CreateServiceRequest & UpdateServiceRequest,
  | 'loadBalancers'
  | 'serviceRegistries'
  | 'networkConfiguration'
  | 'serviceConnectConfiguration'
  | 'capacityProviderStrategy'
  | 'platformVersion'
  | 'volumeConfigurations'
  | 'vpcLatticeConfigurations'
  | 'enableExecuteCommand'
  | 'deploymentController'
  | 'propagateTags'
  | 'healthCheckGracePeriodSeconds'
  | 'availabilityZoneRebalancing'
>;

/** Refuses what Berth has no equivalent for, saying so. */
export function checkUnsupported(input: Shared): void {
  if ((input.loadBalancers ?? []).length > 0) {
    throw invalidParameter(
      'loadBalancers are not supported: Berth has no Elastic Load Balancing. Put your own load balancer in ' +
        'front of the instances (e.g. with static host ports) and remove loadBalancers.',
    );
  }
  if ((input.serviceRegistries ?? []).length > 0) {
    throw invalidParameter(
      'serviceRegistries (AWS Cloud Map service discovery) are not supported by Berth. Remove them.',
    );
  }
  if (input.serviceConnectConfiguration?.enabled === true) {
    throw new ApiError(
      'UnsupportedFeatureException',
      'Service Connect is not available in Berth. Omit serviceConnectConfiguration or set enabled to false.',
    );
  }
  if (input.networkConfiguration !== undefined) {
    throw invalidParameter(
      'networkConfiguration applies only to awsvpc tasks, which EXTERNAL instances do not run. Remove it.',
    );
  }
  if ((input.capacityProviderStrategy ?? []).length > 0) {
    throw invalidParameter(
      "Berth has no capacity providers: services run on the cluster's EXTERNAL (ECS Anywhere) instances. " +
        'Remove capacityProviderStrategy (launchType EXTERNAL is the default).',
    );
  }
  if (input.platformVersion !== undefined) {
    throw invalidParameter(
      'platformVersion applies only to Fargate; tasks on EXTERNAL instances have none. Remove it.',
    );
  }
  if ((input.volumeConfigurations ?? []).length > 0) {
    throw invalidParameter(
      'volumeConfigurations (Amazon EBS volumes) are not supported on EXTERNAL instances. Use a host or ' +
        'Docker volume in the task definition instead.',
    );
  }
  if ((input.vpcLatticeConfigurations ?? []).length > 0) {
    throw invalidParameter('vpcLatticeConfigurations are not supported by Berth. Remove them.');
  }
  if (input.enableExecuteCommand === true) {
    throw new ApiError(
      'UnsupportedFeatureException',
      'ECS Exec (enableExecuteCommand) is not available in Berth. Omit enableExecuteCommand or set it to false.',
    );
  }
  const controller = input.deploymentController?.type;
  if (controller !== undefined && controller !== 'ECS') {
    throw invalidParameter(
      `Deployment controller ${controller} is not supported: Berth deploys with the ECS (rolling update) ` +
        'controller only. Omit deploymentController or use type ECS.',
    );
  }
  if (input.propagateTags !== undefined && !PROPAGATE.includes(input.propagateTags)) {
    throw invalidParameter(
      `propagateTags must be SERVICE, TASK_DEFINITION or NONE; got '${input.propagateTags}'.`,
    );
  }
  const grace = input.healthCheckGracePeriodSeconds;
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE_PERIOD_SECONDS)) {
    throw invalidParameter(
      `healthCheckGracePeriodSeconds must be a whole number from 0 to ${MAX_GRACE_PERIOD_SECONDS}; got ${grace}.`,
    );
  }
  if (input.availabilityZoneRebalancing === 'ENABLED') {
    throw invalidParameter(
      'availabilityZoneRebalancing ENABLED is not supported: Berth does not move running tasks between ' +
        'zones. Use DISABLED, or omit it.',
    );
  }
}

export function checkLaunchType(launchType: string | undefined): void {
  if (launchType !== undefined && launchType !== 'EXTERNAL') {
    throw invalidParameter(
      `Launch type ${launchType} is not available: Berth runs services on EXTERNAL (ECS Anywhere) instances ` +
        'registered to the cluster. Use launchType EXTERNAL, or omit it.',
    );
  }
}

export function checkClientToken(token: string | undefined): void {
  if (token !== undefined && !CLIENT_TOKEN.test(token)) {
    throw invalidParameter(
      'clientToken must be 1-36 characters, each a printable ASCII character other than space (codes 33-126).',
    );
  }
}

export function checkDesiredCount(count: number | undefined): void {
  if (count === undefined) return;
  if (!Number.isInteger(count) || count < 0 || count > MAX_DESIRED_COUNT) {
    throw invalidParameter(
      `desiredCount must be a whole number from 0 to ${MAX_DESIRED_COUNT}; got ${count}.`,
    );
  }
}

export interface EffectiveDeploymentConfiguration {
  readonly maximumPercent: number;
  readonly minimumHealthyPercent: number;
  readonly deploymentCircuitBreaker: { readonly enable: boolean; readonly rollback: boolean };
}

/**
 * The deployment configuration after applying `given` to `current` (or to the strategy's defaults): fields
 * given replace, fields left out keep their value, as UpdateService does.
 */
export function deploymentConfiguration(
  strategy: SchedulingStrategy,
  given: DeploymentConfiguration | undefined,
  current?: EffectiveDeploymentConfiguration,
): EffectiveDeploymentConfiguration {
  const base = current ?? {
    ...DEFAULTS[strategy],
    deploymentCircuitBreaker: { enable: false, rollback: false },
  };
  const g = given ?? {};
  checkNoAdvancedDeployment(g);
  const maximumPercent = g.maximumPercent ?? base.maximumPercent;
  const minimumHealthyPercent = g.minimumHealthyPercent ?? base.minimumHealthyPercent;
  if (!Number.isInteger(minimumHealthyPercent) || minimumHealthyPercent < 0 || minimumHealthyPercent > 100) {
    throw invalidParameter(
      `minimumHealthyPercent must be a whole number from 0 to 100; got ${minimumHealthyPercent}.`,
    );
  }
  if (strategy === 'DAEMON') {
    if (maximumPercent !== 100) {
      throw invalidParameter(
        `maximumPercent must be 100 for a service with the DAEMON scheduling strategy (one task per instance); got ${maximumPercent}.`,
      );
    }
  } else if (
    !Number.isInteger(maximumPercent) ||
    maximumPercent < 100 ||
    maximumPercent > MAX_MAXIMUM_PERCENT
  ) {
    throw invalidParameter(
      `maximumPercent must be a whole number from 100 to ${MAX_MAXIMUM_PERCENT}; got ${maximumPercent}.`,
    );
  }
  return {
    maximumPercent,
    minimumHealthyPercent,
    deploymentCircuitBreaker: circuitBreaker(g.deploymentCircuitBreaker) ?? base.deploymentCircuitBreaker,
  };
}

function circuitBreaker(
  given: DeploymentCircuitBreaker | undefined,
): { enable: boolean; rollback: boolean } | undefined {
  if (given === undefined) return undefined;
  if (given.thresholdConfiguration !== undefined) {
    throw invalidParameter(
      "The circuit breaker's threshold is ECS's fixed rule (half the desired count, from 10 to 200 tasks) in " +
        'Berth; remove thresholdConfiguration.',
    );
  }
  return { enable: given.enable === true, rollback: given.rollback === true };
}

function checkNoAdvancedDeployment(g: DeploymentConfiguration): void {
  if (g.alarms?.enable === true) {
    throw new ApiError(
      'UnsupportedFeatureException',
      'CloudWatch alarms are not available in Berth, so deployments cannot watch them. Remove alarms or set ' +
        'enable to false; the deployment circuit breaker is available.',
    );
  }
  if (g.strategy !== undefined && g.strategy !== 'ROLLING') {
    throw invalidParameter(
      `Deployment strategy ${g.strategy} is not supported: Berth deploys by rolling update. Use ROLLING, or omit it.`,
    );
  }
  if (g.bakeTimeInMinutes !== undefined || (g.lifecycleHooks ?? []).length > 0) {
    throw invalidParameter(
      'bakeTimeInMinutes and lifecycleHooks belong to blue/green deployments, which Berth does not run. Remove them.',
    );
  }
  if (g.canaryConfiguration !== undefined || g.linearConfiguration !== undefined) {
    throw invalidParameter(
      'Canary and linear deployments are not supported by Berth. Remove their configuration.',
    );
  }
}

export function propagateTagsOf(
  value: PropagateTags | undefined,
  fallback: PropagateTags = 'NONE',
): PropagateTags {
  return value ?? fallback;
}

/**
 * Task and container statuses as ordered lists, so "further along" is a comparison. Two vocabularies:
 *
 *   agent (known status):   NONE < PULLED < CREATED < RUNNING < STOPPED
 *   control plane (ECS):    PROVISIONING < PENDING < ACTIVATING < RUNNING < DEACTIVATING < STOPPING
 *                           < DEPROVISIONING < STOPPED < DELETED
 *
 * The agent reports only PENDING, RUNNING and STOPPED (as the ECS agent does): `backendStatus` maps its
 * known statuses onto those. Desired status is RUNNING or STOPPED, owned by the control plane. Pure.
 */

export const KNOWN_STATUSES = ['NONE', 'PULLED', 'CREATED', 'RUNNING', 'STOPPED'] as const;
export type KnownStatus = (typeof KNOWN_STATUSES)[number];

export const LAST_STATUSES = [
  'PROVISIONING',
  'PENDING',
  'ACTIVATING',
  'RUNNING',
  'DEACTIVATING',
  'STOPPING',
  'DEPROVISIONING',
  'STOPPED',
  'DELETED',
] as const;
export type LastStatus = (typeof LAST_STATUSES)[number];

export const DESIRED_STATUSES = ['RUNNING', 'STOPPED'] as const;
export type DesiredStatus = (typeof DESIRED_STATUSES)[number];

/** ECS's TaskStopCode values. */
export const STOP_CODES = [
  'TaskFailedToStart',
  'EssentialContainerExited',
  'UserInitiated',
  'ServiceSchedulerInitiated',
  'SpotInterruption',
  'TerminationNotice',
  'InfrastructureHealth',
] as const;
export type StopCode = (typeof STOP_CODES)[number];

function rank<T extends string>(list: readonly T[], value: T): number {
  return list.indexOf(value);
}

export function knownIsAfter(a: KnownStatus, b: KnownStatus): boolean {
  return rank(KNOWN_STATUSES, a) > rank(KNOWN_STATUSES, b);
}

/** The next status in the progression; STOPPED has none. */
export function nextKnown(s: KnownStatus): KnownStatus | undefined {
  return KNOWN_STATUSES[rank(KNOWN_STATUSES, s) + 1];
}

export function lastIsAfter(a: LastStatus, b: LastStatus): boolean {
  return rank(LAST_STATUSES, a) > rank(LAST_STATUSES, b);
}

export function isLastStatus(value: string): value is LastStatus {
  return (LAST_STATUSES as readonly string[]).includes(value);
}

/** What the control plane hears for an agent-side status. */
export function backendStatus(s: KnownStatus): 'PENDING' | 'RUNNING' | 'STOPPED' {
  if (s === 'RUNNING') return 'RUNNING';
  if (s === 'STOPPED') return 'STOPPED';
  return 'PENDING';
}

/** A container's lastStatus, as the control plane keeps it (what agents report). */
export const CONTAINER_STATUSES = ['PENDING', 'RUNNING', 'STOPPED'] as const;
export type ContainerStatus = (typeof CONTAINER_STATUSES)[number];

/** ECS's ContainerInstanceStatus; Berth's instances are ACTIVE, DRAINING or (deregistered) INACTIVE. */
export const INSTANCE_STATUSES = [
  'ACTIVE',
  'DRAINING',
  'INACTIVE',
  'REGISTERING',
  'REGISTRATION_FAILED',
  'DEREGISTERING',
] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

/** ECS's cluster statuses; Berth's clusters are ACTIVE or (deleted) INACTIVE. */
export const CLUSTER_STATUSES = ['ACTIVE', 'PROVISIONING', 'DEPROVISIONING', 'FAILED', 'INACTIVE'] as const;
export type ClusterStatus = (typeof CLUSTER_STATUSES)[number];

export const SERVICE_STATUSES = ['ACTIVE', 'DRAINING', 'INACTIVE'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

/** A service deployment's status: the one being rolled out is PRIMARY, older ones still running ACTIVE. */
export const DEPLOYMENT_STATUSES = ['PRIMARY', 'ACTIVE', 'INACTIVE'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const ROLLOUT_STATES = ['IN_PROGRESS', 'COMPLETED', 'FAILED'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

/** Whether a value is one of a vocabulary's statuses (for input and stored documents). */
export function isOneOf<T extends string>(list: readonly T[], value: string | undefined): value is T {
  return value !== undefined && (list as readonly string[]).includes(value);
}

/** A container's or task's health, as agents report it and DescribeTasks shows it. */
export const HEALTH_STATUSES = ['HEALTHY', 'UNHEALTHY', 'UNKNOWN'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

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

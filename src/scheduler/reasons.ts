/**
 * Why an instance could not take a task: the strings ECS puts in `failures[].reason` of RunTask and StartTask
 * (API failure reasons page of the ECS developer guide), and that service events quote. Users and tools match
 * on them, so they are ECS's exact spellings, the constraint ones with their trailing period as ECS sends them.
 */
export const REASONS = {
  /** The instance is not ACTIVE (Berth reports its status: DRAINING or INACTIVE). */
  draining: 'DRAINING',
  inactive: 'INACTIVE',
  /** The instance's agent is not connected, so nothing placed there would start. */
  agent: 'AGENT',
  /** The task definition requires an attribute (`requiresAttributes`) the instance lacks. */
  attribute: 'ATTRIBUTE',
  cpu: 'RESOURCE:CPU',
  memory: 'RESOURCE:MEMORY',
  /** A static TCP host port is reserved by the agent or held by another task. */
  ports: 'RESOURCE:PORTS',
  ports_udp: 'RESOURCE:PORTS_UDP',
  gpu: 'RESOURCE:GPU',
  memberOf: 'MemberOf placement constraint unsatisfied.',
  distinctInstance: 'DistinctInstance placement constraint unsatisfied.',
  /** The instance does not exist in the cluster (StartTask), or the cluster has none at all. */
  missing: 'MISSING',
} as const;

export type Reason = (typeof REASONS)[keyof typeof REASONS];

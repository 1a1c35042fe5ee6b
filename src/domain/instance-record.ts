/**
 * Fields Berth keeps inside a stored container instance record that are not part of ECS's ContainerInstance
 * object, and what is derived from them. They live in the record so that they change in the same write as
 * `agentConnected` itself, and `publicInstance` removes them before any API answer.
 *
 * - `berthAgentConnectedAt`: when the agent's current (or, while disconnected, its last) session began.
 * - `berthAgentDisconnectedAt`: when the agent last lost its session (or the instance was deregistered).
 *
 * Pure: the caller supplies the clock.
 */
import type { ContainerInstance } from '@aws-sdk/client-ecs';

export const AGENT_CONNECTED_AT_FIELD = 'berthAgentConnectedAt';
export const AGENT_DISCONNECTED_AT_FIELD = 'berthAgentDisconnectedAt';

export type InstanceRecord = ContainerInstance & {
  readonly [AGENT_CONNECTED_AT_FIELD]?: Date;
  readonly [AGENT_DISCONNECTED_AT_FIELD]?: Date;
};

/** The instance as the API shows it: without Berth's internal fields. */
export function publicInstance(instance: ContainerInstance): ContainerInstance {
  const {
    [AGENT_CONNECTED_AT_FIELD]: _connected,
    [AGENT_DISCONNECTED_AT_FIELD]: _disconnected,
    ...rest
  } = instance as InstanceRecord;
  return rest;
}

/**
 * The record with `agentConnected` set to `connected`, the time of the change recorded and `version` bumped
 * (as in ECS, a change of the flag is a new version); `undefined` when the flag already has that value, so
 * callers write only changes and an unchanged record keeps the time its state began.
 */
export function withAgentConnected(
  instance: ContainerInstance,
  connected: boolean,
  at: Date,
): InstanceRecord | undefined {
  if ((instance.agentConnected === true) === connected) return undefined;
  return {
    ...instance,
    agentConnected: connected,
    [connected ? AGENT_CONNECTED_AT_FIELD : AGENT_DISCONNECTED_AT_FIELD]: at,
    version: (instance.version ?? 0) + 1,
  };
}

export interface AgentConnectivity {
  readonly connected: boolean;
  /**
   * Since when the agent has been in that state, when known. An instance whose agent has never connected
   * has been disconnected since it registered; records written before Berth kept these times (or by tools
   * that set the flag directly) have no time for a connected agent.
   */
  readonly since: Date | undefined;
}

/** When the agent was last seen to lose its session, if that was recorded. */
export function recordedDisconnection(instance: ContainerInstance): Date | undefined {
  return (instance as InstanceRecord)[AGENT_DISCONNECTED_AT_FIELD];
}

/** Whether the instance's agent is connected, and since when. A deregistered instance never is. */
export function agentConnectivity(instance: ContainerInstance): AgentConnectivity {
  const record = instance as InstanceRecord;
  if (instance.agentConnected === true && instance.status !== 'INACTIVE') {
    return { connected: true, since: record[AGENT_CONNECTED_AT_FIELD] };
  }
  return { connected: false, since: record[AGENT_DISCONNECTED_AT_FIELD] ?? instance.registeredAt };
}

/**
 * ContainerInstance.statusReason while the agent of a registered (ACTIVE or DRAINING) instance is
 * disconnected; ECS has no member of its own for the time, and the AWS CLI prints only modelled members.
 */
export function disconnectedReason(instance: ContainerInstance): string | undefined {
  if (instance.status === 'INACTIVE') return undefined;
  const { connected, since } = agentConnectivity(instance);
  if (connected) return undefined;
  const record = instance as InstanceRecord;
  if (since === undefined) return 'Agent disconnected';
  // Never connected: say so rather than claim a disconnection that never happened.
  if (record[AGENT_DISCONNECTED_AT_FIELD] === undefined && record[AGENT_CONNECTED_AT_FIELD] === undefined) {
    return `Agent not connected since registration at ${since.toISOString()}`;
  }
  return `Agent disconnected since ${since.toISOString()}`;
}

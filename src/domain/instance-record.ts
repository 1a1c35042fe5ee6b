/**
 * A container instance as the control plane keeps it. ECS's members keep ECS's names (DescribeContainerInstances
 * renders them, `operations/ecs/container-instances/view.ts`); those every registered instance has are
 * required, and its status is typed from `status.ts`. Berth's own state lives in the same record, so that it
 * changes in the same write as `agentConnected` itself, under names no renderer copies:
 *
 * - `agentConnectedAt`: when the agent's current (or, while disconnected, its last) session began.
 * - `agentDisconnectedAt`: when the agent last lost its session (or the instance was deregistered).
 *
 * Pure: the caller supplies the clock.
 */
import type { Attribute, ContainerInstance, Resource } from '@aws-sdk/client-ecs';
import type { InstanceStatus } from './status.js';

type RequiredInstanceMember =
  | 'containerInstanceArn'
  | 'status'
  | 'agentConnected'
  | 'version'
  | 'registeredAt'
  | 'registeredResources'
  | 'attributes';

export interface InstanceRecord extends Omit<ContainerInstance, RequiredInstanceMember> {
  containerInstanceArn: string;
  status: InstanceStatus;
  agentConnected: boolean;
  version: number;
  registeredAt: Date;
  registeredResources: Resource[];
  attributes: Attribute[];
  /** Berth's: when the agent's current (or last) session began. */
  agentConnectedAt?: Date;
  /** Berth's: when the agent last lost its session. */
  agentDisconnectedAt?: Date;
}

/**
 * The record with `agentConnected` set to `connected`, the time of the change recorded and `version` bumped
 * (as in ECS, a change of the flag is a new version); `undefined` when the flag already has that value, so
 * callers write only changes and an unchanged record keeps the time its state began.
 */
export function withAgentConnected(
  instance: InstanceRecord,
  connected: boolean,
  at: Date,
): InstanceRecord | undefined {
  if (instance.agentConnected === connected) return undefined;
  return {
    ...instance,
    agentConnected: connected,
    ...(connected ? { agentConnectedAt: at } : { agentDisconnectedAt: at }),
    version: instance.version + 1,
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

/** Whether the instance's agent is connected, and since when. A deregistered instance never is. */
export function agentConnectivity(instance: InstanceRecord): AgentConnectivity {
  if (instance.agentConnected && instance.status !== 'INACTIVE') {
    return { connected: true, since: instance.agentConnectedAt };
  }
  return { connected: false, since: instance.agentDisconnectedAt ?? instance.registeredAt };
}

/**
 * ContainerInstance.statusReason while the agent of a registered (ACTIVE or DRAINING) instance is
 * disconnected; ECS has no member of its own for the time, and the AWS CLI prints only modelled members.
 */
export function disconnectedReason(instance: InstanceRecord): string | undefined {
  if (instance.status === 'INACTIVE') return undefined;
  const { connected, since } = agentConnectivity(instance);
  if (connected) return undefined;
  if (since === undefined) return 'Agent disconnected';
  // Never connected: say so rather than claim a disconnection that never happened.
  if (instance.agentDisconnectedAt === undefined && instance.agentConnectedAt === undefined) {
    return `Agent not connected since registration at ${since.toISOString()}`;
  }
  return `Agent disconnected since ${since.toISOString()}`;
}

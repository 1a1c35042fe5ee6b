/** Builders for scheduler tests: instances and requirements with sensible defaults, overridden per case. */
import { compileMemberOf, type TaskRequirements } from '../requirements.js';
import {
  clusterSnapshot,
  instanceState,
  type ClusterSnapshot,
  type InstanceState,
  type PlacedTask,
} from '../snapshot.js';

export const ARN = 'arn:aws:ecs:us-east-1:123456789012:container-instance/c1/';

export interface InstanceSpec {
  readonly cpu?: number;
  readonly memory?: number;
  readonly status?: string;
  readonly agentConnected?: boolean;
  readonly attributes?: Readonly<Record<string, string | undefined>>;
  readonly reservedTcpPorts?: readonly number[];
  readonly reservedUdpPorts?: readonly number[];
  readonly gpuIds?: readonly string[];
  readonly tasks?: readonly PlacedTask[];
}

export function instance(id: string, spec: InstanceSpec = {}): InstanceState {
  return instanceState(
    {
      arn: `${ARN}${id}`,
      id,
      status: spec.status ?? 'ACTIVE',
      agentConnected: spec.agentConnected ?? true,
      attributes: new Map(Object.entries(spec.attributes ?? {})),
      registeredAt: Date.UTC(2024, 0, 1),
      agentVersion: '1.105.1',
      ec2InstanceId: `mi-${id.padStart(17, '0')}`,
      capacity: {
        cpu: spec.cpu ?? 2048,
        memory: spec.memory ?? 4096,
        reservedTcpPorts: new Set(spec.reservedTcpPorts ?? [22, 2375, 2376, 51678, 51679]),
        reservedUdpPorts: new Set(spec.reservedUdpPorts ?? []),
        gpuIds: spec.gpuIds ?? [],
      },
    },
    spec.tasks ?? [],
  );
}

export function cluster(...instances: InstanceState[]): ClusterSnapshot {
  return clusterSnapshot(instances);
}

export interface RequirementSpec extends Partial<Omit<TaskRequirements, 'memberOf'>> {
  readonly memberOf?: readonly string[];
}

export function requirements(spec: RequirementSpec = {}): TaskRequirements {
  const { memberOf, ...rest } = spec;
  return {
    group: 'family:web',
    cpu: 256,
    memory: 512,
    tcpPorts: [],
    udpPorts: [],
    dynamicPorts: 0,
    gpus: 0,
    requiresAttributes: [],
    distinctInstance: false,
    ...rest,
    memberOf: (memberOf ?? []).map(compileMemberOf),
  };
}

let taskCounter = 0;

/** A task already on an instance. */
export function running(
  group: string,
  held: Partial<PlacedTask['held']> = {},
  desiredRunning = true,
): PlacedTask {
  return {
    taskArn: `arn:aws:ecs:us-east-1:123456789012:task/c1/t${++taskCounter}`,
    group,
    desiredRunning,
    held: { cpu: 0, memory: 0, tcpPorts: [], udpPorts: [], gpuIds: [], ...held },
  };
}

/**
 * The stored shape of a registered task definition: the request copied through (fields Berth does not know yet
 * included, so a newer SDK's fields survive a round trip) with the defaults ECS fills in. Member order follows
 * the ECS model, so `describe-task-definition` output reads like ECS's.
 */
import type {
  ContainerDefinition,
  PortMapping,
  RegisterTaskDefinitionRequest,
  TaskDefinition,
  Volume,
} from '@aws-sdk/client-ecs';
import { computeCompatibilities } from './compatibilities.js';
import { networkModeOf } from './network.js';
import { computeRequiresAttributes } from './requires-attributes.js';
import { parseCpuUnits, parseMemoryMiB } from './units.js';

export interface TaskDefinitionContext {
  readonly arn: string;
  readonly revision: number;
  readonly registeredAt: Date;
  readonly registeredBy?: string;
}

/** ContainerDefinition members in model order. */
const CONTAINER_ORDER = [
  'name',
  'image',
  'repositoryCredentials',
  'cpu',
  'memory',
  'memoryReservation',
  'links',
  'portMappings',
  'essential',
  'restartPolicy',
  'entryPoint',
  'command',
  'environment',
  'environmentFiles',
  'mountPoints',
  'volumesFrom',
  'linuxParameters',
  'secrets',
  'dependsOn',
  'startTimeout',
  'stopTimeout',
  'versionConsistency',
  'hostname',
  'user',
  'workingDirectory',
  'disableNetworking',
  'privileged',
  'readonlyRootFilesystem',
  'dnsServers',
  'dnsSearchDomains',
  'extraHosts',
  'dockerSecurityOptions',
  'interactive',
  'pseudoTerminal',
  'dockerLabels',
  'ulimits',
  'logConfiguration',
  'healthCheck',
  'systemControls',
  'resourceRequirements',
  'firelensConfiguration',
  'credentialSpecs',
] as const satisfies readonly (keyof ContainerDefinition)[];

/** TaskDefinition members in model order. */
const TASK_ORDER = [
  'taskDefinitionArn',
  'containerDefinitions',
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'revision',
  'volumes',
  'status',
  'requiresAttributes',
  'placementConstraints',
  'compatibilities',
  'runtimePlatform',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'inferenceAccelerators',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'registeredAt',
  'deregisteredAt',
  'deleteRequestedAt',
  'registeredBy',
  'ephemeralStorage',
  'enableFaultInjection',
] as const satisfies readonly (keyof TaskDefinition)[];

/** The TaskDefinition ECS returns, with ECS's defaults filled in. Pure: no clock, no ids. Expects valid input. */
export function buildTaskDefinition(
  input: RegisterTaskDefinitionRequest,
  ctx: TaskDefinitionContext,
): TaskDefinition {
  // Tags travel beside the task definition in ECS responses, never inside it.
  const { tags: _tags, ...rest } = structuredClone(input);
  const networkMode = networkModeOf(input);
  const built: TaskDefinition = {
    ...rest,
    taskDefinitionArn: ctx.arn,
    containerDefinitions: (rest.containerDefinitions ?? []).map((c) => normaliseContainer(c, networkMode)),
    networkMode,
    revision: ctx.revision,
    volumes: (rest.volumes ?? []).map(normaliseVolume),
    status: 'ACTIVE',
    requiresAttributes: computeRequiresAttributes(input),
    placementConstraints: rest.placementConstraints ?? [],
    compatibilities: computeCompatibilities(input),
    registeredAt: ctx.registeredAt,
  };
  if (rest.cpu !== undefined) built.cpu = String(parseCpuUnits(rest.cpu) ?? rest.cpu);
  if (rest.memory !== undefined) built.memory = String(parseMemoryMiB(rest.memory) ?? rest.memory);
  if (ctx.registeredBy !== undefined) built.registeredBy = ctx.registeredBy;
  return ordered(built, TASK_ORDER);
}

function normaliseContainer(c: ContainerDefinition, networkMode: string): ContainerDefinition {
  return ordered(
    {
      ...c,
      cpu: c.cpu ?? 0,
      portMappings: (c.portMappings ?? []).map((p) => normalisePort(p, networkMode)),
      essential: c.essential ?? true,
      environment: c.environment ?? [],
      mountPoints: c.mountPoints ?? [],
      volumesFrom: c.volumesFrom ?? [],
      systemControls: c.systemControls ?? [],
    },
    CONTAINER_ORDER,
  );
}

/** tcp is the default protocol; in host and awsvpc modes the host port is the container port, so ECS says so. */
function normalisePort(p: PortMapping, networkMode: string): PortMapping {
  const out: PortMapping = { ...p };
  if (out.containerPortRange === undefined && out.hostPort === undefined) {
    if (networkMode === 'host' || networkMode === 'awsvpc') out.hostPort = out.containerPort;
  }
  out.protocol = p.protocol ?? 'tcp';
  return ordered(out, ['containerPort', 'hostPort', 'protocol', 'name', 'appProtocol', 'containerPortRange']);
}

/** A volume with no configuration is a host volume with a Docker-managed path: ECS shows it as `host: {}`. */
function normaliseVolume(v: Volume): Volume {
  const configured =
    v.host !== undefined ||
    v.dockerVolumeConfiguration !== undefined ||
    v.efsVolumeConfiguration !== undefined ||
    v.fsxWindowsFileServerVolumeConfiguration !== undefined ||
    v.s3filesVolumeConfiguration !== undefined ||
    v.configuredAtLaunch === true;
  return configured ? v : { ...v, host: {} };
}

/** The same object with `order`'s keys first, then any others in their original order; undefined values dropped. */
function ordered<T extends object>(value: T, order: readonly string[]): T {
  const out: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  for (const key of [...order, ...Object.keys(source)]) {
    if (key in out) continue;
    const v = source[key];
    if (v !== undefined) out[key] = v;
  }
  return out as T;
}

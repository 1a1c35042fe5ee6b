/**
 * What the agent tells RegisterContainerInstance about its host, in the form the ECS agent sends it
 * (`agent/app/agent_capability.go`, `ecs-agent/api/ecs/client/ecs_client.go`): total resources, the built-in
 * and capability attributes, and custom attributes. The builders are pure; reading the host is separate.
 */
import { readFileSync } from 'node:fs';
import { arch, availableParallelism, totalmem } from 'node:os';
import type { Attribute, Resource } from '@aws-sdk/client-ecs';
import { ConfigError } from '../util/options.js';

/** ECS's CPU units: 1024 per core. */
export const CPU_UNITS_PER_CORE = 1024;
const MIB = 1024 * 1024;

export interface HostResources {
  readonly cpuCores: number;
  /** MemTotal, in MiB. */
  readonly memoryMiB: number;
  /** As ECS names it: `x86_64` or `arm64` (other Node architectures pass through unchanged). */
  readonly cpuArchitecture: string;
}

/** The host as the agent sees it: cores it may use, physical memory, architecture. */
export function readHostResources(meminfoFile = '/proc/meminfo'): HostResources {
  return {
    // The cores this process may run on (it honours CPU affinity), as Go's runtime.NumCPU does for ECS.
    cpuCores: availableParallelism(),
    memoryMiB: memTotalMiB(meminfoFile) ?? Math.floor(totalmem() / MIB),
    cpuArchitecture: cpuArchitecture(arch()),
  };
}

/** `MemTotal` from /proc/meminfo (kB), as the ECS agent reads it; undefined where there is no such file. */
export function memTotalMiB(meminfoFile: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(meminfoFile, 'utf8');
  } catch {
    return undefined;
  }
  const kb = /^MemTotal:\s+(\d+)\s*kB/m.exec(text)?.[1];
  return kb === undefined ? undefined : Math.floor(Number(kb) / 1024);
}

export function cpuArchitecture(nodeArch: string): string {
  if (nodeArch === 'x64') return 'x86_64';
  return nodeArch;
}

export interface ResourceSettings {
  readonly reservedMemoryMiB: number;
  readonly reservedPorts: readonly number[];
  readonly reservedUdpPorts: readonly number[];
}

/** CPU (cores × 1024), MEMORY (MiB less the reservation), and the reserved TCP and UDP ports. */
export function totalResources(host: HostResources, settings: ResourceSettings): Resource[] {
  const memory = host.memoryMiB - settings.reservedMemoryMiB;
  if (memory <= 0) {
    throw new ConfigError(
      `--reserved-memory ${settings.reservedMemoryMiB} MiB leaves no memory for tasks on this host ` +
        `(${host.memoryMiB} MiB in all). Reserve less.`,
    );
  }
  return [
    { name: 'CPU', type: 'INTEGER', integerValue: host.cpuCores * CPU_UNITS_PER_CORE },
    { name: 'MEMORY', type: 'INTEGER', integerValue: memory },
    { name: 'PORTS', type: 'STRINGSET', stringSetValue: settings.reservedPorts.map(String) },
    { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: settings.reservedUdpPorts.map(String) },
  ];
}

const LEGACY = 'com.amazonaws.ecs.capability.';
const CAP = 'ecs.capability.';

/**
 * Docker Engine API versions the agent reports, as the ECS agent does for every version the engine speaks.
 * 1.17 is the oldest the ECS agent knows; 1.44 is Docker 25, the engine of current distributions. Task
 * definitions require some of them (`requiresAttributes`, e.g. 1.21 for memoryReservation).
 */
export const DOCKER_API_VERSIONS: readonly string[] = Array.from(
  { length: 44 - 17 + 1 },
  (_, i) => `1.${17 + i}`,
);

/**
 * The logging drivers Berth runs containers with: those every Docker engine ships without plugins, and
 * awslogs, which the agent runs itself (agent/logs/).
 */
export const LOGGING_DRIVERS = ['json-file', 'syslog', 'journald', 'none', 'awslogs'] as const;

/**
 * The capabilities Berth's agent honours, named exactly as task definitions require them
 * (`src/domain/task-definition/requires-attributes.ts`), so placement finds this host for such tasks.
 * Only what the engine will really do is listed: no task IAM roles, ECR or secrets yet. awslogs ships with
 * the instance's own credentials until execution roles come, so a task naming one still places.
 */
export const CAPABILITY_ATTRIBUTES: readonly string[] = [
  ...DOCKER_API_VERSIONS.map((v) => `${LEGACY}docker-remote-api.${v}`),
  ...LOGGING_DRIVERS.map((d) => `${LEGACY}logging-driver.${d}`),
  `${LEGACY}privileged-container`,
  `${CAP}container-health-check`,
  `${CAP}container-ordering`,
  `${CAP}docker-plugin.local`,
  `${CAP}container-restart-policy`,
  `${CAP}execution-role-awslogs`,
];

/**
 * The attributes of a registration: `ecs.capability.external` (this is an ECS Anywhere instance), the OS and
 * architecture, the capabilities, and custom attributes. ECS sends custom ones only on the first
 * registration (later ones would undo PutAttributes/DeleteAttributes); `custom` is undefined after that.
 */
export function instanceAttributes(
  cpuArchitecture: string,
  custom: Readonly<Record<string, string>> | undefined,
): Attribute[] {
  return [
    { name: `${CAP}external` },
    { name: 'ecs.os-type', value: 'linux' },
    { name: 'ecs.os-family', value: 'LINUX' },
    { name: 'ecs.cpu-architecture', value: cpuArchitecture },
    ...CAPABILITY_ATTRIBUTES.map((name) => ({ name })),
    ...Object.entries(custom ?? {}).map(([name, value]) => ({ name, value })),
  ];
}

/**
 * Which launch types a task definition can run on. ECS answers this twice: `compatibilities` in the response
 * lists every launch type the definition fits, and each launch type in `requiresCompatibilities` that it does
 * not fit is refused with a ClientException. Both come from the same list of reasons here, so they can never
 * disagree.
 *
 * EC2 accepts everything the model can express. EXTERNAL (ECS Anywhere) lacks the AWS-side networking and
 * storage integrations. FARGATE needs awsvpc and one of its fixed CPU/memory sizes, and forbids host-level
 * features. MANAGED_INSTANCES is passed through: Berth does not run it and does not judge its rules.
 */
import type { Compatibility, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { networkModeOf } from './network.js';
import { parseCpuUnits, parseMemoryMiB } from './units.js';

/** Fargate task sizes: CPU units → allowed memory (MiB) as [from, to, step]. */
const FARGATE_SIZES: ReadonlyMap<number, readonly [number, number, number][]> = new Map([
  [
    256,
    [
      [512, 512, 1],
      [1024, 2048, 1024],
    ],
  ],
  [512, [[1024, 4096, 1024]]],
  [1024, [[2048, 8192, 1024]]],
  [2048, [[4096, 16384, 1024]]],
  [4096, [[8192, 30720, 1024]]],
  [8192, [[16384, 61440, 4096]]],
  [16384, [[32768, 122880, 8192]]],
]);

const FARGATE_MAX_TIMEOUT = 120;

/** Why the definition cannot run on `launchType`; empty when it can. Messages are user-facing. */
export function incompatibilityReasons(
  input: RegisterTaskDefinitionRequest,
  launchType: Compatibility,
): string[] {
  switch (launchType) {
    case 'EXTERNAL':
      return externalReasons(input);
    case 'FARGATE':
      return fargateReasons(input);
    default:
      return [];
  }
}

/**
 * Launch types in ECS's order: EXTERNAL, EC2, FARGATE (ECS answers ["EXTERNAL","EC2"] for a bridge definition
 * and ["EC2","FARGATE"] for an awsvpc one), then MANAGED_INSTANCES when it was asked for.
 */
export function computeCompatibilities(input: RegisterTaskDefinitionRequest): Compatibility[] {
  const out: Compatibility[] = [];
  if (externalReasons(input).length === 0) out.push('EXTERNAL');
  out.push('EC2');
  if (fargateReasons(input).length === 0) out.push('FARGATE');
  if (input.requiresCompatibilities?.includes('MANAGED_INSTANCES')) out.push('MANAGED_INSTANCES');
  return out;
}

function externalReasons(input: RegisterTaskDefinitionRequest): string[] {
  const reasons: string[] = [];
  const unsupported = (what: string, fix: string): void => {
    reasons.push(`${what} is not supported on EXTERNAL (ECS Anywhere) instances. ${fix}`);
  };
  if (networkModeOf(input) === 'awsvpc') {
    unsupported("Network mode 'awsvpc'", "Use 'bridge', 'host' or 'none'.");
  }
  for (const v of input.volumes ?? []) {
    const name = `Volume '${v.name ?? ''}'`;
    const fix = 'Use a host or Docker volume instead.';
    if (v.efsVolumeConfiguration) unsupported(`${name} uses efsVolumeConfiguration, which`, fix);
    if (v.fsxWindowsFileServerVolumeConfiguration) {
      unsupported(`${name} uses fsxWindowsFileServerVolumeConfiguration, which`, fix);
    }
    if (v.s3filesVolumeConfiguration) unsupported(`${name} uses s3filesVolumeConfiguration, which`, fix);
    if (v.configuredAtLaunch) unsupported(`${name} is configuredAtLaunch (an EBS volume), which`, fix);
  }
  if (input.proxyConfiguration) unsupported('proxyConfiguration (App Mesh)', 'Remove proxyConfiguration.');
  if ((input.inferenceAccelerators ?? []).length > 0) {
    unsupported('inferenceAccelerators (Elastic Inference)', 'Remove inferenceAccelerators.');
  }
  return reasons;
}

function fargateReasons(input: RegisterTaskDefinitionRequest): string[] {
  const reasons: string[] = [];
  if (networkModeOf(input) !== 'awsvpc') reasons.push("Fargate only supports network mode 'awsvpc'.");
  if (input.cpu === undefined) reasons.push("Fargate requires that 'cpu' be defined at the task level.");
  if (input.memory === undefined)
    reasons.push("Fargate requires that 'memory' be defined at the task level.");
  if (input.cpu !== undefined && input.memory !== undefined) {
    const cpu = parseCpuUnits(input.cpu);
    const memory = parseMemoryMiB(input.memory);
    if (cpu === undefined || memory === undefined || !fargateSizeExists(cpu, memory)) {
      reasons.push(
        `No Fargate configuration exists for given values: ${cpu ?? input.cpu} CPU, ` +
          `${memory ?? input.memory} memory. See the Amazon ECS documentation for the valid values.`,
      );
    }
  }
  if (input.pidMode === 'host')
    reasons.push("Fargate does not support pidMode 'host'. Use 'task' or omit it.");
  if (input.ipcMode !== undefined) reasons.push('Fargate does not support ipcMode. Remove it.');
  for (const v of input.volumes ?? []) {
    if (v.host?.sourcePath !== undefined) {
      reasons.push(`Fargate does not support host volumes with a sourcePath (volume '${v.name ?? ''}').`);
    }
    if (v.dockerVolumeConfiguration) {
      reasons.push(`Fargate does not support dockerVolumeConfiguration (volume '${v.name ?? ''}').`);
    }
  }
  for (const c of input.containerDefinitions ?? []) {
    const where = `container '${c.name ?? ''}'`;
    if (c.privileged === true) reasons.push(`Fargate does not support privileged containers (${where}).`);
    for (const field of ['startTimeout', 'stopTimeout'] as const) {
      const t = c[field];
      if (t !== undefined && (t < 2 || t > FARGATE_MAX_TIMEOUT)) {
        reasons.push(`Invalid '${field}' for ${where}: the valid values for Fargate are 2-120 seconds.`);
      }
    }
    const lp = c.linuxParameters;
    if (lp) {
      for (const field of ['devices', 'sharedMemorySize', 'tmpfs', 'maxSwap', 'swappiness'] as const) {
        if (lp[field] !== undefined)
          reasons.push(`Fargate does not support linuxParameters.${field} (${where}).`);
      }
      const added = (lp.capabilities?.add ?? []).filter((cap) => cap !== 'SYS_PTRACE');
      if (added.length > 0) {
        reasons.push(
          `Fargate only supports adding the SYS_PTRACE capability (${where} adds ${added.join(', ')}).`,
        );
      }
    }
  }
  return reasons;
}

function fargateSizeExists(cpu: number, memory: number): boolean {
  return (FARGATE_SIZES.get(cpu) ?? []).some(
    ([from, to, step]) => memory >= from && memory <= to && (memory - from) % step === 0,
  );
}

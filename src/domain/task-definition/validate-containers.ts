/**
 * Rules for one container definition on its own. Rules that relate containers to each other (names, links,
 * dependencies, ports across the task, resource totals) live in validate-task.ts, validate-ports.ts and
 * validate-references.ts.
 */
import type { ContainerDefinition, HealthCheck } from '@aws-sdk/client-ecs';
import { validateName } from '../validate/names.js';
import { clientError } from '../../ecs/errors.js';
import type { TaskFacts } from './facts.js';
import { containerError } from './facts.js';
import { MAX_IMAGE_NAME_LENGTH, MIN_CONTAINER_MEMORY_MIB } from './limits.js';
import { validateLinuxParameters, validateSystemControls } from './validate-linux.js';

/** Letters, numbers, hyphens, underscores, colons, periods, forward slashes and number signs (image doc). */
const IMAGE_NAME = /^[A-Za-z0-9\-_:./#]+$/;
const IMAGE_DIGEST = /^sha256:[A-Fa-f0-9]{64}$/;
const HEALTH_CHECK_KINDS = new Set(['CMD', 'CMD-SHELL', 'NONE']);

export function validateContainer(c: ContainerDefinition, facts: TaskFacts): void {
  if (c.name === undefined || c.name === '') {
    throw clientError("Container.name should not be null or empty. Give every container a 'name'.");
  }
  validateName('container', c.name);
  validateImage(c);
  validateResources(c, facts);
  validateEnvironment(c);
  validateLogging(c);
  validateHosts(c, facts);
  if (c.healthCheck !== undefined) validateHealthCheck(c, c.healthCheck);
  validateTimeouts(c);
  validateRestartPolicy(c);
  validateUlimits(c);
  validateLinuxParameters(c);
  validateSystemControls(c, facts);
}

function validateImage(c: ContainerDefinition): void {
  const image = c.image;
  if (image === undefined || image.trim() === '') {
    throw clientError(`Container.image should not be null or empty. Set 'image' for container '${c.name}'.`);
  }
  const at = image.indexOf('@');
  const name = at < 0 ? image : image.slice(0, at);
  if (name.length > MAX_IMAGE_NAME_LENGTH) {
    throw containerError(c, `The image name is longer than ${MAX_IMAGE_NAME_LENGTH} characters.`);
  }
  if (!IMAGE_NAME.test(name)) {
    throw containerError(
      c,
      `Image '${image}' is not valid: use letters, numbers, hyphens, underscores, colons, periods, ` +
        'forward slashes and number signs, as repository-url/image:tag or repository-url/image@digest.',
    );
  }
  if (at >= 0 && !IMAGE_DIGEST.test(image.slice(at + 1))) {
    throw containerError(
      c,
      `Image '${image}' has an invalid digest: use '@sha256:' followed by 64 hex digits.`,
    );
  }
}

function validateResources(c: ContainerDefinition, facts: TaskFacts): void {
  if (c.cpu !== undefined && c.cpu < 0) {
    throw containerError(c, `'cpu' must be 0 or more CPU units (1024 units = 1 vCPU); got ${c.cpu}.`);
  }
  if (facts.taskCpu !== undefined && c.cpu !== undefined && c.cpu > facts.taskCpu) {
    throw containerError(c, `Its 'cpu' (${c.cpu}) is greater than the task 'cpu' (${facts.taskCpu}).`);
  }
  const { memory, memoryReservation } = c;
  if (memory !== undefined && memory < MIN_CONTAINER_MEMORY_MIB) {
    throw containerError(c, `'memory' must be at least ${MIN_CONTAINER_MEMORY_MIB} MiB; got ${memory}.`);
  }
  if (memoryReservation !== undefined && memoryReservation < 1) {
    throw containerError(
      c,
      `'memoryReservation' must be a positive number of MiB; got ${memoryReservation}.`,
    );
  }
  if (facts.taskMemory === undefined && memory === undefined && memoryReservation === undefined) {
    throw containerError(c, "At least one of 'memory' or 'memoryReservation' must be specified.");
  }
  // The reference says "greater than", but ECS accepts equal values and its docs were corrected to say so.
  if (memory !== undefined && memoryReservation !== undefined && memoryReservation > memory) {
    throw containerError(
      c,
      `'memoryReservation' (${memoryReservation}) must not be greater than 'memory' (${memory}), its hard limit.`,
    );
  }
  if (facts.taskMemory !== undefined && memory !== undefined && memory > facts.taskMemory) {
    throw containerError(
      c,
      `Its 'memory' (${memory}) is greater than the task 'memory' (${facts.taskMemory}).`,
    );
  }
  for (const r of c.resourceRequirements ?? []) {
    if (r.type === 'GPU' && !/^[1-9]\d*$/.test(r.value ?? '')) {
      throw containerError(
        c,
        `A GPU resourceRequirement needs a positive whole number of GPUs; got '${r.value}'.`,
      );
    }
  }
  const gpus = (c.resourceRequirements ?? []).filter((r) => r.type === 'GPU');
  if (gpus.length > 1) throw containerError(c, 'Give at most one GPU resourceRequirement.');
}

function validateEnvironment(c: ContainerDefinition): void {
  const names = new Set<string>();
  for (const e of c.environment ?? []) {
    if (e.name === undefined || e.name === '') {
      throw containerError(c, "Every environment variable needs a non-empty 'name'.");
    }
    if (names.has(e.name)) {
      throw containerError(
        c,
        `Environment variable '${e.name}' is given more than once. Give each name once.`,
      );
    }
    names.add(e.name);
  }
  const secretNames = new Set<string>();
  for (const s of c.secrets ?? []) {
    if (!s.name || !s.valueFrom)
      throw containerError(c, "Every secret needs a non-empty 'name' and 'valueFrom'.");
    if (secretNames.has(s.name) || names.has(s.name)) {
      throw containerError(c, `Secret '${s.name}' duplicates another secret or environment variable name.`);
    }
    secretNames.add(s.name);
  }
  for (const f of c.environmentFiles ?? []) {
    if (!f.value)
      throw containerError(c, "Every environmentFiles entry needs a non-empty 'value' (an S3 ARN).");
  }
  for (const key of Object.keys(c.dockerLabels ?? {})) {
    if (key === '') throw containerError(c, 'dockerLabels keys must not be empty.');
  }
}

function validateLogging(c: ContainerDefinition): void {
  const log = c.logConfiguration;
  if (log === undefined) return;
  for (const key of Object.keys(log.options ?? {})) {
    if (key === '') throw containerError(c, 'logConfiguration.options keys must not be empty.');
  }
  for (const s of log.secretOptions ?? []) {
    if (!s.name || !s.valueFrom) {
      throw containerError(c, "Every logConfiguration.secretOptions entry needs a 'name' and a 'valueFrom'.");
    }
  }
}

function validateHosts(c: ContainerDefinition, facts: TaskFacts): void {
  for (const h of c.extraHosts ?? []) {
    if (!h.hostname || !h.ipAddress) {
      throw containerError(c, "Every extraHosts entry needs a non-empty 'hostname' and 'ipAddress'.");
    }
  }
  if (facts.networkMode === 'awsvpc') {
    if ((c.extraHosts ?? []).length > 0) {
      throw containerError(c, "extraHosts is not supported with network mode 'awsvpc'. Remove it.");
    }
    if (c.hostname !== undefined) {
      throw containerError(c, "hostname is not supported with network mode 'awsvpc'. Remove it.");
    }
  }
}

function validateHealthCheck(c: ContainerDefinition, h: HealthCheck): void {
  const [kind, ...rest] = h.command ?? [];
  if (kind === undefined || !HEALTH_CHECK_KINDS.has(kind)) {
    throw containerError(
      c,
      "healthCheck.command must start with 'CMD' (run the arguments directly) or 'CMD-SHELL' (run them in " +
        `the container's shell), e.g. ["CMD-SHELL", "curl -f http://localhost/ || exit 1"].`,
    );
  }
  if (kind !== 'NONE' && (rest.length === 0 || rest.every((arg) => arg === ''))) {
    throw containerError(c, `healthCheck.command needs a command after '${kind}'.`);
  }
  const ranges = [
    ['interval', h.interval, 5, 300],
    ['timeout', h.timeout, 2, 60],
    ['retries', h.retries, 1, 10],
    ['startPeriod', h.startPeriod, 0, 300],
  ] as const;
  for (const [field, value, min, max] of ranges) {
    if (value !== undefined && (value < min || value > max)) {
      throw containerError(c, `healthCheck.${field} must be between ${min} and ${max}; got ${value}.`);
    }
  }
}

function validateTimeouts(c: ContainerDefinition): void {
  // Fargate caps both at 120 s (see compatibilities.ts); EC2 and EXTERNAL only need them not to be negative.
  for (const field of ['startTimeout', 'stopTimeout'] as const) {
    const value = c[field];
    if (value !== undefined && value < 0) {
      throw containerError(c, `'${field}' must be 0 or more seconds; got ${value}.`);
    }
  }
}

function validateRestartPolicy(c: ContainerDefinition): void {
  const p = c.restartPolicy;
  if (p === undefined) return;
  if ((p.ignoredExitCodes ?? []).length > 50) {
    throw containerError(c, 'restartPolicy.ignoredExitCodes can list at most 50 exit codes.');
  }
  const period = p.restartAttemptPeriod;
  if (period !== undefined && (period < 60 || period > 1800)) {
    throw containerError(
      c,
      `restartPolicy.restartAttemptPeriod must be between 60 and 1800 seconds; got ${period}.`,
    );
  }
}

function validateUlimits(c: ContainerDefinition): void {
  const seen = new Set<string>();
  for (const u of c.ulimits ?? []) {
    const name = u.name ?? '';
    if (seen.has(name)) throw containerError(c, `ulimit '${name}' is given more than once.`);
    seen.add(name);
    const soft = u.softLimit ?? 0;
    const hard = u.hardLimit ?? 0;
    // Docker reads -1 as "unlimited"; anything is at most unlimited, and unlimited exceeds any number.
    const softExceedsHard = hard !== -1 && (soft === -1 || soft > hard);
    if (softExceedsHard) {
      throw containerError(c, `ulimit '${name}' has softLimit ${soft} above hardLimit ${hard}.`);
    }
  }
}

/**
 * The `overrides` of RunTask and StartTask: checked in two steps, because only the second needs the task
 * definition. `normalizeOverrides` checks the shape and returns the overrides as ECS records them on the
 * task (`containerOverrides` and `inferenceAcceleratorOverrides` always present); `checkOverridesAgainst`
 * then checks them against the definition they apply to.
 */
import type { ContainerOverride, TaskDefinition, TaskOverride } from '@aws-sdk/client-ecs';
import { parseCpuUnits, parseMemoryMiB } from '../../domain/task-definition/units.js';
import { invalidParameter } from '../../ecs/errors.js';
import { MAX_TASK_CPU, MIN_CONTAINER_MEMORY_MIB, MIN_TASK_CPU } from '../../domain/task-definition/limits.js';

/** RunTaskRequest.overrides doc: "A total of 8192 characters are allowed for overrides", JSON included. */
export const MAX_OVERRIDES_CHARS = 8192;

export function normalizeOverrides(overrides: TaskOverride | undefined): TaskOverride {
  const given = overrides ?? {};
  const size = JSON.stringify(given).length;
  if (size > MAX_OVERRIDES_CHARS) {
    throw invalidParameter(
      `Overrides are ${size} characters of JSON; at most ${MAX_OVERRIDES_CHARS} are allowed. Move large ` +
        'values (long commands, many environment variables) into the task definition.',
    );
  }
  if ((given.inferenceAcceleratorOverrides ?? []).length > 0) {
    throw invalidParameter(
      'inferenceAcceleratorOverrides are not supported: Elastic Inference is not available on EXTERNAL instances.',
    );
  }
  if (given.ephemeralStorage !== undefined) {
    throw invalidParameter(
      'ephemeralStorage applies only to tasks on Fargate; on EXTERNAL instances a task uses the host disk. ' +
        'Remove overrides.ephemeralStorage.',
    );
  }
  if (given.cpu !== undefined) checkTaskCpu(given.cpu);
  if (given.memory !== undefined) checkTaskMemory(given.memory);
  const seen = new Set<string>();
  for (const c of given.containerOverrides ?? []) {
    checkContainerOverride(c);
    if (seen.has(c.name ?? '')) {
      throw invalidParameter(`containerOverrides names container '${c.name}' more than once. Merge them.`);
    }
    seen.add(c.name ?? '');
  }
  return {
    ...given,
    containerOverrides: given.containerOverrides ?? [],
    inferenceAcceleratorOverrides: [],
  };
}

/** Every override must name a container of the definition, and memory must stay above its reservation. */
export function checkOverridesAgainst(definition: TaskDefinition, overrides: TaskOverride): void {
  const containers = new Map((definition.containerDefinitions ?? []).map((c) => [c.name ?? '', c]));
  for (const o of overrides.containerOverrides ?? []) {
    const c = containers.get(o.name ?? '');
    if (c === undefined) {
      // ECS's sentence, then the names that would have worked.
      throw invalidParameter(
        `Override for container named ${o.name} is not a container in the TaskDefinition. ` +
          `Its containers are: ${[...containers.keys()].join(', ')}.`,
      );
    }
    const memory = o.memory ?? c.memory;
    const reservation = o.memoryReservation ?? c.memoryReservation;
    if (memory !== undefined && reservation !== undefined && reservation > memory) {
      throw invalidParameter(
        `Container '${o.name}': memoryReservation (${reservation}) must not be greater than memory ` +
          `(${memory}), its hard limit.`,
      );
    }
  }
}

function checkContainerOverride(c: ContainerOverride): void {
  if (c.name === undefined || c.name === '') {
    throw invalidParameter("Every container override needs the 'name' of the container it applies to.");
  }
  const where = `Container override '${c.name}'`;
  if (c.cpu !== undefined && (!Number.isInteger(c.cpu) || c.cpu < 0)) {
    throw invalidParameter(`${where}: cpu must be a whole number of CPU units, 0 or more; got ${c.cpu}.`);
  }
  for (const field of ['memory', 'memoryReservation'] as const) {
    const value = c[field];
    if (value !== undefined && (!Number.isInteger(value) || value < MIN_CONTAINER_MEMORY_MIB)) {
      throw invalidParameter(
        `${where}: ${field} must be a whole number of MiB, at least ${MIN_CONTAINER_MEMORY_MIB}; got ${value}.`,
      );
    }
  }
  for (const e of c.environment ?? []) {
    if (e.name === undefined || e.name === '') {
      throw invalidParameter(`${where}: every environment variable needs a non-empty 'name'.`);
    }
  }
  for (const r of c.resourceRequirements ?? []) {
    if (r.type !== 'GPU') {
      throw invalidParameter(
        `${where}: only GPU resource requirements can be overridden on EXTERNAL instances; got ${r.type}.`,
      );
    }
    if (!/^[1-9][0-9]{0,3}$/.test(r.value ?? '')) {
      throw invalidParameter(
        `${where}: a GPU requirement's value is a whole number of GPUs; got '${r.value}'.`,
      );
    }
  }
}

function checkTaskCpu(value: string): void {
  const units = parseCpuUnits(value);
  if (units === undefined || units < MIN_TASK_CPU || units > MAX_TASK_CPU) {
    throw invalidParameter(
      `Invalid cpu override '${value}': give CPU units between ${MIN_TASK_CPU} and ${MAX_TASK_CPU} ` +
        '(e.g. "1024") or vCPUs (e.g. "1 vCPU").',
    );
  }
}

function checkTaskMemory(value: string): void {
  const mib = parseMemoryMiB(value);
  if (mib === undefined || mib < MIN_CONTAINER_MEMORY_MIB) {
    throw invalidParameter(
      `Invalid memory override '${value}': give MiB (e.g. "512", at least ${MIN_CONTAINER_MEMORY_MIB}) or ` +
        'GB (e.g. "1GB").',
    );
  }
}

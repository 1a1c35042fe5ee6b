/**
 * Task-level `cpu` and `memory` arrive as strings: ECS accepts plain units ("1024") or a unit suffix
 * ("1 vCPU", "0.25 vcpu", "2GB", "0.5 gb") and stores the integer string. Only the documented spellings are
 * accepted, so a typo such as "512m" is an error instead of a guess.
 */
import { clientError } from '../../ecs/errors.js';
import { MAX_TASK_CPU, MIN_CONTAINER_MEMORY_MIB, MIN_TASK_CPU } from './limits.js';

const INTEGER = /^\s*(\d+)\s*$/;
const VCPU = /^\s*(\d+(?:\.\d+)?)\s*vcpus?\s*$/i;
const GB = /^\s*(\d+(?:\.\d+)?)\s*gb\s*$/i;

/** CPU units from a task `cpu` string, or undefined when the string is not a valid spelling. */
export function parseCpuUnits(value: string): number | undefined {
  const plain = INTEGER.exec(value);
  if (plain) return Number(plain[1]);
  const vcpu = VCPU.exec(value);
  if (vcpu) return wholeOrUndefined(Number(vcpu[1]) * 1024);
  return undefined;
}

/** MiB from a task `memory` string, or undefined when the string is not a valid spelling. */
export function parseMemoryMiB(value: string): number | undefined {
  const plain = INTEGER.exec(value);
  if (plain) return Number(plain[1]);
  const gb = GB.exec(value);
  if (gb) return wholeOrUndefined(Number(gb[1]) * 1024);
  return undefined;
}

/** The task's CPU units, checked against the EC2/EXTERNAL range; throws ClientException when invalid. */
export function taskCpuUnits(value: string): number {
  const units = parseCpuUnits(value);
  if (units === undefined || units < MIN_TASK_CPU || units > MAX_TASK_CPU) {
    throw clientError(
      `Invalid 'cpu' setting for task. Give CPU units between ${MIN_TASK_CPU} and ${MAX_TASK_CPU} ` +
        `(e.g. "1024") or vCPUs (e.g. "1 vCPU", "0.25 vcpu"); got '${value}'.`,
    );
  }
  return units;
}

/** The task's memory in MiB; throws ClientException when invalid. */
export function taskMemoryMiB(value: string): number {
  const mib = parseMemoryMiB(value);
  // ECS documents no upper bound for EC2/EXTERNAL (the host decides); the floor is Docker's per-container one.
  if (mib === undefined || mib < MIN_CONTAINER_MEMORY_MIB) {
    throw clientError(
      `Invalid 'memory' setting for task. Give MiB (e.g. "512", at least ${MIN_CONTAINER_MEMORY_MIB}) ` +
        `or GB (e.g. "1GB", "0.5 GB"); got '${value}'.`,
    );
  }
  return mib;
}

/** "0.3 vCPU" is 307.2 units: ECS stores integers, so a fraction that does not land on one is refused. */
function wholeOrUndefined(n: number): number | undefined {
  return Number.isInteger(n) ? n : undefined;
}

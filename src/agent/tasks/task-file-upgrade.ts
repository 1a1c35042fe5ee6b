/**
 * Task state files an older agent wrote, brought to today's payload, so an agent upgraded while tasks run
 * keeps running them as delivered. Format 1 held the payload as Berth sent it before it followed ACS:
 * task-level `cpu` in CPU units (now vCPUs) and a container `linuxParameters` member (now inside
 * `dockerConfig.hostConfig`, where both the ECS agent and Berth's read it). Pure.
 */
import { linuxHostConfig, type LinuxParametersInput } from '../../acs/linux-host-config.js';
import type { AcsContainer, AcsTask } from '../../acs/payload.js';
import type { TaskState } from './contracts.js';

const CPU_UNITS_PER_VCPU = 1024;

type V1Container = AcsContainer & { readonly linuxParameters?: LinuxParametersInput };

/** The state as format 2 reads it. */
export function upgradeFromFormat1(state: TaskState): TaskState {
  const task: AcsTask = {
    ...state.task,
    ...(state.task.cpu !== undefined && { cpu: state.task.cpu / CPU_UNITS_PER_VCPU }),
    containers: state.task.containers.map((c) => upgradeContainer(c)),
  };
  return { ...state, task };
}

function upgradeContainer(container: V1Container): AcsContainer {
  const { linuxParameters, ...rest } = container;
  const linux = linuxHostConfig(linuxParameters, container.memory);
  if (Object.keys(linux).length === 0) return rest;
  let fragment: object;
  try {
    const parsed: unknown = JSON.parse(rest.dockerConfig?.hostConfig ?? '{}');
    if (parsed === null || typeof parsed !== 'object') return rest;
    fragment = parsed;
  } catch {
    // The engine reports a fragment it cannot read as the container's reason; that stays its job.
    return rest;
  }
  return {
    ...rest,
    // The members came first and the fragment won over them, as the engine merges them today.
    dockerConfig: { ...rest.dockerConfig, hostConfig: JSON.stringify({ ...linux, ...fragment }) },
  };
}

import type { ContainerDefinition, NetworkMode, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { clientError } from '../../ecs/errors.js';
import type { ApiError } from '../../ecs/errors.js';
import { networkModeOf } from './network.js';

/** What the per-container rules need to know about the whole task, worked out once. */
export interface TaskFacts {
  readonly networkMode: NetworkMode;
  readonly ipcMode: string | undefined;
  /** Task-level CPU units and memory MiB, when the task sets them (already validated). */
  readonly taskCpu: number | undefined;
  readonly taskMemory: number | undefined;
}

export function taskFacts(
  input: RegisterTaskDefinitionRequest,
  taskCpu: number | undefined,
  taskMemory: number | undefined,
): TaskFacts {
  return { networkMode: networkModeOf(input), ipcMode: input.ipcMode, taskCpu, taskMemory };
}

/** ECS's phrasing for a bad container setting: "Invalid setting for container 'web'. <what to do>" */
export function containerError(c: ContainerDefinition, message: string): ApiError {
  return clientError(`Invalid setting for container '${c.name ?? ''}'. ${message}`);
}

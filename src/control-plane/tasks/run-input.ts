/**
 * The parameters RunTask and StartTask share, checked before anything is read: a request refused here has
 * touched nothing. What needs the task definition (container names of overrides, its constraints and tags)
 * is checked in `task-template.ts`, inside the transaction that creates the tasks.
 */
import type {
  NetworkConfiguration,
  PropagateTags,
  Tag,
  TaskOverride,
  TaskVolumeConfiguration,
} from '@aws-sdk/client-ecs';
import { ApiError, invalidParameter } from '../../ecs/errors.js';
import { validateTags } from '../../domain/validate/tags.js';
import { normalizeOverrides } from './overrides.js';

/** Task group names: up to 255 characters (ECS task groups doc). */
export const MAX_GROUP_LENGTH = 255;
/** startedBy: "Up to 128 letters (uppercase and lowercase), numbers, hyphens (-), forward slash (/), and underscores". */
const STARTED_BY = /^[A-Za-z0-9\-/_]{1,128}$/;

/** The members RunTaskRequest and StartTaskRequest have in common. */
export interface SharedTaskRequest {
  readonly taskDefinition?: string;
  readonly overrides?: TaskOverride;
  readonly group?: string;
  readonly startedBy?: string;
  readonly tags?: Tag[];
  readonly enableECSManagedTags?: boolean;
  readonly enableExecuteCommand?: boolean;
  readonly propagateTags?: PropagateTags;
  readonly networkConfiguration?: NetworkConfiguration;
  readonly volumeConfigurations?: TaskVolumeConfiguration[];
}

export interface SharedTaskInput {
  readonly taskDefinition: string;
  /** Normalised: `containerOverrides` and `inferenceAcceleratorOverrides` always present. */
  readonly overrides: TaskOverride;
  readonly group?: string;
  readonly startedBy?: string;
  readonly tags: readonly Tag[];
  readonly enableECSManagedTags: boolean;
  /** propagateTags TASK_DEFINITION. */
  readonly propagateFromDefinition: boolean;
}

export function validateSharedInput(input: SharedTaskRequest): SharedTaskInput {
  const taskDefinition = input.taskDefinition ?? '';
  if (taskDefinition.trim() === '') {
    throw invalidParameter('taskDefinition can not be empty. Give a family, family:revision or ARN.');
  }
  if (input.networkConfiguration !== undefined) {
    // ECS's sentence for a network configuration on a task that is not awsvpc, plus why.
    throw invalidParameter(
      'Network Configuration is not valid for the given networkMode of this task definition. ' +
        'networkConfiguration applies only to awsvpc tasks, which EXTERNAL instances do not run; remove it.',
    );
  }
  if ((input.volumeConfigurations ?? []).length > 0) {
    throw invalidParameter(
      'volumeConfigurations (Amazon EBS volumes) are not supported on EXTERNAL instances. Use a host or ' +
        'Docker volume in the task definition instead.',
    );
  }
  if (input.enableExecuteCommand === true) {
    throw new ApiError(
      'UnsupportedFeatureException',
      'ECS Exec (enableExecuteCommand) is not available in Berth. Omit enableExecuteCommand or set it to false.',
    );
  }
  if (input.propagateTags === 'SERVICE') {
    throw invalidParameter(
      'propagateTags SERVICE is only valid for tasks started by a service. Use TASK_DEFINITION or NONE.',
    );
  }
  if (input.group !== undefined && (input.group === '' || input.group.length > MAX_GROUP_LENGTH)) {
    throw invalidParameter(
      `group must be 1-${MAX_GROUP_LENGTH} characters (got ${input.group.length}); omit it for the ` +
        'default family:<family>.',
    );
  }
  if (input.startedBy !== undefined && !STARTED_BY.test(input.startedBy)) {
    throw invalidParameter(
      'startedBy must be 1-128 letters, numbers, hyphens, forward slashes and underscores' +
        (input.startedBy.length > 128 ? ` (got ${input.startedBy.length} characters).` : '.'),
    );
  }
  validateTags(input.tags);
  return {
    taskDefinition,
    overrides: normalizeOverrides(input.overrides),
    ...(input.group !== undefined && { group: input.group }),
    ...(input.startedBy !== undefined && { startedBy: input.startedBy }),
    tags: input.tags ?? [],
    enableECSManagedTags: input.enableECSManagedTags === true,
    propagateFromDefinition: input.propagateTags === 'TASK_DEFINITION',
  };
}

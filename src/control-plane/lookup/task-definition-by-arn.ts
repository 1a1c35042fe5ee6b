/**
 * Task definitions are stored by family and revision; records that point at one (tasks, services,
 * deployments) hold its ARN. This is the one place that turns such an ARN into the stored definition.
 */
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import type { TaskDefinitionStore } from '../store/types.js';

const TASK_DEFINITION_ARN = /:task-definition\/([^:/]+):(\d+)$/;

/** The definition `arn` names, or undefined for no ARN, a malformed one, or a definition deleted outright. */
export function taskDefinitionByArn(
  definitions: TaskDefinitionStore,
  arn: string | undefined,
): Promise<TaskDefinition | undefined> {
  const match = TASK_DEFINITION_ARN.exec(arn ?? '');
  return match === null ? Promise.resolve(undefined) : definitions.get(match[1] ?? '', Number(match[2]));
}

/**
 * Everything about the tasks a RunTask or StartTask will create that does not depend on where they land:
 * the task definition (which must be ACTIVE and able to run on EXTERNAL instances), the checked overrides,
 * group, tags, and what each task requires of an instance. Read inside the transaction that creates the
 * tasks, so a definition deregistered meanwhile is never used.
 */
import type {
  PlacementConstraint,
  RegisterTaskDefinitionRequest,
  Tag,
  TaskDefinition,
  TaskOverride,
} from '@aws-sdk/client-ecs';
import type { ClusterRecord } from '../../domain/cluster-record.js';
import { incompatibilityReasons } from '../../domain/task-definition/index.js';
import { clientError, invalidParameter } from '../../ecs/errors.js';
import { taskRequirements, type TaskRequirements } from '../../scheduler/index.js';
import type { Store } from '../store/types.js';
import type { RequestContext } from '../context.js';
import { resolveTaskDefinition } from '../lookup/task-definition.js';
import { MAX_TAGS } from '../../domain/validate/tags.js';
import { checkOverridesAgainst } from './overrides.js';
import { mergeConstraints } from './placement-input.js';
import type { SharedTaskInput } from './run-input.js';

export interface TaskTemplate {
  readonly cluster: ClusterRecord;
  readonly definition: TaskDefinition;
  readonly overrides: TaskOverride;
  readonly group: string;
  readonly startedBy?: string;
  /** User tags (propagated from the definition when asked) and, when enabled, ECS managed tags. */
  readonly tags: readonly Tag[];
  readonly requirements: TaskRequirements;
}

/** ECS managed tag naming a task's cluster (Amazon ECS managed tags, "Tagging your resources"). */
export const MANAGED_CLUSTER_TAG = 'aws:ecs:clusterName';

export async function taskTemplate(
  ctx: RequestContext,
  tx: Store,
  cluster: ClusterRecord,
  input: SharedTaskInput,
  requestConstraints: readonly PlacementConstraint[],
): Promise<TaskTemplate> {
  const definition = await runnableDefinition(ctx, tx, input.taskDefinition);
  checkOverridesAgainst(definition, input.overrides);
  const group = input.group ?? `family:${definition.family ?? ''}`;
  const constraints = mergeConstraints(definition.placementConstraints, requestConstraints);
  const tags = await taskTags(tx, cluster, definition, input);
  return {
    cluster,
    definition,
    overrides: input.overrides,
    group,
    ...(input.startedBy !== undefined && { startedBy: input.startedBy }),
    tags,
    requirements: taskRequirements(definition, { group, overrides: input.overrides, constraints }),
  };
}

/**
 * The definition a reference names, if tasks may be started from it: ACTIVE ("TaskDefinition is inactive"
 * is ECS's ClientException otherwise) and compatible with EXTERNAL ("Task definition does not support
 * launch_type EXTERNAL.", ECS's sentence, followed by the reason).
 */
export async function runnableDefinition(
  ctx: RequestContext,
  tx: Store,
  ref: string,
): Promise<TaskDefinition> {
  const definition = await resolveTaskDefinition(ctx, ref, tx);
  if (definition.status !== 'ACTIVE') {
    throw clientError(
      `TaskDefinition is inactive. ${definition.family}:${definition.revision} is ${definition.status}; ` +
        'register a new revision, or name an ACTIVE one.',
    );
  }
  if (!(definition.compatibilities ?? []).includes('EXTERNAL')) {
    const request = definition as RegisterTaskDefinitionRequest;
    const [reason] = incompatibilityReasons(request, 'EXTERNAL');
    throw clientError(
      'Task definition does not support launch_type EXTERNAL.' + (reason === undefined ? '' : ` ${reason}`),
    );
  }
  return definition;
}

/**
 * Tags of a new task: the definition's when propagateTags is TASK_DEFINITION, overridden key by key by the
 * request's; then `aws:ecs:clusterName` when enableECSManagedTags is set. `aws:` tags do not count towards the
 * limit of 50.
 */
async function taskTags(
  tx: Store,
  cluster: ClusterRecord,
  definition: TaskDefinition,
  input: SharedTaskInput,
): Promise<Tag[]> {
  const byKey = new Map<string, Tag>();
  if (input.propagateFromDefinition) {
    for (const tag of await tx.tags.list(definition.taskDefinitionArn ?? '')) byKey.set(tag.key, tag);
  }
  for (const tag of input.tags) byKey.set(tag.key ?? '', tag);
  if (byKey.size > MAX_TAGS) {
    throw invalidParameter(
      `The task would have ${byKey.size} tags (its own and the task definition's); at most ${MAX_TAGS} are allowed.`,
    );
  }
  if (input.enableECSManagedTags) {
    byKey.set(MANAGED_CLUSTER_TAG, { key: MANAGED_CLUSTER_TAG, value: cluster.clusterName });
  }
  return [...byKey.values()];
}

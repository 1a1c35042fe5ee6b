import type {
  DeleteTaskDefinitionsRequest,
  DeleteTaskDefinitionsResponse,
  Failure,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { Store } from '../../../store/types.js';
import { isApiError } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import type { RequestContext } from '../../../context.js';
import { checkBatch } from '../common.js';
import { withStatus } from './lifecycle.js';
import {
  findTaskDefinition,
  parseTaskDefinitionRef,
  type TaskDefinitionRef,
} from '../../../lookup/task-definition.js';

export const MAX_DELETE_BATCH = 10;

/** ECS's failure reasons, word for word. */
const REASONS = {
  invalid: 'The specified task definition identifier is invalid. Specify a valid name or ARN and try again.',
  missing:
    'The specified task definition does not exist. Specify a valid account, family, revision and try again.',
  active:
    'The specified task definition is still in ACTIVE status. Please deregister the target and try again.',
} as const;

/**
 * Moves INACTIVE revisions to DELETE_IN_PROGRESS and deletes their tags. Each reference succeeds or fails on
 * its own (failures carry ECS's reasons); all the successful ones are written in one transaction. Deleting a
 * revision that is already DELETE_IN_PROGRESS returns it again, unchanged. Numbers are never reused: the next
 * registration of the family continues after the highest revision ever reserved.
 */
export const deleteTaskDefinitions = defineOperation<
  DeleteTaskDefinitionsRequest,
  DeleteTaskDefinitionsResponse
>({
  name: 'DeleteTaskDefinitions',
  access: 'admin',
  async handle(input, ctx) {
    const values = input.taskDefinitions ?? [];
    checkBatch('taskDefinitions', values, MAX_DELETE_BATCH);
    return ctx.store.transaction(async (tx) => {
      const taskDefinitions: TaskDefinition[] = [];
      const failures: Failure[] = [];
      for (const value of values) {
        const outcome = await deleteOne(ctx, tx, value);
        if ('deleted' in outcome) taskDefinitions.push(outcome.deleted);
        else failures.push(outcome);
      }
      return { taskDefinitions, failures };
    });
  },
});

async function deleteOne(
  ctx: RequestContext,
  tx: Store,
  value: string,
): Promise<{ deleted: TaskDefinition } | Failure> {
  let ref: TaskDefinitionRef;
  try {
    ref = parseTaskDefinitionRef(ctx, value);
  } catch (e) {
    if (isApiError(e)) return { arn: value, reason: REASONS.invalid };
    throw e;
  }
  // ECS needs the revision here too; a bare family names no single revision to delete.
  if (ref.revision === undefined) return { arn: value, reason: REASONS.invalid };
  const arn = ref.kind === 'local' ? ctx.arns.taskDefinition(ref.family, ref.revision) : value;
  const found = await findTaskDefinition(tx, ref);
  if (!found) return { arn, reason: REASONS.missing };
  if (found.status === 'ACTIVE') return { arn, reason: REASONS.active };
  if (found.status === 'DELETE_IN_PROGRESS') return { deleted: found };
  const deleted = withStatus(found, 'DELETE_IN_PROGRESS', { deleteRequestedAt: ctx.now() });
  await tx.taskDefinitions.put(deleted);
  const tags = await tx.tags.list(arn);
  await tx.tags.remove(
    arn,
    tags.map((t) => t.key),
  );
  return { deleted };
}

/**
 * What DescribeTasks (and, later, RunTask, StartTask and StopTask) return for a stored task. Tags live in the
 * tag store, which TagResource and UntagResource keep current, so the stored record's own `tags` are never
 * shown: only the tag store's, and only when the caller asks for them. Berth's internal fields of the record
 * (`domain/task-record.ts`) are never shown.
 */
import type { Task } from '@aws-sdk/client-ecs';
import { publicTask } from '../../../domain/task-record.js';
import type { RequestContext } from '../../operation.js';

export async function taskView(ctx: RequestContext, task: Task, withTags: boolean): Promise<Task> {
  const { tags: _stored, ...rest } = publicTask(task);
  return { ...rest, tags: withTags ? await ctx.store.tags.list(task.taskArn ?? '') : [] };
}

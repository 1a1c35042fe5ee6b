/**
 * What DescribeTasks, RunTask, StartTask and StopTask return for a stored task. Tags live in the tag store,
 * which TagResource and UntagResource keep current, so the stored record's own `tags` are never shown: only
 * the tag store's, and only when the caller asks for them. Berth's internal fields of the record
 * (`domain/task-record.ts`) are never shown; a container's restart count shows in its `reason`.
 *
 * `connectivity` and `connectivityAt` are those of the agent of the task's instance, read now
 * (`domain/task-connectivity.ts`), so a task on a host that lost its uplink says so, and since when.
 */
import type { ContainerInstance, Task } from '@aws-sdk/client-ecs';
import { taskConnectivity } from '../../../../domain/task-connectivity.js';
import { publicTask } from '../../../../domain/task-record.js';
import type { RequestContext } from '../../../context.js';

/** Reads a container instance record; one lookup serves a whole answer, so shared instances are read once. */
export type InstanceLookup = (containerInstanceArn: string) => Promise<ContainerInstance | undefined>;

export function instanceLookup(ctx: RequestContext): InstanceLookup {
  const seen = new Map<string, Promise<ContainerInstance | undefined>>();
  return (arn) => {
    let found = seen.get(arn);
    if (found === undefined) {
      found = ctx.store.containerInstances.get(arn);
      seen.set(arn, found);
    }
    return found;
  };
}

export async function taskView(
  ctx: RequestContext,
  task: Task,
  withTags: boolean,
  instances: InstanceLookup = instanceLookup(ctx),
): Promise<Task> {
  const { tags: _stored, ...rest } = publicTask(task);
  const [instance, tags] = await Promise.all([
    task.containerInstanceArn === undefined ? undefined : instances(task.containerInstanceArn),
    withTags ? ctx.store.tags.list(task.taskArn ?? '') : [],
  ]);
  return { ...rest, ...taskConnectivity(task, instance), tags };
}

/** Several tasks as one answer shows them, with their tags; instances shared by tasks are read once. */
export function taskViews(ctx: RequestContext, tasks: readonly Task[]): Promise<Task[]> {
  const instances = instanceLookup(ctx);
  return Promise.all(tasks.map((t) => taskView(ctx, t, true, instances)));
}

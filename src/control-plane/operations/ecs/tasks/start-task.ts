import type { StartTaskRequest, StartTaskResponse } from '@aws-sdk/client-ecs';
import { defineOperation } from '../../operation.js';
import { checkBatch } from '../common.js';
import { createTasks } from '../../../tasks/place.js';
import { taskViews } from './view.js';
import { validateSharedInput } from '../../../tasks/run-input.js';

/** ECS quota: container instances per start-task (not adjustable). */
export const MAX_START_INSTANCES = 10;

/**
 * StartTask: one task on each listed container instance (id or ARN), for callers doing their own
 * scheduling. There is no choice to make, but each instance is still checked as RunTask checks it (status,
 * agent, required attributes, resources, ports, the task definition's memberOf constraints); one that cannot
 * take the task, or does not exist in the cluster (MISSING), is reported in `failures`.
 */
export const startTask = defineOperation<StartTaskRequest, StartTaskResponse>({
  name: 'StartTask',
  access: 'admin',
  async handle(input, ctx) {
    const refs = input.containerInstances ?? [];
    checkBatch('containerInstances', refs, MAX_START_INSTANCES);
    const shared = validateSharedInput(input);
    const { tasks, failures } = await createTasks(ctx, {
      operation: 'StartTask',
      cluster: input.cluster,
      input: shared,
      target: { kind: 'instances', refs },
    });
    return { tasks: await taskViews(ctx, tasks), failures };
  },
});

import type { StopTaskRequest, StopTaskResponse } from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../../../ecs/errors.js';
import { defineOperation } from '../../operation.js';
import { requireCluster } from '../../../lookup/cluster.js';
import { requestStop } from '../../../tasks/request-stop.js';
import { logTaskStopRequested } from '../../../tasks/task-log.js';
import { taskArnIn } from '../../../lookup/task.js';
import { taskView } from './view.js';

/** StopTaskRequest.reason: "Up to 255 characters are allowed in this message." */
export const MAX_STOP_REASON = 255;
/** What ECS records when StopTask is given no reason. */
export const DEFAULT_STOP_REASON = 'Task stopped by user';

/**
 * StopTask asks for a task to stop: desired status STOPPED, stop code UserInitiated, the reason given (or
 * ECS's default), `stoppingAt` now. The agent does the stopping (SIGTERM, then SIGKILL after the stop
 * timeout) and reports STOPPED; the gateway is told at once so it can send the stop. As ECS documents, the
 * task's tags are deleted. A task already asked to stop, or stopped, is returned as it is: the first reason
 * stands.
 */
export const stopTask = defineOperation<StopTaskRequest, StopTaskResponse>({
  name: 'StopTask',
  access: 'admin',
  async handle(input, ctx) {
    const reason = input.reason;
    if (reason !== undefined && reason.length > MAX_STOP_REASON) {
      throw invalidParameter(
        `reason can be at most ${MAX_STOP_REASON} characters; got ${reason.length}. Shorten it.`,
      );
    }
    const { task, changed } = await ctx.store.transaction(async (tx) => {
      const cluster = await requireCluster({ ...ctx, store: tx }, input.cluster);
      const arn = taskArnIn(ctx, cluster.clusterName, input.task ?? '');
      const found = arn === undefined ? undefined : await tx.tasks.get(arn);
      if (found === undefined) {
        // ECS's sentence, then where Berth looked.
        throw invalidParameter(
          `The referenced task was not found. No task '${input.task ?? ''}' in cluster ${cluster.clusterName}.`,
        );
      }
      const stopping = await requestStop(
        tx,
        found,
        ctx.now(),
        'UserInitiated',
        reason === undefined || reason === '' ? DEFAULT_STOP_REASON : reason,
      );
      if (stopping === undefined) return { task: found, changed: false };
      return { task: stopping, changed: true };
    });
    if (changed) {
      logTaskStopRequested(ctx.log, task);
      ctx.runtime.changes.tasksChanged(task.containerInstanceArn);
    }
    return { task: await taskView(ctx, task, false) };
  },
});

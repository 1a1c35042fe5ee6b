/**
 * The info-level lines that tell a task's life in the control plane's log: placed (on which instance),
 * asked to stop (why), started, stopped (why). RunTask, StartTask, StopTask, the service controller and the
 * agents' reports all log through here, so that one `grep <task id>` of the log reads the same whoever
 * acted. Each line is written after its transaction committed: the log never tells of a change that was
 * rolled back.
 */
import type { Logger } from 'pino';
import type { TaskRecord } from '../../domain/task-record.js';

export function logTaskPlaced(log: Logger, task: TaskRecord, ec2InstanceId?: string): void {
  log.info(
    {
      taskArn: task.taskArn,
      containerInstanceArn: task.containerInstanceArn,
      ...(ec2InstanceId !== undefined && { ec2InstanceId }),
      taskDefinition: definitionName(task.taskDefinitionArn),
      ...(task.startedBy !== undefined && { startedBy: task.startedBy }),
    },
    'task placed',
  );
}

export function logTaskStopRequested(log: Logger, task: TaskRecord): void {
  log.info(
    { taskArn: task.taskArn, stopCode: task.stopCode, stoppedReason: task.stoppedReason },
    'task asked to stop',
  );
}

/** Logs the move an agent's report made, if it changed the task's lastStatus to RUNNING or STOPPED. */
export function logTaskProgress(log: Logger, before: TaskRecord, after: TaskRecord): void {
  if (before.lastStatus === after.lastStatus) return;
  if (after.lastStatus === 'RUNNING') {
    log.info({ taskArn: after.taskArn, containerInstanceArn: after.containerInstanceArn }, 'task started');
  } else if (after.lastStatus === 'STOPPED') {
    log.info(
      {
        taskArn: after.taskArn,
        containerInstanceArn: after.containerInstanceArn,
        stopCode: after.stopCode,
        stoppedReason: after.stoppedReason,
        // Why each container ended: an essential container's exit is often the whole story.
        containers: after.containers.map((c) => ({
          name: c.name,
          ...(c.exitCode !== undefined && { exitCode: c.exitCode }),
          ...(c.reason !== undefined && { reason: c.reason }),
        })),
      },
      'task stopped',
    );
  }
}

/** `web:3` of `arn:...:task-definition/web:3`. */
function definitionName(taskDefinitionArn: string): string {
  return taskDefinitionArn.split('/').pop() ?? taskDefinitionArn;
}

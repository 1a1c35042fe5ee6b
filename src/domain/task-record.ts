/**
 * A task as the control plane keeps it. ECS's members keep ECS's names and meanings (DescribeTasks renders
 * them, `operations/ecs/tasks/view.ts`); those every stored task has are required here, and statuses are
 * typed from `status.ts`. Members ECS leaves out until something happens (startedAt, stopCode, ...) stay
 * optional. Berth's own state lives in the same record, so it is written in the same transaction as the
 * task it describes (and vanishes with it), under names of its own that no renderer copies:
 *
 * - `ackedDesiredStatus`: the desired status the task's agent has acknowledged (AckRequest for a payload
 *   carrying it). A task whose desired status is ahead of it is (re)delivered, also after a restart of the
 *   control plane. Only the gateway's delivery writes it.
 * - `restartCount`, on each container: how many times the agent restarted it under its restart policy, as
 *   last reported. ECS's Container has no member for it (and the AWS CLI prints only modelled members), so
 *   the API shows it in the container's `reason` (`shownReason`).
 *
 * Every task is placed when it is created (RunTask and StartTask store only placed tasks), so a task always
 * has its container instance.
 */
import type { Container, Task } from '@aws-sdk/client-ecs';
import type { ContainerStatus, DesiredStatus, HealthStatus, LastStatus, StopCode } from './status.js';

type RequiredContainerMember = 'containerArn' | 'taskArn' | 'name' | 'lastStatus' | 'healthStatus';

export interface ContainerRecord extends Omit<Container, RequiredContainerMember> {
  containerArn: string;
  taskArn: string;
  name: string;
  lastStatus: ContainerStatus;
  healthStatus?: HealthStatus;
  /** Berth's: restarts under the container's restart policy, as the agent last counted them. */
  restartCount?: number;
}

type RequiredTaskMember =
  | 'taskArn'
  | 'clusterArn'
  | 'taskDefinitionArn'
  | 'containerInstanceArn'
  | 'lastStatus'
  | 'desiredStatus'
  | 'createdAt'
  | 'version'
  | 'containers'
  | 'stopCode'
  | 'healthStatus';

export interface TaskRecord extends Omit<Task, RequiredTaskMember> {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  containerInstanceArn: string;
  lastStatus: LastStatus;
  desiredStatus: DesiredStatus;
  createdAt: Date;
  version: number;
  containers: ContainerRecord[];
  stopCode?: StopCode;
  healthStatus?: HealthStatus;
  /** Berth's: the desired status the task's agent acknowledged. */
  ackedDesiredStatus?: DesiredStatus;
}

/**
 * The container's reason as the API shows it: a restart count above zero becomes its `reason`, unless the
 * container has a reason of its own (why it stopped says more than how often it restarted before).
 */
export function shownReason(container: ContainerRecord): string | undefined {
  const restarts = container.restartCount;
  if (container.reason !== undefined || restarts === undefined || restarts <= 0) return container.reason;
  return restartReason(restarts);
}

export function restartReason(restarts: number): string {
  return `Restarted ${restarts} ${restarts === 1 ? 'time' : 'times'} by its restart policy`;
}

/** The task family: `web` of `arn:...:task-definition/web:3`. */
export function taskFamily(taskDefinitionArn: string): string {
  const tail = taskDefinitionArn.split('/').pop() ?? '';
  const colon = tail.lastIndexOf(':');
  return colon >= 0 ? tail.slice(0, colon) : tail;
}

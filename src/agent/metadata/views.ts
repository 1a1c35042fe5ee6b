/**
 * The JSON of the task metadata endpoint v4, field for field as the ECS agent writes it
 * (`ecs-agent/tmds/handlers/v4/state/response.go`, v2 `ContainerResponse`/`TaskResponse`; AWS's "task
 * metadata v4 JSON response" page), from the engine's task state and `docker inspect`. Pure.
 *
 * Absent values are left out, as the ECS agent's `omitempty` fields are. Timestamps are RFC 3339 in UTC:
 * Docker's own (with nanoseconds) for the container's created/started/finished times, millisecond
 * precision for the task's, which the engine records in epoch milliseconds.
 */
import type { AcsContainer } from '../../acs/payload.js';
import { OWNER_LABEL } from '../engine/labels.js';
import type { ContainerState, TaskState } from '../tasks/contracts.js';
import type { ContainerDetails, HealthCheckRun } from './docker-details.js';

export interface PortView {
  readonly ContainerPort: number;
  readonly Protocol: string;
  readonly HostPort: number;
  readonly HostIp?: string;
}

export interface NetworkView {
  readonly NetworkMode: string;
  readonly IPv4Addresses?: readonly string[];
}

export interface HealthView {
  readonly status: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  readonly statusSince?: string;
  readonly exitCode?: number;
  readonly output?: string;
}

export interface ContainerView {
  readonly DockerId: string;
  readonly Name: string;
  readonly DockerName: string;
  readonly Image: string;
  readonly ImageID: string;
  readonly Ports?: readonly PortView[];
  readonly Labels?: Readonly<Record<string, string>>;
  readonly DesiredStatus: string;
  readonly KnownStatus: string;
  readonly ExitCode?: number;
  readonly Limits: { readonly CPU: number; readonly Memory: number };
  readonly CreatedAt?: string;
  readonly StartedAt?: string;
  readonly FinishedAt?: string;
  readonly Type: 'NORMAL';
  readonly LogDriver?: string;
  readonly LogOptions?: Readonly<Record<string, string>>;
  readonly ContainerARN?: string;
  readonly Networks?: readonly NetworkView[];
  readonly Health?: HealthView;
  readonly RestartCount?: number;
}

export interface TaskView {
  readonly Cluster: string;
  readonly ServiceName?: string;
  readonly TaskARN: string;
  readonly Family: string;
  readonly Revision: string;
  readonly DesiredStatus: string;
  readonly KnownStatus: string;
  readonly Limits?: { readonly CPU?: number; readonly Memory?: number };
  readonly PullStartedAt?: string;
  readonly PullStoppedAt?: string;
  readonly ExecutionStoppedAt?: string;
  readonly LaunchType: 'EXTERNAL';
  readonly Containers?: readonly ContainerView[];
}

function isoTime(epochMs: number | undefined): string | undefined {
  return epochMs === undefined ? undefined : new Date(epochMs).toISOString();
}

/** Leaves out undefined members, so the JSON matches the ECS agent's omitempty fields. */
function compact<T extends object>(view: T): T {
  return Object.fromEntries(Object.entries(view).filter(([, v]) => v !== undefined)) as T;
}

/** One container. `details` is undefined when Docker no longer has the container. */
export function containerView(
  state: TaskState,
  definition: AcsContainer,
  container: ContainerState,
  runtimeId: string,
  details: ContainerDetails | undefined,
): ContainerView {
  const ports = (container.networkBindings ?? []).map((b) =>
    compact<PortView>({
      ContainerPort: b.containerPort,
      Protocol: b.protocol,
      HostPort: b.hostPort,
      HostIp: b.bindIP === '' ? undefined : b.bindIP,
    }),
  );
  const labels =
    details === undefined
      ? undefined
      : Object.fromEntries(Object.entries(details.labels).filter(([k]) => k !== OWNER_LABEL));
  return compact<ContainerView>({
    DockerId: runtimeId,
    Name: definition.name,
    DockerName: details?.dockerName ?? '',
    Image: definition.image,
    ImageID: details?.imageId ?? container.imageDigest ?? '',
    Ports: ports.length > 0 ? ports : undefined,
    Labels: labels !== undefined && Object.keys(labels).length > 0 ? labels : undefined,
    DesiredStatus: state.task.desiredStatus,
    KnownStatus: container.knownStatus,
    ExitCode: container.exitCode,
    Limits: { CPU: definition.cpu ?? 0, Memory: definition.memory ?? 0 },
    CreatedAt: details?.createdAt,
    StartedAt: details?.startedAt,
    FinishedAt: details?.finishedAt,
    Type: 'NORMAL',
    LogDriver: details?.logDriver,
    LogOptions:
      details !== undefined && Object.keys(details.logOptions).length > 0 ? details.logOptions : undefined,
    ContainerARN: definition.containerArn,
    Networks:
      details === undefined
        ? undefined
        : [
            compact<NetworkView>({
              NetworkMode: details.networkMode,
              IPv4Addresses: details.ipv4Addresses.length > 0 ? details.ipv4Addresses : undefined,
            }),
          ],
    Health: healthView(container, details),
    RestartCount: definition.restartPolicy?.enabled === true ? (container.restartCount ?? 0) : undefined,
  });
}

/**
 * The container's health, only when it has a health check (as ECS). The status is the engine's verdict
 * when it has one; `statusSince` is when the latest run of checks with the same outcome began, among the
 * few Docker keeps.
 */
export function healthView(
  container: ContainerState,
  details: ContainerDetails | undefined,
): HealthView | undefined {
  const docker = details?.health;
  if (docker === undefined && container.healthStatus === undefined) return undefined;
  const status = container.healthStatus ?? dockerHealthStatus(docker?.status);
  const log = docker?.log ?? [];
  const last = log.at(-1);
  return compact<HealthView>({
    status,
    statusSince: last === undefined ? undefined : sameOutcomeSince(log, last),
    exitCode: last?.exitCode,
    output: last === undefined || last.output === '' ? undefined : last.output.trimEnd(),
  });
}

function dockerHealthStatus(status: string | undefined): HealthView['status'] {
  if (status === 'healthy') return 'HEALTHY';
  if (status === 'unhealthy') return 'UNHEALTHY';
  return 'UNKNOWN';
}

function sameOutcomeSince(log: readonly HealthCheckRun[], last: HealthCheckRun): string | undefined {
  const passed = (run: HealthCheckRun) => run.exitCode === 0;
  let since = last.end;
  for (let i = log.length - 2; i >= 0; i--) {
    const run = log[i];
    if (run === undefined || passed(run) !== passed(last)) break;
    since = run.end ?? since;
  }
  return since;
}

/** The task, with the views of its containers that exist in Docker (ECS lists only created containers). */
export function taskView(state: TaskState, containers: readonly ContainerView[]): TaskView {
  const { task } = state;
  const limits =
    task.cpu === undefined && task.memory === undefined
      ? undefined
      : compact({
          // In vCPUs, as the payload carries it.
          CPU: task.cpu,
          Memory: task.memory,
        });
  return compact<TaskView>({
    Cluster: task.taskClusterArn,
    ServiceName: task.serviceName,
    TaskARN: task.arn,
    Family: task.family,
    Revision: task.version,
    DesiredStatus: task.desiredStatus,
    KnownStatus: state.knownStatus,
    Limits: limits,
    PullStartedAt: isoTime(state.pullStartedAt),
    PullStoppedAt: isoTime(state.pullStoppedAt),
    ExecutionStoppedAt: isoTime(state.executionStoppedAt),
    LaunchType: 'EXTERNAL',
    Containers: containers.length > 0 ? containers : undefined,
  });
}

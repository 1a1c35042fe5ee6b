/**
 * A stored task and its task definition, as the control plane delivers them to an agent (ACS `Task`).
 *
 * ECS's translation: container-definition fields that ACS has no member for travel inside
 * `dockerConfig.config` and `dockerConfig.hostConfig`, as JSON of the Docker Engine API's container `Config`
 * and `HostConfig`, so the agent passes them to Docker unchanged. RunTask/StartTask overrides are applied here
 * (command, environment merged by name, cpu, memory, memoryReservation), so the agent never needs to know a
 * task was overridden. Pure: no I/O, no clock.
 */
import type {
  ContainerDefinition,
  ContainerOverride,
  KeyValuePair,
  TaskDefinition,
  Volume,
} from '@aws-sdk/client-ecs';
import type {
  AcsContainer,
  AcsDependsOn,
  AcsPortMapping,
  AcsTask,
  AcsVolume,
  DesiredTaskStatus,
} from './payload.js';
import type { TaskRecord } from '../domain/task-record.js';

/** ECS's health check defaults (HealthCheck shape docs); Docker's own (30 s timeout) would differ. */
export const HEALTH_CHECK_DEFAULTS = { intervalSeconds: 30, timeoutSeconds: 5, retries: 3 } as const;

const NS_PER_SECOND = 1_000_000_000;
const BYTES_PER_MIB = 1024 * 1024;

/**
 * `desiredStatusSeq` Berth sends: desired status only ever moves RUNNING -> STOPPED, so its rank is enough
 * for an agent to tell a stale delivery (RUNNING after STOPPED) from a newer one.
 */
export const DESIRED_STATUS_SEQ: Readonly<Record<DesiredTaskStatus, number>> = { RUNNING: 1, STOPPED: 2 };

export class TranslationError extends Error {
  override readonly name = 'TranslationError';
}

/** The ACS task for `task`; throws TranslationError when the record cannot be delivered at all. */
export function toAcsTask(task: TaskRecord, definition: TaskDefinition): AcsTask {
  const arn = task.taskArn;
  const clusterArn = task.clusterArn;
  const family = definition.family;
  if (family === undefined || definition.revision === undefined) {
    throw new TranslationError(`task definition of ${arn} has no family or revision`);
  }
  const desiredStatus = task.desiredStatus;
  const overrides = task.overrides?.containerOverrides ?? [];
  const containers = (definition.containerDefinitions ?? []).map((c) =>
    toAcsContainer(
      c,
      overrides.find((o) => o.name === c.name),
      task.containers.find((t) => t.name === c.name)?.containerArn,
    ),
  );
  // Task-level limits only where the definition or an override sets them: the record's own cpu/memory is
  // the reservation placement counted (the containers' sum), and as a hard task limit a sum of soft
  // reservations would kill the task.
  const cpu = units(task.overrides?.cpu ?? definition.cpu);
  const memory = units(task.overrides?.memory ?? definition.memory);
  const networkMode = definition.networkMode;
  const serviceName = task.group?.startsWith('service:') ? task.group.slice('service:'.length) : undefined;
  const volumes = (definition.volumes ?? []).flatMap(toAcsVolume);
  return {
    arn,
    taskClusterArn: clusterArn,
    family,
    version: String(definition.revision),
    desiredStatus,
    desiredStatusSeq: DESIRED_STATUS_SEQ[desiredStatus],
    containers,
    ...(volumes.length > 0 && { volumes }),
    ...((networkMode === 'bridge' || networkMode === 'host' || networkMode === 'none') && { networkMode }),
    ...(cpu !== undefined && { cpu }),
    ...(memory !== undefined && { memory }),
    launchType: 'EXTERNAL',
    ...(serviceName !== undefined && { serviceName }),
    ...(task.group !== undefined && { group: task.group }),
    ...(desiredStatus === 'STOPPED' &&
      task.stoppedReason !== undefined && { stoppedReason: task.stoppedReason }),
  };
}

function toAcsContainer(
  c: ContainerDefinition,
  override: ContainerOverride | undefined,
  containerArn: string | undefined,
): AcsContainer {
  const name = c.name ?? '';
  const image = c.image ?? '';
  const command = override?.command ?? c.command;
  const cpu = override?.cpu ?? c.cpu;
  const memory = override?.memory ?? c.memory;
  const memoryReservation = override?.memoryReservation ?? c.memoryReservation;
  const environment = environmentMap(c.environment, override?.environment);
  const portMappings = c.portMappings?.map((p): AcsPortMapping => ({
    ...(p.containerPort !== undefined && { containerPort: p.containerPort }),
    ...(p.hostPort !== undefined && { hostPort: p.hostPort }),
    ...(p.containerPortRange !== undefined && { containerPortRange: p.containerPortRange }),
    ...(p.protocol !== undefined && { protocol: p.protocol }),
  }));
  const dependsOn = c.dependsOn?.map((d): AcsDependsOn => ({
    containerName: d.containerName ?? '',
    condition: d.condition ?? 'START',
  }));
  const config = dockerConfig(c);
  const hostConfig = dockerHostConfig(c, memoryReservation);
  const lp = c.linuxParameters;
  return {
    name,
    ...(containerArn !== undefined && { containerArn }),
    image,
    ...(command !== undefined && { command }),
    ...(c.entryPoint !== undefined && { entryPoint: c.entryPoint }),
    ...(cpu !== undefined && { cpu }),
    ...(memory !== undefined && { memory }),
    ...(memoryReservation !== undefined && { memoryReservation }),
    ...(environment !== undefined && { environment }),
    essential: c.essential ?? true,
    ...(c.links !== undefined && { links: c.links }),
    ...(portMappings !== undefined && { portMappings }),
    ...(c.mountPoints !== undefined && {
      mountPoints: c.mountPoints.map((m) => ({
        sourceVolume: m.sourceVolume ?? '',
        containerPath: m.containerPath ?? '',
        ...(m.readOnly !== undefined && { readOnly: m.readOnly }),
      })),
    }),
    ...(c.volumesFrom !== undefined && {
      volumesFrom: c.volumesFrom.map((v) => ({
        sourceContainer: v.sourceContainer ?? '',
        ...(v.readOnly !== undefined && { readOnly: v.readOnly }),
      })),
    }),
    ...(dependsOn !== undefined && { dependsOn }),
    ...(c.privileged !== undefined && { privileged: c.privileged }),
    ...(lp !== undefined && {
      linuxParameters: {
        ...(lp.capabilities !== undefined && {
          capabilities: {
            ...(lp.capabilities.add !== undefined && { add: lp.capabilities.add }),
            ...(lp.capabilities.drop !== undefined && { drop: lp.capabilities.drop }),
          },
        }),
        ...(lp.initProcessEnabled !== undefined && { initProcessEnabled: lp.initProcessEnabled }),
        ...(lp.sharedMemorySize !== undefined && { sharedMemorySize: lp.sharedMemorySize }),
        ...(lp.tmpfs !== undefined && {
          tmpfs: lp.tmpfs.map((t) => ({
            containerPath: t.containerPath ?? '',
            size: t.size ?? 0,
            ...(t.mountOptions !== undefined && { mountOptions: t.mountOptions }),
          })),
        }),
      },
    }),
    ...((config !== undefined || hostConfig !== undefined) && {
      dockerConfig: {
        ...(config !== undefined && { config: JSON.stringify(config) }),
        ...(hostConfig !== undefined && { hostConfig: JSON.stringify(hostConfig) }),
      },
    }),
    ...(c.healthCheck !== undefined && { healthCheckType: 'docker' as const }),
    ...(c.startTimeout !== undefined && { startTimeout: c.startTimeout }),
    ...(c.stopTimeout !== undefined && { stopTimeout: c.stopTimeout }),
    ...(c.restartPolicy !== undefined && {
      restartPolicy: {
        enabled: c.restartPolicy.enabled ?? false,
        ...(c.restartPolicy.ignoredExitCodes !== undefined && {
          ignoredExitCodes: c.restartPolicy.ignoredExitCodes,
        }),
        ...(c.restartPolicy.restartAttemptPeriod !== undefined && {
          restartAttemptPeriod: c.restartPolicy.restartAttemptPeriod,
        }),
      },
    }),
  };
}

/** Docker container `Config` members for what the definition sets; undefined when it sets none. */
export function dockerConfig(c: ContainerDefinition): Record<string, unknown> | undefined {
  const h = c.healthCheck;
  const config: Record<string, unknown> = {
    ...(c.hostname !== undefined && { Hostname: c.hostname }),
    ...(c.user !== undefined && { User: c.user }),
    ...(c.workingDirectory !== undefined && { WorkingDir: c.workingDirectory }),
    ...(c.dockerLabels !== undefined && { Labels: { ...c.dockerLabels } }),
    ...(h !== undefined && {
      Healthcheck: {
        Test: h.command ?? [],
        Interval: (h.interval ?? HEALTH_CHECK_DEFAULTS.intervalSeconds) * NS_PER_SECOND,
        Timeout: (h.timeout ?? HEALTH_CHECK_DEFAULTS.timeoutSeconds) * NS_PER_SECOND,
        Retries: h.retries ?? HEALTH_CHECK_DEFAULTS.retries,
        ...(h.startPeriod !== undefined && { StartPeriod: h.startPeriod * NS_PER_SECOND }),
      },
    }),
    ...(c.disableNetworking !== undefined && { NetworkDisabled: c.disableNetworking }),
    ...(c.interactive !== undefined && { OpenStdin: c.interactive }),
    ...(c.pseudoTerminal !== undefined && { Tty: c.pseudoTerminal }),
  };
  return Object.keys(config).length > 0 ? config : undefined;
}

/** Docker `HostConfig` members for what the definition sets; undefined when it sets none. */
export function dockerHostConfig(
  c: ContainerDefinition,
  memoryReservationMiB: number | undefined,
): Record<string, unknown> | undefined {
  const log = c.logConfiguration;
  const hostConfig: Record<string, unknown> = {
    ...(c.ulimits !== undefined && {
      Ulimits: c.ulimits.map((u) => ({ Name: u.name, Soft: u.softLimit, Hard: u.hardLimit })),
    }),
    ...(c.readonlyRootFilesystem !== undefined && { ReadonlyRootfs: c.readonlyRootFilesystem }),
    ...(c.extraHosts !== undefined && {
      ExtraHosts: c.extraHosts.map((e) => `${e.hostname ?? ''}:${e.ipAddress ?? ''}`),
    }),
    ...(c.dnsServers !== undefined && { Dns: c.dnsServers }),
    ...(c.dnsSearchDomains !== undefined && { DnsSearch: c.dnsSearchDomains }),
    ...(log?.logDriver !== undefined && { LogConfig: { Type: log.logDriver, Config: { ...log.options } } }),
    ...(memoryReservationMiB !== undefined && { MemoryReservation: memoryReservationMiB * BYTES_PER_MIB }),
    ...(c.systemControls !== undefined && {
      Sysctls: Object.fromEntries(c.systemControls.map((s) => [s.namespace ?? '', s.value ?? ''])),
    }),
    ...(c.dockerSecurityOptions !== undefined && { SecurityOpt: c.dockerSecurityOptions }),
  };
  return Object.keys(hostConfig).length > 0 ? hostConfig : undefined;
}

/** The definition's environment list as a map, an override's entries replacing those of the same name. */
function environmentMap(
  base: readonly KeyValuePair[] | undefined,
  override: readonly KeyValuePair[] | undefined,
): Record<string, string> | undefined {
  if (base === undefined && override === undefined) return undefined;
  const env: Record<string, string> = {};
  for (const { name, value } of [...(base ?? []), ...(override ?? [])]) {
    if (name !== undefined) env[name] = value ?? '';
  }
  return env;
}

/**
 * Host volumes (a `sourcePath`, or none for a task-scoped empty volume) and Docker volumes. Others (EFS,
 * FSx) cannot be registered for EXTERNAL tasks, so none reach here.
 */
function toAcsVolume(v: Volume): AcsVolume[] {
  const name = v.name ?? '';
  const d = v.dockerVolumeConfiguration;
  if (d !== undefined) {
    return [
      {
        name,
        type: 'docker',
        dockerVolumeConfiguration: {
          ...(d.scope !== undefined && { scope: d.scope }),
          ...(d.autoprovision !== undefined && { autoprovision: d.autoprovision }),
          ...(d.driver !== undefined && { driver: d.driver }),
          ...(d.driverOpts !== undefined && { driverOpts: d.driverOpts }),
          ...(d.labels !== undefined && { labels: d.labels }),
        },
      },
    ];
  }
  if (v.efsVolumeConfiguration !== undefined || v.fsxWindowsFileServerVolumeConfiguration !== undefined) {
    return [];
  }
  return [
    {
      name,
      type: 'host',
      host: v.host?.sourcePath !== undefined ? { sourcePath: v.host.sourcePath } : {},
    },
  ];
}

/** CPU units or MiB as stored (a string of digits after registration); undefined when unset or unreadable. */
function units(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

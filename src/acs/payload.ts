/**
 * Task delivery messages, in the shapes of ECS's Agent Communication Service (ACS model `PayloadMessage`,
 * `Task`, `Container`, `TaskManifestMessage`, ...). The control plane turns a task and its task definition
 * into an `AcsTask`; the agent acknowledges a payload (AckRequest with the payload's messageId) only once
 * every task in it is stored durably on the host.
 *
 * As in ACS, task-definition fields that have no member of their own (hostname, user, workingDirectory,
 * dockerLabels, ulimits, logConfiguration, healthCheck, readonlyRootFilesystem, extraHosts, dnsServers,
 * linuxParameters, ...)
 * travel inside `dockerConfig.config` / `dockerConfig.hostConfig` as JSON strings of the Docker Engine API's
 * container Config and HostConfig objects. Their model (types, enums, what is required) is `model/acs.json`.
 * Pure: no I/O.
 */

export const DESIRED_TASK_STATUSES = ['RUNNING', 'STOPPED'] as const;
export type DesiredTaskStatus = (typeof DESIRED_TASK_STATUSES)[number];

export interface AcsPortMapping {
  readonly containerPort?: number;
  /** 0 or absent in bridge mode: Docker picks an ephemeral host port. */
  readonly hostPort?: number;
  readonly containerPortRange?: string;
  readonly protocol?: 'tcp' | 'udp';
}

export interface AcsMountPoint {
  readonly sourceVolume: string;
  readonly containerPath: string;
  readonly readOnly?: boolean;
}

export interface AcsVolumeFrom {
  readonly sourceContainer: string;
  readonly readOnly?: boolean;
}

export interface AcsDependsOn {
  readonly containerName: string;
  readonly condition: 'START' | 'COMPLETE' | 'SUCCESS' | 'HEALTHY';
}

export interface AcsDockerConfig {
  /** Docker API version the JSON targets. */
  readonly version?: string;
  /** JSON of a partial Docker container Config (Hostname, User, WorkingDir, Labels, Healthcheck, ...). */
  readonly config?: string;
  /**
   * JSON of a partial Docker HostConfig (Ulimits, LogConfig, ReadonlyRootfs, ExtraHosts, Dns, ...), and the
   * definition's linuxParameters (Init, CapAdd/CapDrop, Devices, ShmSize, Tmpfs, MemorySwap/Swappiness).
   */
  readonly hostConfig?: string;
}

export interface AcsRestartPolicy {
  readonly enabled: boolean;
  readonly ignoredExitCodes?: readonly number[];
  readonly restartAttemptPeriod?: number;
}

export interface AcsContainer {
  readonly name: string;
  readonly containerArn?: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly entryPoint?: readonly string[];
  /** CPU units (Docker CPU shares). */
  readonly cpu?: number;
  /** Hard memory limit, MiB. */
  readonly memory?: number;
  /** Soft memory limit, MiB (ACS carries it in hostConfig; Berth also sends it here for clarity). */
  readonly memoryReservation?: number;
  readonly environment?: Readonly<Record<string, string>>;
  readonly essential: boolean;
  readonly links?: readonly string[];
  readonly portMappings?: readonly AcsPortMapping[];
  readonly mountPoints?: readonly AcsMountPoint[];
  readonly volumesFrom?: readonly AcsVolumeFrom[];
  readonly dependsOn?: readonly AcsDependsOn[];
  readonly privileged?: boolean;
  readonly dockerConfig?: AcsDockerConfig;
  /** "docker" when the container has a health check (carried in dockerConfig.config.Healthcheck). */
  readonly healthCheckType?: 'docker';
  readonly startTimeout?: number;
  readonly stopTimeout?: number;
  readonly restartPolicy?: AcsRestartPolicy;
}

export interface AcsVolume {
  readonly name: string;
  readonly type: 'host' | 'docker';
  readonly host?: { readonly sourcePath?: string };
  readonly dockerVolumeConfiguration?: {
    readonly scope?: 'task' | 'shared';
    readonly autoprovision?: boolean;
    readonly driver?: string;
    readonly driverOpts?: Readonly<Record<string, string>>;
    readonly labels?: Readonly<Record<string, string>>;
  };
}

export interface AcsTask {
  readonly arn: string;
  readonly taskClusterArn: string;
  readonly family: string;
  /** The task definition revision, as a string (ACS's `version`). */
  readonly version: string;
  readonly desiredStatus: DesiredTaskStatus;
  readonly containers: readonly AcsContainer[];
  readonly volumes?: readonly AcsVolume[];
  readonly networkMode?: 'bridge' | 'host' | 'none';
  /** Task-level CPU in vCPUs (ACS's double: 256 units are 0.25) and memory MiB, when the definition sets them. */
  readonly cpu?: number;
  readonly memory?: number;
  readonly launchType?: 'EXTERNAL';
  readonly serviceName?: string;
  readonly group?: string;
  /** Reason given with StopTask, so the agent can report it back with STOPPED. */
  readonly stoppedReason?: string;
  /** Monotonic per task: a desired-status change with a lower sequence number than one applied is stale. */
  readonly desiredStatusSeq?: number;
}

export interface PayloadMessage {
  readonly messageId: string;
  readonly clusterArn: string;
  readonly containerInstanceArn: string;
  readonly tasks: readonly AcsTask[];
  readonly generatedAt: number;
  readonly seqNum: number;
}

export interface TaskIdentifier {
  readonly taskArn: string;
  readonly taskClusterArn: string;
  readonly desiredStatus: DesiredTaskStatus;
}

/** The full list of tasks the control plane believes the instance should have (sent on reconnect). */
export interface TaskManifestMessage {
  readonly messageId: string;
  readonly clusterArn: string;
  readonly containerInstanceArn: string;
  readonly tasks: readonly TaskIdentifier[];
  readonly generatedAt: number;
  readonly timeline: number;
}

/** Agent -> control plane: tasks running on the host that the manifest did not list. */
export interface TaskStopVerificationMessage {
  readonly messageId: string;
  readonly stopCandidates: readonly TaskIdentifier[];
}

/** Control plane -> agent: which of the candidates to stop. */
export interface TaskStopVerificationAck {
  readonly messageId: string;
  readonly generatedAt: number;
  readonly stopTasks: readonly TaskIdentifier[];
}

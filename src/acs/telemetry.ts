/**
 * The telemetry session's messages, in the shapes of ECS's Telemetry Communication Service (TCS), which the
 * stock amazon-ecs-agent opens beside its ACS session: it publishes task and container metrics, container
 * health (the only way it reports health) and its own health checks, and the control plane acknowledges each
 * and sends heartbeats. Envelopes as in ACS (`{"type": <name>, "message": {...}}`), validated against
 * `model/tcs.json`. Pure: no I/O.
 *
 * As in the model, no member is required: a receiver uses what it gets and skips an entry it cannot use.
 */

/** Where the control plane serves telemetry sessions. */
export const TELEMETRY_PATH = '/tcs/ws';

/** DiscoverPollEndpoint's `telemetryEndpoint` is the public URL plus this; the agent appends `ws?...`. */
export const TELEMETRY_ENDPOINT_SUFFIX = 'tcs/';

/** The query parameters naming the cluster (a name or an ARN) and the container instance (an ARN). */
export const TELEMETRY_QUERY_NAMES = { cluster: 'cluster', containerInstance: 'containerInstance' } as const;

/** Epoch seconds with milliseconds (as the Go agent writes them), or ISO 8601. */
export type TelemetryTimestamp = number | string;

/** Members Berth keeps no record of: validated by the model all the same, then ignored. */
export type Unread = Readonly<Record<string, unknown>>;

export type TelemetryHealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
export type InstanceHealthcheckStatus = 'OK' | 'IMPAIRED' | 'INSUFFICIENT_DATA' | 'INITIALIZING';

/** Statistics over one publish interval (20 s): cpu in percent of one CPU, memory in MiB. */
export interface CWStatsSet {
  readonly min?: number;
  readonly max?: number;
  readonly sampleCount?: number;
  readonly sum?: number;
}

export interface ContainerMetric {
  readonly containerArn?: string;
  readonly containerName?: string;
  readonly cpuStatsSet?: CWStatsSet;
  readonly memoryStatsSet?: CWStatsSet;
  readonly networkStatsSet?: Unread;
  readonly storageStatsSet?: Unread;
  readonly restartStatsSet?: { readonly restartCount?: number };
  readonly generalMetricsPayload?: readonly Unread[];
}

export interface TaskMetric {
  readonly taskArn?: string;
  readonly clusterArn?: string;
  readonly taskDefinitionFamily?: string;
  readonly taskDefinitionVersion?: string;
  readonly containerMetrics?: readonly ContainerMetric[];
  readonly ephemeralStorageMetrics?: Unread;
  readonly volumeMetrics?: readonly Unread[];
  readonly serviceConnectMetricsWrapper?: readonly Unread[];
}

export interface MetricsMetadata {
  readonly cluster?: string;
  readonly containerInstance?: string;
  readonly messageId?: string;
  /** No task runs on the instance: the request carries instance metrics only. */
  readonly idle?: boolean;
  /** The last request of one publication (the agent splits a publication into requests of ten tasks). */
  readonly fin?: boolean;
}

export interface InstanceMetrics {
  /** Filesystem utilisation in percent. */
  readonly storage?: { readonly OSFilesystem?: number; readonly DataFilesystem?: number };
  readonly generalMetricsPayload?: readonly Unread[];
}

export interface PublishMetricsRequest {
  readonly metadata?: MetricsMetadata;
  readonly instanceMetrics?: InstanceMetrics;
  readonly taskMetrics?: readonly TaskMetric[];
  readonly timestamp?: TelemetryTimestamp;
}

export interface HealthMetadata {
  readonly cluster?: string;
  readonly containerInstance?: string;
  readonly messageId?: string;
  readonly fin?: boolean;
}

export interface ContainerHealth {
  readonly containerName?: string;
  readonly healthStatus?: TelemetryHealthStatus;
  readonly statusSince?: TelemetryTimestamp;
  readonly statusMessage?: string;
}

export interface TaskHealth {
  readonly taskArn?: string;
  readonly clusterArn?: string;
  readonly taskDefinitionFamily?: string;
  readonly taskDefinitionVersion?: string;
  readonly containers?: readonly ContainerHealth[];
}

export interface PublishHealthRequest {
  readonly metadata?: HealthMetadata;
  readonly tasks?: readonly TaskHealth[];
  readonly timestamp?: TelemetryTimestamp;
}

export interface InstanceStatus {
  /** The agent's health check, e.g. `AGENT` or `DOCKER_RUNTIME`. */
  readonly type?: string;
  readonly status?: InstanceHealthcheckStatus;
  readonly statusReason?: string;
  readonly lastUpdated?: TelemetryTimestamp;
  readonly lastStatusChange?: TelemetryTimestamp;
}

export interface PublishInstanceStatusRequest {
  readonly metadata?: {
    readonly cluster?: string;
    readonly containerInstance?: string;
    readonly requestId?: string;
  };
  readonly statuses?: readonly InstanceStatus[];
  readonly timestamp?: TelemetryTimestamp;
}

export interface StartTelemetrySessionRequest {
  readonly cluster?: string;
  readonly containerInstance?: string;
}

export interface TelemetryText {
  readonly message?: string;
}

/** What the agent sends. */
export interface TelemetryAgentToServer {
  PublishMetricsRequest: PublishMetricsRequest;
  PublishHealthRequest: PublishHealthRequest;
  PublishInstanceStatusRequest: PublishInstanceStatusRequest;
  StartTelemetrySessionRequest: StartTelemetrySessionRequest;
}

/** What the control plane sends. */
export interface TelemetryServerToAgent {
  HeartbeatMessage: { readonly healthy?: boolean };
  AckPublishMetric: TelemetryText;
  AckPublishHealth: TelemetryText;
  AckPublishInstanceStatus: TelemetryText;
  StopTelemetrySessionMessage: TelemetryText;
  ServerException: TelemetryText;
  BadRequestException: TelemetryText;
  ResourceValidationException: TelemetryText;
  InvalidParameterException: TelemetryText;
}

/**
 * The options of `berth agent`, in one table: each one's flag, environment variable (the config file's key
 * is the option's own camelCase name) and default. The CLI's help, the README's table and the install
 * script use these names; `config.ts` layers and checks the values.
 */

/** Options as a user gives them (flags, variables, file); all optional here, `resolveAgentConfig` fills and checks them. */
export interface AgentOptions {
  /** Control plane URL. Required. (env BERTH_ENDPOINT) */
  endpoint?: string;
  /** Activation id from `aws ssm create-activation`; first start only. (env BERTH_ACTIVATION_ID) */
  activationId?: string;
  /** Activation code; first start only, never logged. (env BERTH_ACTIVATION_CODE) */
  activationCode?: string;
  /** Cluster to join, a name or an ARN. @default "default" (env BERTH_CLUSTER) */
  cluster?: string;
  /** Identity, state. @default "/var/lib/berth-agent" (env BERTH_AGENT_DATA_DIR) */
  dataDir?: string;
  /** JSON config file. @default "/etc/berth/agent.json" when it exists (env BERTH_AGENT_CONFIG) */
  config?: string;
  /** MiB kept back from tasks. @default "0" (env BERTH_RESERVED_MEMORY) */
  reservedMemory?: string;
  /** TCP ports tasks may not use. @default "22,2375,2376,51678,51679" as ECS (env BERTH_RESERVED_PORTS) */
  reservedPorts?: string;
  /** UDP ports tasks may not use. @default "" (env BERTH_RESERVED_UDP_PORTS) */
  reservedUdpPorts?: string;
  /** Custom attributes `k=v,k2=v2`, sent on the first registration. @default "" (env BERTH_INSTANCE_ATTRIBUTES) */
  attributes?: string;
  /** Introspection API address, or `off`. @default "127.0.0.1:51678" (env BERTH_INTROSPECTION_LISTEN) */
  introspectionListen?: string;
  /** Task metadata endpoint: PORT (loopback + Docker bridge), HOST:PORT, or `off`. @default "51679" (env BERTH_METADATA_LISTEN) */
  metadataListen?: string;
  /** Docker Engine endpoint. @default "unix:///var/run/docker.sock" (env DOCKER_HOST) */
  dockerHost?: string;
  /** @default "info" (env BERTH_AGENT_LOG_LEVEL) */
  logLevel?: string;
  /** SIGTERM grace before SIGKILL for containers without a stopTimeout. @default "30s" (env BERTH_CONTAINER_STOP_TIMEOUT) */
  containerStopTimeout?: string;
  /** How long a stopped task's containers are kept. @default "3h" (env BERTH_TASK_CLEANUP_WAIT) */
  taskCleanupWait?: string;
  /** default | always | once | prefer-cached. @default "default" (env BERTH_IMAGE_PULL_BEHAVIOR) */
  imagePullBehavior?: string;
  /** Remove unused images the agent pulled: on | off. @default "off" (env BERTH_IMAGE_CLEANUP) */
  imageCleanup?: string;
  /** @default "30m" (env BERTH_IMAGE_CLEANUP_INTERVAL) */
  imageCleanupInterval?: string;
  /** An image unused for less than this is kept. @default "1h" (env BERTH_IMAGE_MINIMUM_AGE) */
  imageMinimumAge?: string;
  /** JSON file of private registry credentials (ECS_ENGINE_AUTH_DATA's format). (env BERTH_DOCKER_AUTH) */
  dockerAuth?: string;
  /** Disk for awslogs lines waiting to be shipped (one spool per host). @default "256MiB" (env BERTH_LOGS_SPOOL_SIZE) */
  logsSpoolSize?: string;
}

export type OptionName = keyof AgentOptions;

export const FLAGS = {
  endpoint: '--endpoint',
  activationId: '--activation-id',
  activationCode: '--activation-code',
  cluster: '--cluster',
  dataDir: '--data-dir',
  config: '--config',
  reservedMemory: '--reserved-memory',
  reservedPorts: '--reserved-ports',
  reservedUdpPorts: '--reserved-udp-ports',
  attributes: '--attributes',
  introspectionListen: '--introspection-listen',
  metadataListen: '--metadata-listen',
  dockerHost: '--docker-host',
  logLevel: '--log-level',
  containerStopTimeout: '--container-stop-timeout',
  taskCleanupWait: '--task-cleanup-wait',
  imagePullBehavior: '--image-pull-behavior',
  imageCleanup: '--image-cleanup',
  imageCleanupInterval: '--image-cleanup-interval',
  imageMinimumAge: '--image-minimum-age',
  dockerAuth: '--docker-auth',
  logsSpoolSize: '--logs-spool-size',
} as const satisfies Record<OptionName, string>;

export const ENV_VARS = {
  endpoint: 'BERTH_ENDPOINT',
  activationId: 'BERTH_ACTIVATION_ID',
  activationCode: 'BERTH_ACTIVATION_CODE',
  cluster: 'BERTH_CLUSTER',
  dataDir: 'BERTH_AGENT_DATA_DIR',
  config: 'BERTH_AGENT_CONFIG',
  reservedMemory: 'BERTH_RESERVED_MEMORY',
  reservedPorts: 'BERTH_RESERVED_PORTS',
  reservedUdpPorts: 'BERTH_RESERVED_UDP_PORTS',
  attributes: 'BERTH_INSTANCE_ATTRIBUTES',
  introspectionListen: 'BERTH_INTROSPECTION_LISTEN',
  metadataListen: 'BERTH_METADATA_LISTEN',
  // The variable every Docker client reads, so the agent finds the engine the host's `docker` CLI uses.
  dockerHost: 'DOCKER_HOST',
  logLevel: 'BERTH_AGENT_LOG_LEVEL',
  containerStopTimeout: 'BERTH_CONTAINER_STOP_TIMEOUT',
  taskCleanupWait: 'BERTH_TASK_CLEANUP_WAIT',
  imagePullBehavior: 'BERTH_IMAGE_PULL_BEHAVIOR',
  imageCleanup: 'BERTH_IMAGE_CLEANUP',
  imageCleanupInterval: 'BERTH_IMAGE_CLEANUP_INTERVAL',
  imageMinimumAge: 'BERTH_IMAGE_MINIMUM_AGE',
  dockerAuth: 'BERTH_DOCKER_AUTH',
  logsSpoolSize: 'BERTH_LOGS_SPOOL_SIZE',
} as const satisfies Record<OptionName, string>;

/** The reserved TCP ports of the ECS agent: SSH, Docker's API (plain and TLS), its introspection and TMDS. */
export const DEFAULT_RESERVED_PORTS = '22,2375,2376,51678,51679';
/** Where an installer writes the agent's configuration. */
export const DEFAULT_CONFIG_FILE = '/etc/berth/agent.json';

export const DEFAULTS = {
  cluster: 'default',
  dataDir: '/var/lib/berth-agent',
  reservedMemory: '0',
  reservedPorts: DEFAULT_RESERVED_PORTS,
  reservedUdpPorts: '',
  attributes: '',
  // ECS's introspection port; loopback only, since it tells anyone who asks which cluster this host is in.
  introspectionListen: '127.0.0.1:51678',
  // ECS's TMDS port, on loopback and the Docker bridge's gateway only (see metadata/metadata-service.ts).
  metadataListen: '51679',
  dockerHost: 'unix:///var/run/docker.sock',
  logLevel: 'info',
  // The ECS agent's defaults (ECS_CONTAINER_STOP_TIMEOUT, ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION, ...),
  // except image cleanup, which is off until an operator asks for it.
  containerStopTimeout: '30s',
  taskCleanupWait: '3h',
  imagePullBehavior: 'default',
  imageCleanup: 'off',
  imageCleanupInterval: '30m',
  imageMinimumAge: '1h',
  logsSpoolSize: '256MiB',
} as const satisfies Partial<Record<OptionName, string>>;

/** ECS's cap on reserved ports of an instance (PortMapping.hostPort), per protocol; the control plane checks it too. */
export const MAX_RESERVED_PORTS = 100;
/** ECS's cap on custom attributes of a container instance. */
export const MAX_CUSTOM_ATTRIBUTES = 10;

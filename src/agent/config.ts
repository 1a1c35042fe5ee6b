/**
 * `berth agent` configuration: the options of `options.ts` layered (flags > environment > config file >
 * defaults) and validated once, at start-up. A bad value stops the agent with a message that names where the
 * value came from and how to fix it.
 *
 * The config file is JSON whose keys are the camelCase option names (`{"endpoint": "...", "cluster": "edge",
 * "reservedPorts": [22, 2375], "attributes": {"site": "lab"}}`); it is where an installer puts the activation
 * code, so it should be readable by root only. The agent never logs the code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, type LogLevel } from '../util/options.js';
import {
  activationId,
  attributes,
  clusterOption,
  dockerEndpoint,
  endpoint,
  introspection,
  logLevelOption,
  optionalText,
  portList,
  reservedMemory,
  spoolSize,
  text,
  invalid,
  type DockerEndpoint,
  type Picked,
} from './option-values.js';
import {
  DEFAULT_CONFIG_FILE,
  DEFAULTS,
  ENV_VARS,
  FLAGS,
  type AgentOptions,
  type OptionName,
} from './options.js';
import type { RegistryAuthTable } from './engine/docker/registry-auth.js';
import { metadataListenOption, type MetadataListen } from './metadata/listen.js';
import type { ImageCleanupConfig, ImagePullBehavior } from './engine/engine-config.js';
import {
  dockerAuthOption,
  durationOption,
  imageCleanupOption,
  MIN_CONTAINER_STOP_TIMEOUT_MS,
  MIN_TASK_CLEANUP_WAIT_MS,
  pullBehaviorOption,
} from './engine/engine-options.js';

export { ConfigError };
export type { DockerEndpoint };
export * from './options.js';

/** Options once layered and checked: everything the agent needs, each in the form it uses. */
export interface AgentConfig {
  /** No trailing slash. */
  readonly endpoint: string;
  readonly activationId: string | undefined;
  readonly activationCode: string | undefined;
  /** As given: a name or a cluster ARN. */
  readonly cluster: string;
  /** The cluster's name, also when `cluster` is an ARN. */
  readonly clusterName: string;
  /** Absolute. */
  readonly dataDir: string;
  /** The config file that was read, if any. */
  readonly configFile: string | undefined;
  readonly reservedMemoryMiB: number;
  readonly reservedPorts: readonly number[];
  readonly reservedUdpPorts: readonly number[];
  /** Custom attributes, in the order given. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Undefined when turned off. Port 0 picks a free port. */
  readonly introspection: { readonly host: string; readonly port: number } | undefined;
  /** Where the task metadata endpoint listens; undefined when turned off. */
  readonly metadata: MetadataListen | undefined;
  readonly docker: DockerEndpoint;
  readonly logLevel: LogLevel;
  readonly containerStopTimeoutMs: number;
  readonly taskCleanupWaitMs: number;
  readonly imagePullBehavior: ImagePullBehavior;
  /** Undefined when image cleanup is off (the default). */
  readonly imageCleanup: ImageCleanupConfig | undefined;
  /** Private registry credentials by registry host; never logged. */
  readonly registryAuth: RegistryAuthTable;
  /** The awslogs spool's bound, in bytes. */
  readonly logsSpoolBytes: number;
}

export interface ResolveOptions {
  /** The config file read when neither --config nor BERTH_AGENT_CONFIG names one, if it exists. */
  readonly defaultConfigFile?: string;
}

/** Layers flags > environment > config file > defaults, and checks everything once. */
export function resolveAgentConfig(
  flags: AgentOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: ResolveOptions = {},
): AgentConfig {
  // An empty variable counts as unset, as systemd's `Environment=X=` and shell `X= cmd` users expect.
  const fromEnv = (name: OptionName) => {
    const v = env[ENV_VARS[name]];
    return v === undefined || v === '' ? undefined : v;
  };
  const configFile = flags.config ?? fromEnv('config');
  const defaultFile = options.defaultConfigFile ?? DEFAULT_CONFIG_FILE;
  const file =
    configFile !== undefined
      ? readConfigFile(configFile, true)
      : existsSync(defaultFile)
        ? readConfigFile(defaultFile, false)
        : undefined;

  const pick = (name: OptionName): Picked | undefined => {
    if (flags[name] !== undefined) return { value: flags[name], source: { kind: 'flag' } };
    const e = fromEnv(name);
    if (e !== undefined) return { value: e, source: { kind: 'env' } };
    if (file !== undefined && Object.hasOwn(file.values, name))
      return { value: file.values[name], source: { kind: 'file', file: file.path } };
    const d = (DEFAULTS as Partial<Record<OptionName, string>>)[name];
    return d === undefined ? undefined : { value: d, source: { kind: 'default' } };
  };
  const need = (name: keyof typeof DEFAULTS): Picked =>
    pick(name) ?? { value: '', source: { kind: 'default' } };

  const { cluster, clusterName } = clusterOption(need('cluster'));
  const dataDir = text('dataDir', need('dataDir'));
  if (dataDir === '') throw invalid('dataDir', need('dataDir'), 'must name a directory');
  return {
    endpoint: endpoint(pick('endpoint')),
    activationId: activationId(pick('activationId')),
    activationCode: optionalText('activationCode', pick('activationCode')),
    cluster,
    clusterName,
    dataDir: resolve(dataDir),
    configFile: file?.path,
    reservedMemoryMiB: reservedMemory(need('reservedMemory')),
    reservedPorts: portList('reservedPorts', need('reservedPorts')),
    reservedUdpPorts: portList('reservedUdpPorts', need('reservedUdpPorts')),
    attributes: attributes(need('attributes')),
    introspection: introspection(need('introspectionListen')),
    metadata: metadataListenOption(need('metadataListen')),
    docker: dockerEndpoint(need('dockerHost')),
    logLevel: logLevelOption(need('logLevel')),
    containerStopTimeoutMs: durationOption(
      'containerStopTimeout',
      need('containerStopTimeout'),
      MIN_CONTAINER_STOP_TIMEOUT_MS,
    ),
    taskCleanupWaitMs: durationOption('taskCleanupWait', need('taskCleanupWait'), MIN_TASK_CLEANUP_WAIT_MS),
    imagePullBehavior: pullBehaviorOption(need('imagePullBehavior')),
    imageCleanup: imageCleanupOption(
      need('imageCleanup'),
      need('imageCleanupInterval'),
      need('imageMinimumAge'),
    ),
    registryAuth: dockerAuthOption(pick('dockerAuth')),
    logsSpoolBytes: spoolSize(need('logsSpoolSize')),
  };
}

interface ConfigFile {
  readonly path: string;
  readonly values: Readonly<Record<string, unknown>>;
}

function readConfigFile(path: string, named: boolean): ConfigFile {
  const absolute = resolve(path);
  let textValue: string;
  try {
    textValue = readFileSync(absolute, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT' && named
        ? `config file ${absolute} does not exist. Fix ${FLAGS.config} (or ${ENV_VARS.config}), or leave it out.`
        : `cannot read config file ${absolute}: ${(e as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(textValue);
  } catch (e) {
    throw new ConfigError(`config file ${absolute} is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(
      `config file ${absolute} must hold a JSON object, like {"endpoint": "https://..."}.`,
    );
  }
  const known = Object.keys(FLAGS).filter((k) => k !== 'config');
  for (const key of Object.keys(parsed)) {
    if (!known.includes(key)) {
      throw new ConfigError(
        `config file ${absolute} has the unknown key "${key}"; the keys are ${known.join(', ')}.`,
      );
    }
  }
  return { path: absolute, values: parsed as Record<string, unknown> };
}

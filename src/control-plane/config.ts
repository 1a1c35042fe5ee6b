/**
 * Control plane options: one place that knows every option, its environment variable, its default and its
 * rule. They are validated once, at start-up; a bad value stops the server with a message naming the fix.
 */
import { resolve } from 'node:path';
import { formatDuration, parseDuration } from '../util/duration.js';
import { DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_SESSION_TIMEOUT, sessionTimings } from './instances/timing.js';
import { ConfigError, LOG_LEVELS, type LogLevel } from '../util/options.js';

export { ConfigError, LOG_LEVELS, type LogLevel };

export interface ServerOptions {
  /** Address to listen on. @default "127.0.0.1:4650" (env BERTH_LISTEN) */
  listen?: string;
  /** Directory for the database, the master key and the admin credentials. @default "./.berth" (env BERTH_DATA_DIR) */
  dataDir?: string;
  /** Region used in ARNs and expected in signatures. @default "us-east-1" (env BERTH_REGION) */
  region?: string;
  /** Twelve-digit account id used in ARNs. @default "000000000000" (env BERTH_ACCOUNT_ID) */
  accountId?: string;
  /** Log level: fatal, error, warn, info, debug, trace or silent. @default "info" (env BERTH_LOG_LEVEL) */
  logLevel?: string;
  /** How often the control plane sends each agent a heartbeat. @default "20s" (env BERTH_HEARTBEAT_INTERVAL) */
  heartbeatInterval?: string;
  /** Silence after which an agent's session is dropped. @default "60s" (env BERTH_SESSION_TIMEOUT) */
  sessionTimeout?: string;
  /** Lifetime of the credentials agents obtain with their key. @default "30m" (env BERTH_CREDENTIAL_LIFETIME) */
  credentialLifetime?: string;
  /** URL agents reach this control plane at. @default "" = from --listen (env BERTH_PUBLIC_URL) */
  publicUrl?: string;
  /** How long STOPPED tasks stay describable, at least 1h. @default "1h" (env BERTH_STOPPED_TASK_RETENTION) */
  stoppedTaskRetention?: string;
  /**
   * Replace the service tasks of an instance whose agent has been disconnected this long, or `off` (ECS's
   * behaviour: never). @default "off" (env BERTH_REPLACE_DISCONNECTED_AFTER)
   */
  replaceDisconnectedAfter?: string;
  /**
   * Cap on the log events kept (UTF-8 message bytes + 26 per event, as DescribeLogGroups' storedBytes
   * counts them); over it the oldest events go first. @default "1GiB" (env BERTH_LOGS_MAX_SIZE)
   */
  logsMaxSize?: string;
}

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly region: string;
  readonly accountId: string;
  readonly logLevel: LogLevel;
  readonly heartbeatIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly credentialLifetimeMs: number;
  /** Normalised to end in `/`; undefined: derived from the listen address once the port is known. */
  readonly publicUrl: string | undefined;
  readonly stoppedTaskRetentionMs: number;
  /** Undefined: tasks of disconnected instances are never replaced (ECS). */
  readonly replaceDisconnectedAfterMs: number | undefined;
  readonly logsMaxBytes: number;
}

/** SSM's lifetime for the role credentials of a managed instance ("rotated every 30 minutes"). */
export const DEFAULT_CREDENTIAL_LIFETIME = '30m';
/** Short lifetimes exist for tests of rotation; below a second an agent would do nothing but refresh. */
export const MIN_CREDENTIAL_LIFETIME_MS = 1000;
/** STS's longest role session; longer-lived instance credentials would defeat rotation. */
export const MAX_CREDENTIAL_LIFETIME_MS = 12 * 3_600_000;
/** ECS keeps stopped tasks describable for at least an hour; so does Berth, whatever the setting. */
export const MIN_STOPPED_TASK_RETENTION_MS = 3_600_000;
export const DEFAULT_STOPPED_TASK_RETENTION = '1h';

export const DEFAULTS = {
  listen: '127.0.0.1:4650',
  dataDir: './.berth',
  region: 'us-east-1',
  accountId: '000000000000',
  logLevel: 'info',
  heartbeatInterval: DEFAULT_HEARTBEAT_INTERVAL,
  sessionTimeout: DEFAULT_SESSION_TIMEOUT,
  credentialLifetime: DEFAULT_CREDENTIAL_LIFETIME,
  publicUrl: '',
  stoppedTaskRetention: DEFAULT_STOPPED_TASK_RETENTION,
  replaceDisconnectedAfter: 'off',
  logsMaxSize: '1GiB',
} as const satisfies Required<ServerOptions>;

export const ENV_VARS = {
  listen: 'BERTH_LISTEN',
  dataDir: 'BERTH_DATA_DIR',
  region: 'BERTH_REGION',
  accountId: 'BERTH_ACCOUNT_ID',
  logLevel: 'BERTH_LOG_LEVEL',
  heartbeatInterval: 'BERTH_HEARTBEAT_INTERVAL',
  sessionTimeout: 'BERTH_SESSION_TIMEOUT',
  credentialLifetime: 'BERTH_CREDENTIAL_LIFETIME',
  publicUrl: 'BERTH_PUBLIC_URL',
  stoppedTaskRetention: 'BERTH_STOPPED_TASK_RETENTION',
  replaceDisconnectedAfter: 'BERTH_REPLACE_DISCONNECTED_AFTER',
  logsMaxSize: 'BERTH_LOGS_MAX_SIZE',
} as const satisfies Record<keyof ServerOptions, string>;

/** Flags win over environment variables, which win over defaults. */
export function resolveServerConfig(
  flags: ServerOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ServerConfig {
  const pick = (key: keyof ServerOptions): string => flags[key] ?? env[ENV_VARS[key]] ?? DEFAULTS[key];
  const { host, port } = parseListen(pick('listen'));
  const region = pick('region');
  if (!/^[a-z]{2}(-[a-z0-9]+){1,3}-\d{1,2}$/.test(region)) {
    throw new ConfigError(`--region '${region}' is not a region name like us-east-1 or eu-central-2.`);
  }
  const accountId = pick('accountId');
  if (!/^\d{12}$/.test(accountId)) {
    throw new ConfigError(`--account-id '${accountId}' must be exactly 12 digits, like 123456789012.`);
  }
  const logLevel = pick('logLevel');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`--log-level '${logLevel}' must be one of ${LOG_LEVELS.join(', ')}.`);
  }
  const dataDir = pick('dataDir');
  if (dataDir.trim() === '') throw new ConfigError('--data-dir must name a directory.');
  const timings = sessionTimings(pick('heartbeatInterval'), pick('sessionTimeout'));
  if (typeof timings === 'string') throw new ConfigError(timings);
  return {
    host,
    port,
    region,
    accountId,
    logLevel: logLevel as LogLevel,
    dataDir: resolve(dataDir),
    ...timings,
    credentialLifetimeMs: credentialLifetime(pick('credentialLifetime')),
    publicUrl: publicUrl(pick('publicUrl')),
    stoppedTaskRetentionMs: stoppedTaskRetention(pick('stoppedTaskRetention')),
    replaceDisconnectedAfterMs: replaceDisconnectedAfter(pick('replaceDisconnectedAfter')),
    logsMaxBytes: logsMaxSize(pick('logsMaxSize')),
  };
}

function credentialLifetime(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < MIN_CREDENTIAL_LIFETIME_MS || ms > MAX_CREDENTIAL_LIFETIME_MS) {
    throw new ConfigError(
      `--credential-lifetime '${value}' must be a duration from ${formatDuration(MIN_CREDENTIAL_LIFETIME_MS)} ` +
        `to ${formatDuration(MAX_CREDENTIAL_LIFETIME_MS)}, like 30m (the default) or 1h.`,
    );
  }
  return ms;
}

function stoppedTaskRetention(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < MIN_STOPPED_TASK_RETENTION_MS) {
    throw new ConfigError(
      `--stopped-task-retention '${value}' must be a duration of at least ${formatDuration(MIN_STOPPED_TASK_RETENTION_MS)} ` +
        `(ECS keeps stopped tasks describable for at least an hour), like 1h (the default) or 24h.`,
    );
  }
  return ms;
}

/**
 * At least a second: agents reconnect within seconds after a blip, and replacing tasks on every blip would
 * only churn (each returning host then has its surplus stopped).
 */
export const MIN_REPLACE_DISCONNECTED_AFTER_MS = 1000;

function replaceDisconnectedAfter(value: string): number | undefined {
  if (value.trim() === 'off') return undefined;
  const ms = parseDuration(value);
  if (ms === undefined || ms < MIN_REPLACE_DISCONNECTED_AFTER_MS) {
    throw new ConfigError(
      `--replace-disconnected-after '${value}' must be off (the default: like ECS, never replace the tasks of ` +
        `a disconnected instance) or a duration of at least ${formatDuration(MIN_REPLACE_DISCONNECTED_AFTER_MS)}, like 5m.`,
    );
  }
  return ms;
}

/** Below a mebibyte the cap would evict a single PutLogEvents batch as soon as it landed. */
export const MIN_LOGS_MAX_BYTES = 1024 * 1024;
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
  TIB: 2 ** 40,
};

/** `512MiB`, `2GB`, `1073741824`: decimal and binary units, case-insensitive. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? SIZE_UNITS[(m[2] ?? '').toUpperCase()] : undefined;
  return m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : undefined;
}

function logsMaxSize(value: string): number {
  const bytes = parseSize(value);
  if (bytes === undefined || bytes < MIN_LOGS_MAX_BYTES) {
    throw new ConfigError(
      `--logs-max-size '${value}' must be a size of at least 1MiB, like 1GiB (the default), 500MB or 20GiB.`,
    );
  }
  return bytes;
}

function publicUrl(value: string): string | undefined {
  if (value.trim() === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value.trim());
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '') {
    throw new ConfigError(
      `--public-url '${value}' must be an http:// or https:// URL without a query, like https://berth.example.com/.`,
    );
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** Accepts `HOST:PORT`, `:PORT`, `PORT` and `[IPv6]:PORT`; port 0 picks a free port. */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*))?:?(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || !Number.isInteger(port) || port > 65535) {
    throw new ConfigError(`--listen '${value}' must be HOST:PORT (e.g. 127.0.0.1:4650 or 0.0.0.0:8080).`);
  }
  const host = match[1] ?? (match[2] === undefined || match[2] === '' ? '127.0.0.1' : match[2]);
  return { host, port };
}

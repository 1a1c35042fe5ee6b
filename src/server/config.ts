/**
 * Control plane options: one place that knows every option, its environment variable, its default and its
 * rule. They are validated once, at start-up; a bad value stops the server with a message naming the fix.
 */
import { resolve } from 'node:path';

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
}

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly region: string;
  readonly accountId: string;
  readonly logLevel: LogLevel;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULTS = {
  listen: '127.0.0.1:4650',
  dataDir: './.berth',
  region: 'us-east-1',
  accountId: '000000000000',
  logLevel: 'info',
} as const satisfies Required<ServerOptions>;

export const ENV_VARS = {
  listen: 'BERTH_LISTEN',
  dataDir: 'BERTH_DATA_DIR',
  region: 'BERTH_REGION',
  accountId: 'BERTH_ACCOUNT_ID',
  logLevel: 'BERTH_LOG_LEVEL',
} as const satisfies Record<keyof ServerOptions, string>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

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
  return { host, port, region, accountId, logLevel: logLevel as LogLevel, dataDir: resolve(dataDir) };
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

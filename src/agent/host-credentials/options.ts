/**
 * The options of `berth credentials`, layered flags > environment > defaults and checked once at start-up.
 * The options it shares with `berth agent` keep the agent's flags, variables and parsers, so one host's
 * environment file serves both; only `--write` is its own.
 */
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type LogLevel } from '../../util/options.js';
import {
  activationId,
  endpoint,
  invalid,
  logLevelOption,
  optionalText,
  text,
  type Picked,
} from '../option-values.js';
import { DEFAULTS as AGENT_DEFAULTS, ENV_VARS as AGENT_ENV_VARS, FLAGS as AGENT_FLAGS } from '../options.js';

/** Options as a user gives them; all optional here, `resolveCredentialsConfig` fills and checks them. */
export interface CredentialsOptions {
  endpoint?: string;
  activationId?: string;
  activationCode?: string;
  dataDir?: string;
  /** The shared-credentials file to keep fresh. @default "/rotatingcreds/credentials" (env BERTH_CREDENTIALS_FILE) */
  write?: string;
  logLevel?: string;
}

/**
 * Where the stock ECS agent reads rotating instance credentials on Linux (its `credentials_filename_linux.go`),
 * and where the SSM agent writes them in ECS Anywhere.
 */
export const ROTATING_CREDENTIALS_FILE = '/rotatingcreds/credentials';

export const FLAGS = {
  endpoint: AGENT_FLAGS.endpoint,
  activationId: AGENT_FLAGS.activationId,
  activationCode: AGENT_FLAGS.activationCode,
  dataDir: AGENT_FLAGS.dataDir,
  write: '--write',
  logLevel: AGENT_FLAGS.logLevel,
} as const satisfies Record<keyof CredentialsOptions, string>;

export const ENV_VARS = {
  endpoint: AGENT_ENV_VARS.endpoint,
  activationId: AGENT_ENV_VARS.activationId,
  activationCode: AGENT_ENV_VARS.activationCode,
  dataDir: AGENT_ENV_VARS.dataDir,
  write: 'BERTH_CREDENTIALS_FILE',
  logLevel: AGENT_ENV_VARS.logLevel,
} as const satisfies Record<keyof CredentialsOptions, string>;

export const DEFAULTS = {
  // The agent's: one host, one identity, whichever of the two runs on it.
  dataDir: AGENT_DEFAULTS.dataDir,
  write: ROTATING_CREDENTIALS_FILE,
  logLevel: AGENT_DEFAULTS.logLevel,
} as const;

export interface CredentialsConfig {
  /** No trailing slash. */
  readonly endpoint: string;
  readonly activationId: string | undefined;
  readonly activationCode: string | undefined;
  /** Absolute. */
  readonly dataDir: string;
  /** Absolute. */
  readonly file: string;
  readonly logLevel: LogLevel;
}

export function resolveCredentialsConfig(
  flags: CredentialsOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
): CredentialsConfig {
  const pick = (name: keyof CredentialsOptions): Picked | undefined => {
    if (flags[name] !== undefined) return { value: flags[name], source: { kind: 'flag' } };
    // An empty variable counts as unset, as systemd's `Environment=X=` and shell `X= cmd` users expect.
    const e = env[ENV_VARS[name]];
    if (e !== undefined && e !== '') return { value: e, source: { kind: 'env' } };
    const d = (DEFAULTS as Partial<Record<keyof CredentialsOptions, string>>)[name];
    return d === undefined ? undefined : { value: d, source: { kind: 'default' } };
  };
  const need = (name: keyof typeof DEFAULTS): Picked =>
    pick(name) ?? { value: '', source: { kind: 'default' } };

  const dataDir = text('dataDir', need('dataDir'));
  if (dataDir === '') throw invalid('dataDir', need('dataDir'), 'must name a directory');
  return {
    endpoint: endpoint(pick('endpoint')),
    activationId: activationId(pick('activationId')),
    activationCode: optionalText('activationCode', pick('activationCode')),
    dataDir: resolve(dataDir),
    file: credentialsFile(need('write')),
    logLevel: logLevelOption(need('logLevel')),
  };
}

function credentialsFile(picked: Picked): string {
  const name = picked.source.kind === 'env' ? ENV_VARS.write : FLAGS.write;
  const value = typeof picked.value === 'string' ? picked.value.trim() : '';
  if (value === '' || value.endsWith('/')) {
    throw new ConfigError(
      `${name} ${JSON.stringify(picked.value)} must name a file, like ${ROTATING_CREDENTIALS_FILE} ` +
        "(the stock ECS agent's).",
    );
  }
  return isAbsolute(value) ? value : resolve(value);
}

/**
 * What every `berth` subcommand's options share: the error that stops a process at start-up with a message
 * naming the fix (the CLI exits 2 on it), and the log levels.
 */

/** A value a user gave (flag, variable, file) is wrong, or the process cannot start as configured. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** pino's levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

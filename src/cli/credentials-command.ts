import type { Command } from 'commander';
import { CredentialsDaemon } from '../agent/host-credentials/credentials-daemon.js';
import {
  DEFAULTS,
  ENV_VARS,
  resolveCredentialsConfig,
  type CredentialsOptions,
} from '../agent/host-credentials/options.js';
import { EXIT_CODES } from '../agent/startup-errors.js';
import { ConfigError } from '../util/options.js';

export function registerCredentialsCommand(program: Command): void {
  program
    .command('credentials')
    .description(
      "Keep a host's instance credentials in an AWS shared-credentials file, for the stock Amazon ECS agent: " +
        'register the host with an activation (first start), then renew the keys at half-life and rewrite the file.',
    )
    .option('--endpoint <url>', `control plane URL, required [${ENV_VARS.endpoint}]`)
    .option('--activation-id <id>', `activation id, first start only [${ENV_VARS.activationId}]`)
    .option('--activation-code <code>', `activation code, first start only [${ENV_VARS.activationCode}]`)
    .option('--data-dir <dir>', `the host's identity [${ENV_VARS.dataDir}, default ${DEFAULTS.dataDir}]`)
    .option(
      '--write <file>',
      `shared-credentials file to keep fresh, profile default [${ENV_VARS.write}, default ${DEFAULTS.write}]`,
    )
    .option('--log-level <level>', `log verbosity [${ENV_VARS.logLevel}, default ${DEFAULTS.logLevel}]`)
    .action(async (flags: CredentialsOptions) => {
      let config;
      try {
        config = resolveCredentialsConfig(flags);
      } catch (e) {
        if (e instanceof ConfigError) {
          console.error(`berth credentials: ${e.message}`);
          process.exit(EXIT_CODES.config);
        }
        throw e;
      }
      const daemon = new CredentialsDaemon(config);
      const stop = (signal: string) => {
        process.stderr.write(`berth credentials: ${signal}, stopping\n`);
        void daemon.stop();
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
      daemon.start();
      const exit = await daemon.done;
      if (exit.message !== undefined) console.error(`berth credentials: ${exit.message}`);
      process.exit(exit.code);
    });
}

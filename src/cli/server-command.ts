import type { Command } from 'commander';
import {
  ConfigError,
  DEFAULTS,
  ENV_VARS,
  resolveServerConfig,
  type ServerOptions,
} from '../control-plane/config.js';
import { startServer } from '../control-plane/server.js';

/** The control plane's options, shared by `berth server` and `berth up`. */
export function addServerOptions(command: Command): Command {
  return command
    .option('--listen <host:port>', `address to serve on [${ENV_VARS.listen}, default ${DEFAULTS.listen}]`)
    .option(
      '--data-dir <dir>',
      `where state and credentials live [${ENV_VARS.dataDir}, default ${DEFAULTS.dataDir}]`,
    )
    .option(
      '--region <region>',
      `region in ARNs and signatures [${ENV_VARS.region}, default ${DEFAULTS.region}]`,
    )
    .option(
      '--account-id <id>',
      `12-digit account id in ARNs [${ENV_VARS.accountId}, default ${DEFAULTS.accountId}]`,
    )
    .option('--log-level <level>', `log verbosity [${ENV_VARS.logLevel}, default ${DEFAULTS.logLevel}]`)
    .option(
      '--credential-lifetime <duration>',
      `lifetime of agents' credentials [${ENV_VARS.credentialLifetime}, default ${DEFAULTS.credentialLifetime}]`,
    )
    .option(
      '--public-url <url>',
      `URL agents reach this server at [${ENV_VARS.publicUrl}, default http://<listen address>/]`,
    )
    .option(
      '--heartbeat-interval <duration>',
      `how often agents get a heartbeat [${ENV_VARS.heartbeatInterval}, default ${DEFAULTS.heartbeatInterval}]`,
    )
    .option(
      '--session-timeout <duration>',
      `silence after which an agent counts as disconnected [${ENV_VARS.sessionTimeout}, default ${DEFAULTS.sessionTimeout}]`,
    )
    .option(
      '--stopped-task-retention <duration>',
      `how long stopped tasks stay describable, at least 1h [${ENV_VARS.stoppedTaskRetention}, default ${DEFAULTS.stoppedTaskRetention}]`,
    )
    .option(
      '--replace-disconnected-after <duration|off>',
      `replace service tasks of an instance disconnected this long; off never does, like ECS [${ENV_VARS.replaceDisconnectedAfter}, default ${DEFAULTS.replaceDisconnectedAfter}]`,
    )
    .option(
      '--logs-max-size <size>',
      `cap on stored log events; over it the oldest go first [${ENV_VARS.logsMaxSize}, default ${DEFAULTS.logsMaxSize}]`,
    );
}

export function registerServerCommand(program: Command): void {
  addServerOptions(
    program.command('server').description('Run the control plane (ECS API on an embedded SQLite store).'),
  ).action(async (flags: ServerOptions) => {
    let config;
    let server;
    try {
      config = resolveServerConfig(flags);
      // Start-up failures a user can fix (e.g. the port is taken) are ConfigErrors too.
      server = await startServer(config);
    } catch (e) {
      if (e instanceof ConfigError) {
        console.error(`berth server: ${e.message}`);
        process.exit(2);
      }
      throw e;
    }
    const { credentialsFile, configFile } = server.admin;
    process.stderr.write(
      [
        `Berth control plane: ${server.url}  (region ${config.region}, account ${config.accountId})`,
        `Administrator credentials: ${credentialsFile} (profile "berth")`,
        `Use them with the AWS CLI:`,
        `  export AWS_SHARED_CREDENTIALS_FILE=${credentialsFile} AWS_CONFIG_FILE=${configFile} AWS_PROFILE=berth`,
        `  aws --endpoint-url ${server.url} ecs list-clusters`,
        '',
      ].join('\n'),
    );
    const stop = (signal: string) => {
      process.stderr.write(`berth server: ${signal}, shutting down\n`);
      server.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

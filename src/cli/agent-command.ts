import type { Command } from 'commander';
import { Agent } from '../agent/agent.js';
import {
  ConfigError,
  DEFAULT_CONFIG_FILE,
  DEFAULTS,
  ENV_VARS,
  resolveAgentConfig,
  type AgentOptions,
} from '../agent/config.js';
import { EXIT_CODES } from '../agent/startup-errors.js';
import { dockerTaskEngine } from '../agent/engine/agent-engine.js';
import { awslogsShipping } from '../agent/logs/index.js';

export function registerAgentCommand(program: Command): void {
  program
    .command('agent')
    .description(
      'Run the agent on a host: register it with an activation (first start), join the cluster, keep a session.',
    )
    .option('--endpoint <url>', `control plane URL, required [${ENV_VARS.endpoint}]`)
    .option('--activation-id <id>', `activation id, first start only [${ENV_VARS.activationId}]`)
    .option('--activation-code <code>', `activation code, first start only [${ENV_VARS.activationCode}]`)
    .option('--cluster <name>', `cluster to join [${ENV_VARS.cluster}, default ${DEFAULTS.cluster}]`)
    .option('--data-dir <dir>', `identity and state [${ENV_VARS.dataDir}, default ${DEFAULTS.dataDir}]`)
    .option(
      '--config <file>',
      `JSON config file, keys as the options in camelCase [${ENV_VARS.config}, default ${DEFAULT_CONFIG_FILE} if present]`,
    )
    .option(
      '--reserved-memory <mib>',
      `MiB of memory kept from tasks [${ENV_VARS.reservedMemory}, default ${DEFAULTS.reservedMemory}]`,
    )
    .option(
      '--reserved-ports <list>',
      `TCP ports tasks may not use [${ENV_VARS.reservedPorts}, default ${DEFAULTS.reservedPorts}]`,
    )
    .option(
      '--reserved-udp-ports <list>',
      `UDP ports tasks may not use [${ENV_VARS.reservedUdpPorts}, default none]`,
    )
    .option(
      '--attributes <k=v,...>',
      `custom attributes, sent on the first registration [${ENV_VARS.attributes}]`,
    )
    .option(
      '--introspection-listen <host:port>',
      `introspection API address, or off [${ENV_VARS.introspectionListen}, default ${DEFAULTS.introspectionListen}]`,
    )
    .option(
      '--metadata-listen <port|host:port>',
      `task metadata endpoint: a port (loopback and the Docker bridge), HOST:PORT, or off [${ENV_VARS.metadataListen}, default ${DEFAULTS.metadataListen}]`,
    )
    .option(
      '--docker-host <url>',
      `Docker Engine endpoint [${ENV_VARS.dockerHost}, default ${DEFAULTS.dockerHost}]`,
    )
    .option('--log-level <level>', `log verbosity [${ENV_VARS.logLevel}, default ${DEFAULTS.logLevel}]`)
    .option(
      '--container-stop-timeout <duration>',
      `SIGTERM grace before SIGKILL [${ENV_VARS.containerStopTimeout}, default ${DEFAULTS.containerStopTimeout}]`,
    )
    .option(
      '--task-cleanup-wait <duration>',
      `keep a stopped task's containers this long [${ENV_VARS.taskCleanupWait}, default ${DEFAULTS.taskCleanupWait}]`,
    )
    .option(
      '--image-pull-behavior <behavior>',
      `default, always, once or prefer-cached [${ENV_VARS.imagePullBehavior}, default ${DEFAULTS.imagePullBehavior}]`,
    )
    .option(
      '--image-cleanup <on|off>',
      `remove unused images the agent pulled [${ENV_VARS.imageCleanup}, default ${DEFAULTS.imageCleanup}]`,
    )
    .option(
      '--image-cleanup-interval <duration>',
      `time between image cleanups [${ENV_VARS.imageCleanupInterval}, default ${DEFAULTS.imageCleanupInterval}]`,
    )
    .option(
      '--image-minimum-age <duration>',
      `keep images used more recently [${ENV_VARS.imageMinimumAge}, default ${DEFAULTS.imageMinimumAge}]`,
    )
    .option('--docker-auth <file>', `JSON file of private registry credentials [${ENV_VARS.dockerAuth}]`)
    .option(
      '--logs-spool-size <size>',
      `disk for awslogs lines waiting to be shipped [${ENV_VARS.logsSpoolSize}, default ${DEFAULTS.logsSpoolSize}]`,
    )
    .action(async (flags: AgentOptions) => {
      let config;
      try {
        config = resolveAgentConfig(flags);
      } catch (e) {
        if (e instanceof ConfigError) {
          console.error(`berth agent: ${e.message}`);
          process.exit(EXIT_CODES.config);
        }
        throw e;
      }
      // The AWS SDK warns on every start that its releases from 2027 on will need Node 22. Berth supports
      // Node 20 with the SDK version its lockfile pins, so the warning only misleads the person reading the log.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      const agent = new Agent(config, {
        taskEngine: dockerTaskEngine(config),
        logShipping: awslogsShipping(config),
      });
      const stop = (signal: string) => {
        process.stderr.write(`berth agent: ${signal}, stopping\n`);
        void agent.stop();
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
      agent.start();
      const exit = await agent.done;
      if (exit.message !== undefined) console.error(`berth agent: ${exit.message}`);
      process.exit(exit.code);
    });
}

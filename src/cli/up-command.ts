/**
 * `berth up`: Berth on its embedded defaults in one process — the control plane on SQLite and a local agent
 * joined to its `default` cluster, so `aws ecs run-task` works straight away on this machine.
 *
 * The first time, it creates the cluster and a one-host activation through the API (as an administrator
 * would) and hands the code to the local agent; the agent's identity then lives in `<data dir>/agent`, and
 * later starts reuse it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Agent } from '../agent/agent.js';
import { resolveAgentConfig } from '../agent/config.js';
import { dockerTaskEngine } from '../agent/engine/agent-engine.js';
import { awslogsShipping } from '../agent/logs/index.js';
import { IDENTITY_FILE } from '../agent/identity/identity.js';
import { readAdminKeys } from '../control-plane/auth/bootstrap.js';
import { ConfigError, resolveServerConfig, type ServerOptions } from '../control-plane/config.js';
import { startServer } from '../control-plane/server.js';
import { adminCall } from './admin-call.js';
import { addServerOptions } from './server-command.js';

const LOCAL_CLUSTER = 'default';
/** The role name recorded on the local agent's activation; Berth keeps it for DescribeInstanceInformation. */
const LOCAL_AGENT_ROLE = 'berthLocalAgent';

export function registerUpCommand(program: Command): void {
  addServerOptions(
    program
      .command('up')
      .description('Run the control plane and a local agent (joined to the default cluster) in one process.'),
  ).action(async (flags: ServerOptions) => {
    let config;
    try {
      config = resolveServerConfig(flags);
    } catch (e) {
      if (e instanceof ConfigError) {
        console.error(`berth up: ${e.message}`);
        process.exit(2);
      }
      throw e;
    }
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const server = await startServer(config);
    const agentDir = join(config.dataDir, 'agent');
    const activation: { activationId?: string; activationCode?: string } = {};
    if (!existsSync(join(agentDir, IDENTITY_FILE))) {
      const keys = readAdminKeys(server.admin.credentialsFile);
      const call = <T>(target: string, body: unknown) =>
        adminCall<T>(server.url, config.region, keys, target, body);
      await call('AmazonEC2ContainerServiceV20141113.CreateCluster', { clusterName: LOCAL_CLUSTER });
      const created = await call<{ ActivationId: string; ActivationCode: string }>(
        'AmazonSSM.CreateActivation',
        {
          IamRole: LOCAL_AGENT_ROLE,
          Description: 'berth up: the local agent',
          DefaultInstanceName: 'local',
        },
      );
      activation.activationId = created.ActivationId;
      activation.activationCode = created.ActivationCode;
    }
    const agentConfig = resolveAgentConfig(
      {
        endpoint: server.url,
        cluster: LOCAL_CLUSTER,
        dataDir: agentDir,
        logLevel: config.logLevel,
        ...activation,
      },
      {},
      { defaultConfigFile: join(agentDir, 'agent.json') },
    );
    const agent = new Agent(agentConfig, {
      taskEngine: dockerTaskEngine(agentConfig),
      logShipping: awslogsShipping(agentConfig),
    });
    agent.start();
    const { credentialsFile, configFile } = server.admin;
    process.stderr.write(
      [
        `Berth is up: control plane ${server.url} with a local agent in cluster "${LOCAL_CLUSTER}".`,
        `Administrator credentials: ${credentialsFile} (profile "berth"). Use them with the AWS CLI:`,
        `  export AWS_SHARED_CREDENTIALS_FILE=${credentialsFile} AWS_CONFIG_FILE=${configFile} AWS_PROFILE=berth`,
        `  aws --endpoint-url ${server.url} ecs list-container-instances`,
        '',
      ].join('\n'),
    );
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`berth up: ${signal}, stopping\n`);
      void agent
        .stop()
        .then(() => server.stop())
        .then(
          () => process.exit(0),
          () => process.exit(1),
        );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    const exit = await agent.done;
    if (stopping) return;
    if (exit.message !== undefined) console.error(`berth up: the local agent stopped: ${exit.message}`);
    await server.stop();
    process.exit(exit.code);
  });
}

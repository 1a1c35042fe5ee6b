/**
 * `berth`: one command for every role. Each subcommand validates its options once and then runs.
 */
import { Command } from 'commander';
import { registerAgentCommand } from './agent-command.js';
import { registerCredentialsCommand } from './credentials-command.js';
import { registerInstallScriptCommand } from './install-script-command.js';
import { registerServerCommand } from './server-command.js';
import { registerUpCommand } from './up-command.js';

const program = new Command()
  .name('berth')
  .description('A self-hosted control plane and agent that speak the Amazon ECS Anywhere API.')
  .showHelpAfterError();

registerUpCommand(program);
registerServerCommand(program);
registerAgentCommand(program);
registerCredentialsCommand(program);
registerInstallScriptCommand(program);

await program.parseAsync(process.argv);

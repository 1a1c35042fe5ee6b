import type { Command } from 'commander';
import { EndpointError, renderInstallScript } from '../control-plane/http/install-script.js';

/**
 * `berth install-script [--endpoint URL]`: prints the agent install script, the same one the control plane
 * serves at /install.sh, for hosts that cannot download it from there (or to read it first).
 */
export function registerInstallScriptCommand(program: Command): void {
  program
    .command('install-script')
    .description(
      'Print the agent install script (served by the control plane at /install.sh). ' +
        'Run it as root on a host: bash install.sh --activation-id ID --activation-code CODE',
    )
    .option(
      '--endpoint <url>',
      "the control plane's URL as hosts reach it, filled in as the script's default",
    )
    .action((flags: { endpoint?: string }) => {
      let script: string;
      try {
        script = renderInstallScript(flags.endpoint);
      } catch (e) {
        if (e instanceof EndpointError) {
          console.error(`berth install-script: --endpoint ${e.message}`);
          process.exit(2);
        }
        throw e;
      }
      process.stdout.write(script);
    });
}

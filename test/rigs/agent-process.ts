/**
 * The real `berth agent` as a child process, as a host runs it: `node --import tsx src/cli/main.ts agent …`
 * with a clean environment (PATH and HOME only, so nothing from the test runner's variables leaks in). Its
 * JSON log lines are collected for the assertions that only the log can answer (how often it tried).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../src/util/testing/wait-for.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface LogLine {
  readonly msg?: string;
  readonly [key: string]: unknown;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class AgentProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<Exit>;

  /**
   * `options.launcher` goes before the command, e.g. `['nsenter', '--net=/var/run/netns/h1', '--']` to run
   * the agent on a test host (test/rigs/hosts.ts); nsenter execs, so the child's pid is still the agent's.
   * `options.command` runs another host-side subcommand (`credentials`) the same way.
   */
  constructor(
    args: readonly string[],
    env: Readonly<Record<string, string>> = {},
    options: { readonly launcher?: readonly string[]; readonly command?: 'agent' | 'credentials' } = {},
  ) {
    const command = options.command ?? 'agent';
    const argv = [process.execPath, '--import', 'tsx', 'src/cli/main.ts', command, ...args];
    const [file, ...rest] = [...(options.launcher ?? []), ...argv] as [string, ...string[]];
    this.child = spawn(file, rest, {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          this.logs.push({ msg: line });
        }
      }
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) =>
      this.child.once('close', (code, signal) => resolve({ code, signal })),
    );
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first log line that matches, waiting for it; fails early if the agent exits. */
  async waitForLog(what: string, match: (line: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
    return waitFor(what, () => this.logs.find(match), timeoutMs, {
      intervalMs: 25,
      detail: () => `stderr: ${this.stderr}`,
      failIf: () => (this.running ? undefined : `the agent exited; stderr: ${this.stderr}`),
    });
  }

  /** The introspection API's port (start the agent with `--introspection-listen 127.0.0.1:0`). */
  async introspectionPort(): Promise<number> {
    const line = await this.waitForLog(
      'the introspection API',
      (l) => l.msg === 'introspection API listening',
    );
    return line.port as number;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}

/** Runs the agent to its exit (for option errors and refusals). */
export async function runAgentToExit(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  timeoutMs = 15_000,
): Promise<Exit & { readonly stderr: string; readonly logs: LogLine[] }> {
  const agent = new AgentProcess(args, env);
  const timer = setTimeout(() => agent.child.kill('SIGKILL'), timeoutMs);
  const exit = await agent.exited;
  clearTimeout(timer);
  return { ...exit, stderr: agent.stderr, logs: agent.logs };
}

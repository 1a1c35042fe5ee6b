/**
 * The awslogs driver's cost on a host: `npx tsx bench/logs-agent.ts`, and the last figure of `bench/logs.ts`.
 *
 * Starts the control plane and the real `berth agent` (a child process, registered with an activation, on this
 * host's Docker: test/rigs/tasks-e2e-rig.ts), runs a task whose container writes about 1,000 lines a second
 * with the awslogs driver, and measures the agent process's CPU (user + system, from /proc) over a window
 * while it captures, spools and ships them; the lines stored at the control plane over the same window give
 * the rate actually shipped. Printed beside the goal: at most 5% of one core at 1,000 lines/s.
 *
 * Options (flag or environment variable):
 *   --seconds N   BENCH_SECONDS   the measured window (default 30)
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { HTTPD_IMAGE } from '../test/rigs/images.js';
import { TasksRig } from '../test/rigs/tasks-e2e-rig.js';
import { waitFor } from '../src/util/testing/wait-for.js';
import { cpuSecondsOf, table } from './child-server.js';

export const GOAL_AGENT_CPU_PERCENT = 5;
const TARGET_LINES_PER_S = 1_000;
const WARM_UP_MS = 10_000;
const GROUP = '/berth/bench';
/** 100 lines of ~100 bytes, then 0.1 s: about 1,000 lines a second (a little less: the loop takes time too). */
const WRITER =
  'i=0; trap "exit 0" TERM; pad=$(printf "%080d" 0); ' +
  'while :; do j=0; while [ $j -lt 100 ]; do j=$((j+1)); echo "$((i+=1)) $pad"; done; sleep 0.1; done';

export interface AgentShipping {
  readonly seconds: number;
  readonly linesPerS: number;
  /** The agent's CPU over the window, in % of one core. */
  readonly cpuPercent: number;
  /** The same, scaled to 1,000 lines/s. */
  readonly cpuPercentAtTarget: number;
}

async function storedCount(rig: TasksRig, stream: string): Promise<number> {
  // The writer numbers its lines: the newest stored one says how many are stored.
  const out = await rig.t.awsJson<{ events: { message: string }[] }>([
    'logs',
    'get-log-events',
    '--log-group-name',
    GROUP,
    '--log-stream-name',
    stream,
    '--limit',
    '1',
  ]);
  return Number(out.events[0]?.message.split(' ')[0] ?? '0');
}

/** Runs the task, measures over `seconds`, and cleans up after itself. */
export async function measureAgentShipping(seconds: number): Promise<AgentShipping> {
  HTTPD_IMAGE.build();
  const rig = await TasksRig.start({ cluster: `bench-logs-${randomBytes(3).toString('hex')}` });
  try {
    await rig.t.awsJson(['logs', 'create-log-group', '--log-group-name', GROUP]);
    await rig.cli.registerTaskDefinition({
      family: 'chatty',
      requiresCompatibilities: ['EXTERNAL'],
      containerDefinitions: [
        {
          name: 'app',
          image: HTTPD_IMAGE.ref,
          memory: 64,
          essential: true,
          stopTimeout: 2,
          command: ['sh', '-c', WRITER],
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': GROUP, 'awslogs-stream-prefix': 'bench' },
          },
        },
      ],
    });
    const taskArn = (await rig.runTask('chatty')).tasks[0]?.taskArn ?? '';
    await rig.wait('tasks-running', [taskArn]);
    const stream = `bench/app/${taskArn.slice(taskArn.lastIndexOf('/') + 1)}`;
    await waitFor('the first lines stored', async () => (await storedCount(rig, stream)) > 0, 60_000);
    await sleep(WARM_UP_MS);

    const pid = rig.agent.child.pid ?? 0;
    const cpu0 = cpuSecondsOf(pid) ?? NaN;
    const stored0 = await storedCount(rig, stream);
    const t0 = Date.now();
    await sleep(seconds * 1000);
    const cpu1 = cpuSecondsOf(pid) ?? NaN;
    const stored1 = await storedCount(rig, stream);
    const elapsed = (Date.now() - t0) / 1000;

    const rate = (stored1 - stored0) / elapsed;
    const percent = ((cpu1 - cpu0) / elapsed) * 100;
    await rig.cli.ecs('stop-task', '--task', taskArn);
    return {
      seconds: elapsed,
      linesPerS: rate,
      cpuPercent: percent,
      // CPU scales with lines: the figure at the goal's rate, from the rate measured.
      cpuPercentAtTarget: rate > 0 ? (percent * TARGET_LINES_PER_S) / rate : NaN,
    };
  } finally {
    await rig.cleanup();
  }
}

/** The figure's rows, for a table beside the control plane's (bench/logs.ts). */
export function agentShippingRows(a: AgentShipping): string[][] {
  return [
    [
      'agent CPU shipping awslogs',
      `${a.cpuPercentAtTarget.toFixed(2)}% of a core at 1,000 lines/s`,
      `<= ${GOAL_AGENT_CPU_PERCENT}%`,
      a.cpuPercentAtTarget <= GOAL_AGENT_CPU_PERCENT ? 'met' : 'MISSED',
    ],
    [
      '  measured',
      `${a.cpuPercent.toFixed(2)}% at ${a.linesPerS.toFixed(0)} lines/s over ${a.seconds.toFixed(0)} s`,
      '',
      '',
    ],
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { seconds: { type: 'string' } } });
  const figures = await measureAgentShipping(Number(values.seconds ?? process.env.BENCH_SECONDS ?? '30'));
  console.log(table([['measure', 'result', 'goal', ''], ...agentShippingRows(figures)]));
}

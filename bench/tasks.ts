/**
 * Tasks on a real host: `npx tsx bench/tasks.ts` (or `npm run bench:tasks`).
 *
 * Starts the real `berth server` and the real `berth agent` as child processes (so their memory is their own),
 * registers the agent with an activation like any host, and measures in one run:
 *
 * - RunTask → RUNNING: a one-container task whose image the host already has (the agent runs with
 *   `--image-pull-behavior prefer-cached`, so it does not ask the registry, as `docker run` does not), timed
 *   from the RunTask call until DescribeTasks shows lastStatus RUNNING, polled every 50 ms; N sequential runs,
 *   each task stopped (and seen STOPPED) before the next;
 * - `docker run -d` of the same image with the same limits, N times, timed until Docker reports the container
 *   running — the floor that any agent on this host builds on; and the ratio of the two medians;
 * - the agent's RSS (VmRSS) idle — registered and connected, no tasks yet, after settling — and again idle
 *   after the timed runs (no task running; the stopped ones are still kept for their cleanup wait), and with K
 *   running tasks; the control plane's RSS at the same moments. V8 hands memory back lazily, in steps, so
 *   each reading waits until the RSS has settled (see SETTLE_STABLE_MS) and the peak (VmHWM) is printed too.
 *
 * The image is the busybox httpd the task tests use, built here and pushed to the local registry (nothing is
 * pulled from the internet).
 *
 * Options (flag or environment variable):
 *   --runs N           BENCH_RUNS           timed runs of each kind (default 20)
 *   --tasks K          BENCH_TASKS          tasks running for the loaded RSS figure (default 10)
 *   --pull-behavior B  BENCH_PULL_BEHAVIOR  the agent's image pull behaviour (default prefer-cached)
 *   --build src|dist   BENCH_SERVER         run server and agent from the sources through tsx (default) or the
 *                                           build in dist/ (tsx's loader adds to the RSS of src runs)
 *
 * Traffic goes to 127.0.0.1 only (control plane, registry, Docker's socket); every wait is bounded; the bench
 * stops the agent and the server, removes every container it made (by label) and its data directories.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs, promisify } from 'node:util';
import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import Dockerode from 'dockerode';
import { ownerIdOf } from '../src/agent/engine/agent-engine.js';
import { IMAGE_PULL_BEHAVIORS, type ImagePullBehavior } from '../src/agent/engine/engine-config.js';
import { OWNER_LABEL } from '../src/agent/engine/labels.js';
import { HTTPD_IMAGE } from '../test/rigs/images.js';
import {
  createActivation,
  memoryOf,
  mib,
  percentile,
  readAdminKeys,
  REPO,
  startServer,
  table,
  type ServerBuild,
} from './child-server.js';

const execFileAsync = promisify(execFile);
const REGION = 'us-east-1';
const CLUSTER = 'bench-tasks';
const FAMILY = 'bench-web';
const POLL_MS = 50;
/** Bounds on every wait, so the bench always ends. */
const RUNNING_TIMEOUT_MS = 60_000;
const STOPPED_TIMEOUT_MS = 60_000;
const AGENT_TIMEOUT_MS = 60_000;
/**
 * A memory reading waits until the agent's RSS has not moved by more than SETTLE_TOLERANCE_MIB for
 * SETTLE_STABLE_MS (at most SETTLE_MAX_MS): V8 gives start-up garbage back only once its memory reducer runs,
 * some 20-30 s after allocation calms down (in steps), so an early reading counts garbage rather than what the
 * agent keeps.
 */
const SETTLE_STABLE_MS = 20_000;
const SETTLE_MAX_MS = 120_000;
const SETTLE_TOLERANCE_MIB = 0.5;
/** The container's limits, the same for the task and for `docker run`. */
const MEMORY_MIB = 32;
const CPU_SHARES = 128;

interface Options {
  readonly runs: number;
  readonly tasks: number;
  readonly pullBehavior: ImagePullBehavior;
  readonly build: ServerBuild;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      tasks: { type: 'string' },
      'pull-behavior': { type: 'string' },
      build: { type: 'string' },
    },
  });
  const env = process.env;
  const positive = (name: string, value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0)
      throw new Error(`--${name} must be a positive whole number, got '${value}'`);
    return n;
  };
  const build = values.build ?? env.BENCH_SERVER ?? 'src';
  if (build !== 'src' && build !== 'dist') throw new Error(`--build must be src or dist, got '${build}'`);
  const pull = values['pull-behavior'] ?? env.BENCH_PULL_BEHAVIOR ?? 'prefer-cached';
  if (!(IMAGE_PULL_BEHAVIORS as readonly string[]).includes(pull)) {
    throw new Error(`--pull-behavior must be one of ${IMAGE_PULL_BEHAVIORS.join(', ')}, got '${pull}'`);
  }
  const tasks = positive('tasks', values.tasks ?? env.BENCH_TASKS, 10);
  if (tasks > 10) throw new Error('--tasks is at most 10 (one RunTask call, count ≤ 10)');
  return {
    runs: positive('runs', values.runs ?? env.BENCH_RUNS, 20),
    tasks,
    pullBehavior: pull as ImagePullBehavior,
    build,
  };
}

interface AgentChild {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<void>;
  /** Its log lines, parsed (JSON), for the container instance ARN. */
  readonly logs: Record<string, unknown>[];
  stderr(): string;
  stop(): Promise<void>;
}

/** `berth agent` as a host runs it, on its own data directory, with the activation for its first start. */
function startAgent(
  build: ServerBuild,
  url: string,
  dataDir: string,
  activation: { id: string; code: string },
  pullBehavior: ImagePullBehavior,
): AgentChild {
  const entry = build === 'dist' ? ['dist/cli/main.js'] : ['--import', 'tsx', 'src/cli/main.ts'];
  const config = join(dataDir, '..', 'agent.json');
  writeFileSync(config, '{}');
  // node itself (not `npx tsx`), so that the pid whose memory we read is the agent's.
  const child = spawn(
    process.execPath,
    [
      ...entry,
      'agent',
      '--endpoint',
      url,
      '--cluster',
      CLUSTER,
      '--data-dir',
      dataDir,
      '--config',
      config,
      '--activation-id',
      activation.id,
      '--activation-code',
      activation.code,
      '--introspection-listen',
      'off',
      '--image-pull-behavior',
      pullBehavior,
      '--log-level',
      'info',
    ],
    {
      cwd: REPO,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_NO_WARNINGS: '1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: Record<string, unknown>[] = [];
  let partial = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    pid: child.pid!,
    exited,
    logs,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = POLL_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

async function describe(ecs: ECSClient, arns: readonly string[]): Promise<Task[]> {
  const out = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [...arns] }));
  return out.tasks ?? [];
}

/** Waits until every task has `status`; fails at once if one stops when RUNNING was wanted. */
async function waitForStatus(
  ecs: ECSClient,
  arns: readonly string[],
  status: 'RUNNING' | 'STOPPED',
): Promise<void> {
  await until(
    `${arns.length} task(s) ${status}`,
    async () => {
      const tasks = await describe(ecs, arns);
      if (status === 'RUNNING') {
        const stopped = tasks.find((t) => t.lastStatus === 'STOPPED');
        if (stopped !== undefined) {
          throw new Error(`task ${stopped.taskArn} stopped: ${stopped.stoppedReason ?? 'no reason'}`);
        }
      }
      return tasks.length === arns.length && tasks.every((t) => t.lastStatus === status) ? true : undefined;
    },
    status === 'RUNNING' ? RUNNING_TIMEOUT_MS : STOPPED_TIMEOUT_MS,
  );
}

async function runTask(ecs: ECSClient, count = 1): Promise<string[]> {
  const out = await ecs.send(
    new RunTaskCommand({ cluster: CLUSTER, taskDefinition: FAMILY, launchType: 'EXTERNAL', count }),
  );
  if ((out.failures ?? []).length > 0) throw new Error(`RunTask failed: ${JSON.stringify(out.failures)}`);
  return (out.tasks ?? []).map((t) => t.taskArn!);
}

async function stopTasks(ecs: ECSClient, arns: readonly string[]): Promise<void> {
  for (const task of arns) await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task, reason: 'bench' }));
  await waitForStatus(ecs, arns, 'STOPPED');
}

interface RunTiming {
  /** RunTask call → DescribeTasks RUNNING, as a user sees it. */
  readonly totalMs: number;
  /** The RunTask call alone (placement, commit, answer). */
  readonly runTaskMs: number;
  /** createdAt → startedAt of the task: delivery, create and start on the host, and the report. */
  readonly createdToStartedMs: number;
}

/** One RunTask → RUNNING, the task stopped afterwards (untimed). */
async function timedRunTask(ecs: ECSClient): Promise<RunTiming> {
  const started = performance.now();
  const [arn] = await runTask(ecs);
  const runTaskMs = performance.now() - started;
  await waitForStatus(ecs, [arn!], 'RUNNING');
  const totalMs = performance.now() - started;
  const [task] = await describe(ecs, [arn!]);
  const createdToStartedMs = (task?.startedAt?.getTime() ?? NaN) - (task?.createdAt?.getTime() ?? NaN);
  await stopTasks(ecs, [arn!]);
  return { totalMs, runTaskMs, createdToStartedMs };
}

/** One `docker run -d` until Docker reports the container running, in ms; removed afterwards (untimed). */
async function timedDockerRun(docker: Dockerode, label: string): Promise<number> {
  const started = performance.now();
  const { stdout } = await execFileAsync('docker', [
    'run',
    '-d',
    '--label',
    label,
    '--memory',
    `${MEMORY_MIB}m`,
    '--cpu-shares',
    String(CPU_SHARES),
    HTTPD_IMAGE.ref,
  ]);
  const container = docker.getContainer(stdout.trim());
  await until(
    'the container running',
    async () => ((await container.inspect()).State.Running ? true : undefined),
    RUNNING_TIMEOUT_MS,
    5,
  );
  const ms = performance.now() - started;
  await container.remove({ force: true });
  return ms;
}

/** The RSS of `pid` once it has settled (see SETTLE_STABLE_MS), and of `others` at that moment. */
async function settledRss(
  pid: number,
  others: readonly number[],
): Promise<{ rss: number | undefined; others: (number | undefined)[]; waitedMs: number }> {
  const started = Date.now();
  let last = memoryOf(pid)?.rss;
  let stableSince = Date.now();
  while (Date.now() - stableSince < SETTLE_STABLE_MS && Date.now() - started < SETTLE_MAX_MS) {
    await sleep(1_000);
    const now = memoryOf(pid)?.rss;
    if (now === undefined || last === undefined || Math.abs(now - last) > SETTLE_TOLERANCE_MIB) {
      stableSince = Date.now();
    }
    last = now;
  }
  return { rss: last, others: others.map((p) => memoryOf(p)?.rss), waitedMs: Date.now() - started };
}

function summary(values: readonly number[]): { p50: number; p90: number; min: number; max: number } {
  const sorted = Float64Array.from(values).sort();
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

async function removeContainers(docker: Dockerode, label: string): Promise<number> {
  const list = await docker.listContainers({ all: true, filters: { label: [label] } });
  for (const c of list) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .catch(() => undefined);
  }
  return list.length;
}

async function main(): Promise<void> {
  // Node 20 is a supported target here; the SDK's notice about its future Node 22 minimum would clutter the figures.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const o = options();
  if (o.build === 'dist' && !existsSync(join(REPO, 'dist/cli/main.js'))) {
    throw new Error('dist/ is not built: run `npm run build` or use --build src');
  }
  const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
  await docker.ping().catch((e: unknown) => {
    throw new Error(
      `Docker is not reachable on /var/run/docker.sock (${String(e)}): start it (scripts/setup.sh)`,
    );
  });
  HTTPD_IMAGE.build();

  const root = mkdtempSync(join(tmpdir(), 'berth-bench-tasks-'));
  const agentDir = join(root, 'agent');
  const ownerLabel = `${OWNER_LABEL}=${ownerIdOf(agentDir)}`;
  const baselineLabel = `berth.bench=${randomBytes(4).toString('hex')}`;
  const server = await startServer(join(root, 'server'), o.build);
  let agent: AgentChild | undefined;
  const ecs = new ECSClient({
    endpoint: server.url,
    region: REGION,
    credentials: readAdminKeys(join(root, 'server', 'credentials')),
    maxAttempts: 1,
  });
  const interrupted = () => {
    console.error('bench: interrupted, cleaning up');
    process.exitCode = 130;
  };
  process.once('SIGINT', interrupted);
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: FAMILY,
        requiresCompatibilities: ['EXTERNAL'],
        containerDefinitions: [
          {
            name: 'web',
            image: HTTPD_IMAGE.ref,
            memory: MEMORY_MIB,
            cpu: CPU_SHARES,
            essential: true,
            // httpd as PID 1 ignores SIGTERM; stops are untimed, but a short grace keeps the bench short.
            stopTimeout: 1,
          },
        ],
      }),
    );
    const activation = await createActivation(
      server.url,
      readAdminKeys(join(root, 'server', 'credentials')),
      1,
      REGION,
    );
    const a = startAgent(o.build, server.url, agentDir, activation, o.pullBehavior);
    agent = a;
    const instanceArn = await until(
      'the agent to register',
      () => {
        if (a.child.exitCode !== null) throw new Error(`the agent exited:\n${a.stderr()}`);
        const line = a.logs.find((l) => l.msg === 'container instance registered');
        return typeof line?.containerInstanceArn === 'string' ? line.containerInstanceArn : undefined;
      },
      AGENT_TIMEOUT_MS,
    );
    await until(
      'the agent to connect',
      async () => {
        const out = await ecs.send(
          new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: [instanceArn] }),
        );
        return out.containerInstances?.[0]?.agentConnected === true ? true : undefined;
      },
      AGENT_TIMEOUT_MS,
    );

    const idle = await settledRss(a.pid, [server.pid]);

    // One untimed run of each kind first: the agent's and dockerd's first container pays for warm-up.
    await timedRunTask(ecs);
    await timedDockerRun(docker, baselineLabel);
    const berth: RunTiming[] = [];
    const dockerRun: number[] = [];
    for (let i = 0; i < o.runs && process.exitCode === undefined; i++) berth.push(await timedRunTask(ecs));
    for (let i = 0; i < o.runs && process.exitCode === undefined; i++) {
      dockerRun.push(await timedDockerRun(docker, baselineLabel));
    }

    const afterRuns = await settledRss(a.pid, [server.pid]);
    const loaded = await runTask(ecs, o.tasks);
    await waitForStatus(ecs, loaded, 'RUNNING');
    const busy = await settledRss(a.pid, [server.pid]);
    const agentPeak = memoryOf(a.pid)?.peak;
    await stopTasks(ecs, loaded);

    const b = summary(berth.map((r) => r.totalMs));
    const call = summary(berth.map((r) => r.runTaskMs));
    const host = summary(berth.map((r) => r.createdToStartedMs));
    const d = summary(dockerRun);
    const f = (n: number) => n.toFixed(0);
    console.log(
      `berth bench tasks: ${o.runs} sequential runs each, image cached (agent pull behaviour ${o.pullBehavior}), ` +
        `DescribeTasks polled every ${POLL_MS} ms; server and agent from ` +
        `${o.build === 'dist' ? 'dist/ (built)' : 'src/ via tsx'}, node ${process.version}`,
    );
    console.log(
      table([
        ['start to running', 'p50 ms', 'p90 ms', 'min ms', 'max ms'],
        ['Berth RunTask → DescribeTasks RUNNING', f(b.p50), f(b.p90), f(b.min), f(b.max)],
        ['  of which the RunTask call', f(call.p50), f(call.p90), f(call.min), f(call.max)],
        ['  task createdAt → startedAt', f(host.p50), f(host.p90), f(host.min), f(host.max)],
        ['docker run -d → State.Running', f(d.p50), f(d.p90), f(d.min), f(d.max)],
      ]),
    );
    console.log(`p50 ratio (Berth / docker run): ${(b.p50 / d.p50).toFixed(2)}`);
    console.log(
      table([
        ['RSS (VmRSS, settled)', 'idle', 'idle after the runs', `${o.tasks} tasks running`],
        ['agent', mib(idle.rss), mib(afterRuns.rss), mib(busy.rss)],
        ['control plane', mib(idle.others[0]), mib(afterRuns.others[0]), mib(busy.others[0])],
      ]),
    );
    const secs = (r: { waitedMs: number }) => `${(r.waitedMs / 1000).toFixed(0)} s`;
    console.log(
      `agent peak RSS (VmHWM) ${mib(agentPeak)}; readings settled after ${secs(idle)}, ${secs(afterRuns)}, ` +
        `${secs(busy)}`,
    );
  } finally {
    process.off('SIGINT', interrupted);
    ecs.destroy();
    await agent?.stop();
    await removeContainers(docker, ownerLabel);
    await removeContainers(docker, baselineLabel);
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

/**
 * A reconnect storm: `npx tsx bench/reconnect-storm.ts` (or `npm run bench:reconnect`).
 *
 * A fleet whose uplink drops and comes back: every agent loses its session at the same moment and all of them
 * reconnect at once, each with something to catch up on. Starts the real `berth server` as a child process
 * (bench/child-server.ts), then, in this one process, simulates N agents at the protocol level
 * (bench/storm-agent.ts):
 *
 * 1. join: each agent registers as `berth agent` does (bench/sim-agents.ts: RegisterManagedInstance, instance
 *    credentials, RegisterContainerInstance, DiscoverPollEndpoint), C at a time; then all N open their
 *    sessions at once (the agent's own `sessionUrl`, `signSessionRequest` and `openSessionSocket`).
 *    This first, idle connect is the baseline the storm is read against.
 * 2. tasks: StartTask places K tasks on every instance (one task on each of 10 instances per call, C calls in
 *    flight). Each agent answers every PayloadMessage with AckRequest {cluster, containerInstance, messageId}
 *    and reports each new task RUNNING with SubmitTaskStateChange, signed with its instance credentials
 *    (the agent's own `createEcsSubmitter`); the phase ends when every report is acknowledged.
 * 3. drop: every session is lost at the same moment (`--drop close`: the agents cut their TCP connections;
 *    `--drop silence`: they stop reading and answering, as behind a dead uplink, until the control plane's
 *    session timeout drops them), until ListContainerInstances `agentConnected == true` finds none. Meanwhile
 *    each agent records one state change to deliver later: its first task's container exited (code 1), so the
 *    task is STOPPED; with `--strays S` it also holds S tasks the control plane has no record of (as after a
 *    partition longer than the stopped-task retention).
 * 4. storm: all N reconnect at once (each retrying with the agent's backoff if refused). An agent is
 *    reconciled when its session is open, it received a TaskManifestMessage (not stale: `timeline` above the
 *    latest payload `seqNum`, as ECS's agent checks) and acknowledged it with AckRequest, any task it runs
 *    that the manifest does not list as RUNNING went out in a TaskStopVerificationMessage that the control
 *    plane answered with TaskStopVerificationAck, and its queued state change was acknowledged by
 *    SubmitTaskStateChange (sent once the session is back).
 *
 * Printed (bench/storm-report.ts): per phase the wall time, per-agent p50 / p99 where each agent has its own
 * time, failed (retried) attempts, the control plane's CPU seconds (/proc/<pid>/stat) and this process's (all
 * simulated agents share one event loop here, so when it nears a whole core the simulator, not the control
 * plane, sets the pace); time until every session is open, until the control plane says `agentConnected` for
 * all (ListContainerInstances, polled every 250 ms, which the control plane also serves during the storm),
 * until every queued state change is acknowledged and until all are reconciled, with ratios to the initial
 * connect; manifests, stop verifications and reports delivered, and what ListTasks then says; the control
 * plane's RSS before the drop, its peak sampled every 100 ms during the storm, and its VmHWM over the run.
 *
 * If the control plane sends no TaskManifestMessage, the storm phase ends at its time cap with a message
 * saying so (and what else was missing), and the bench exits with status 1.
 *
 * Options (flag or environment variable):
 *   --agents N              BENCH_AGENTS              simulated agents (default 1000)
 *   --tasks K               BENCH_TASKS               tasks per agent (default 2, at most 16)
 *   --strays S              BENCH_STRAYS              tasks per agent unknown to the control plane (default 0)
 *   --drop close|silence    BENCH_DROP                how the sessions are lost (default close)
 *   --concurrency C         BENCH_CONCURRENCY         registrations / StartTask calls in flight (default 50)
 *   --seconds S             BENCH_SECONDS             time cap per phase (default 300)
 *   --heartbeat-interval D  BENCH_HEARTBEAT_INTERVAL  the server's heartbeat interval (default: the server's, 20s)
 *   --session-timeout D     BENCH_SESSION_TIMEOUT     the server's session timeout (default: the server's, 60s)
 *   --server src|dist       BENCH_SERVER              run the sources through tsx (default) or the build in dist/
 *   --state-parent DIR      BENCH_STATE_PARENT        where the server's temporary data directory is made
 *                                                     (default: the OS temp dir)
 *
 * Traffic goes to 127.0.0.1 only; every wait is bounded; the bench closes the sessions, stops the server and
 * removes its data directory when done.
 */
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CreateClusterCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StartTaskCommand,
} from '@aws-sdk/client-ecs';
import { parseDuration } from '../src/util/duration.js';
import { createActivation, memoryOf, readAdminKeys, startServer, type ServerBuild } from './child-server.js';
import {
  checkFileLimit,
  countConnected,
  MAX_REGISTRATIONS_PER_ACTIVATION,
  pool,
  register,
  withTimeout,
  type Registered,
} from './sim-agents.js';
import { CONTAINER, errorText, REGION, SimAgent, sleep, type Counts, type DropMode } from './storm-agent.js';
import {
  cpuBetween,
  cpuNow,
  marksAfter,
  printReport,
  stormLines,
  stormProblems,
  total,
  totals,
  type Cpu,
  type Row,
} from './storm-report.js';

const CLUSTER = 'storm';
const FAMILY = 'storm-app';
/** Small enough that 16 tasks fit the 2048 CPU units and 3800 MiB every simulated instance registers. */
const TASK_CPU = 64;
const TASK_MEMORY = 128;
const MAX_TASKS_PER_AGENT = 16;
/** ECS quota: container instances per StartTask call. */
const START_TASK_INSTANCES = 10;
/** A registration that takes longer than this counts as failed (as in bench/fleet.ts). */
const REGISTER_TIMEOUT_MS = 60_000;
/** How often the simulated side is checked for a phase's end (cheap: no I/O). */
const CHECK_MS = 20;
/**
 * How often the control plane is asked how many instances it calls connected (ListContainerInstances, a page
 * per 100 instances): the resolution of the figures that depend on it, and a load an operator's console adds.
 */
const API_POLL_MS = 250;
/** How often the control plane's RSS is sampled during the storm. */
const SAMPLE_MS = 100;

interface Options {
  readonly agents: number;
  readonly tasks: number;
  readonly strays: number;
  readonly drop: DropMode;
  readonly concurrency: number;
  readonly seconds: number;
  readonly heartbeatInterval: string | undefined;
  readonly sessionTimeout: string | undefined;
  readonly server: ServerBuild;
  readonly stateParent: string;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      agents: { type: 'string' },
      tasks: { type: 'string' },
      strays: { type: 'string' },
      drop: { type: 'string' },
      concurrency: { type: 'string' },
      seconds: { type: 'string' },
      'heartbeat-interval': { type: 'string' },
      'session-timeout': { type: 'string' },
      server: { type: 'string' },
      'state-parent': { type: 'string' },
    },
  });
  const env = process.env;
  const whole = (name: string, value: string | undefined, fallback: number, min = 1): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      throw new Error(`--${name} must be a whole number of at least ${min}, got '${value}'`);
    }
    return n;
  };
  const duration = (name: string, value: string | undefined): string | undefined => {
    if (value !== undefined && parseDuration(value) === undefined) {
      throw new Error(`--${name} '${value}' is not a duration (e.g. 5s, 500ms, 1m)`);
    }
    return value;
  };
  const server = values.server ?? env.BENCH_SERVER ?? 'src';
  if (server !== 'src' && server !== 'dist') throw new Error(`--server must be src or dist, got '${server}'`);
  const drop = values.drop ?? env.BENCH_DROP ?? 'close';
  if (drop !== 'close' && drop !== 'silence')
    throw new Error(`--drop must be close or silence, got '${drop}'`);
  const tasks = whole('tasks', values.tasks ?? env.BENCH_TASKS, 2);
  if (tasks > MAX_TASKS_PER_AGENT) {
    throw new Error(`--tasks is at most ${MAX_TASKS_PER_AGENT} (what one simulated instance has room for)`);
  }
  const seconds = Number(values.seconds ?? env.BENCH_SECONDS ?? 300);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`--seconds must be a positive number, got '${values.seconds ?? env.BENCH_SECONDS}'`);
  }
  return {
    agents: whole('agents', values.agents ?? env.BENCH_AGENTS, 1000),
    tasks,
    strays: whole('strays', values.strays ?? env.BENCH_STRAYS, 0, 0),
    drop,
    concurrency: whole('concurrency', values.concurrency ?? env.BENCH_CONCURRENCY, 50),
    seconds,
    heartbeatInterval: duration(
      'heartbeat-interval',
      values['heartbeat-interval'] ?? env.BENCH_HEARTBEAT_INTERVAL,
    ),
    sessionTimeout: duration('session-timeout', values['session-timeout'] ?? env.BENCH_SESSION_TIMEOUT),
    server,
    stateParent: values['state-parent'] ?? env.BENCH_STATE_PARENT ?? tmpdir(),
  };
}

/** Polls `done` every CHECK_MS until it holds (true) or `deadline` (performance.now()) passes (false). */
async function until(done: () => boolean, deadline: number, signal: AbortSignal): Promise<boolean> {
  while (!done()) {
    if (performance.now() > deadline || signal.aborted) return false;
    await sleep(CHECK_MS, signal);
  }
  return true;
}

/** Polls the control plane until `want(count of connected instances)` holds; the time it first held. */
async function untilConnectedCount(
  admin: ECSClient,
  want: (n: number) => boolean,
  deadline: number,
  signal: AbortSignal,
): Promise<{ at: number | undefined; last: number; error?: string }> {
  let last = NaN;
  let error: string | undefined;
  while (!signal.aborted) {
    try {
      last = await countConnected(admin, CLUSTER);
      if (want(last)) return { at: performance.now(), last };
    } catch (e) {
      error = errorText(e);
    }
    if (performance.now() > deadline) break;
    await sleep(API_POLL_MS, signal);
  }
  return { at: undefined, last, ...(error !== undefined && { error }) };
}

/** Tasks of the cluster with `desiredStatus`, counted page by page. */
async function countTasks(admin: ECSClient, desiredStatus: 'RUNNING' | 'STOPPED'): Promise<number> {
  let count = 0;
  let nextToken: string | undefined;
  do {
    const out = await admin.send(
      new ListTasksCommand({
        cluster: CLUSTER,
        desiredStatus,
        maxResults: 100,
        ...(nextToken !== undefined && { nextToken }),
      }),
    );
    count += out.taskArns?.length ?? 0;
    nextToken = out.nextToken;
  } while (nextToken !== undefined);
  return count;
}

/** What every phase works with: the options, the control plane, the fleet, and the table's rows so far. */
interface Run {
  readonly o: Options;
  /** The time cap per phase, in ms. */
  readonly capMs: number;
  readonly url: string;
  /** The control plane's process. */
  readonly pid: number;
  readonly admin: ECSClient;
  /** Aborted when the bench ends; every simulated agent waits on it. */
  readonly signal: AbortSignal;
  readonly agents: SimAgent[];
  readonly rows: Row[];
}

/** The cluster and the task definition, and enough activations for the fleet. */
async function setUp(
  { o, url, admin }: Run,
  keys: Parameters<typeof createActivation>[1],
): Promise<{ id: string; code: string }[]> {
  await admin.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  await admin.send(
    new RegisterTaskDefinitionCommand({
      family: FAMILY,
      requiresCompatibilities: ['EXTERNAL'],
      containerDefinitions: [
        { name: CONTAINER, image: 'busybox:latest', cpu: TASK_CPU, memory: TASK_MEMORY, essential: true },
      ],
    }),
  );
  const activations: { id: string; code: string }[] = [];
  for (let left = o.agents; left > 0; left -= MAX_REGISTRATIONS_PER_ACTIVATION) {
    activations.push(
      await createActivation(url, keys, Math.min(left, MAX_REGISTRATIONS_PER_ACTIVATION), REGION),
    );
  }
  return activations;
}

/** 1. Join: every agent registers (into `registered`), then all connect at once: the baseline. */
async function joinFleet(
  run: Run,
  activations: readonly { id: string; code: string }[],
  registered: Registered[],
): Promise<{ registerWall: number; initialOpenMs: number | undefined }> {
  const { o, capMs, url, pid, admin, agents, rows, signal } = run;
  // 1a. Registration, C at a time.
  const registerErrors: string[] = [];
  const registerMs: number[] = [];
  let c0 = cpuNow(pid);
  let t0 = performance.now();
  const registerDeadline = t0 + capMs;
  await pool(o.agents, o.concurrency, async (i) => {
    if (performance.now() > registerDeadline) {
      registerErrors.push(`not started within the ${o.seconds} s cap`);
      return;
    }
    const started = performance.now();
    try {
      const activation = activations[Math.floor(i / MAX_REGISTRATIONS_PER_ACTIVATION)]!;
      registered.push(
        await withTimeout(
          'registration',
          register(url, activation, i, CLUSTER, 'storm'),
          REGISTER_TIMEOUT_MS,
        ),
      );
      registerMs.push(performance.now() - started);
    } catch (e) {
      registerErrors.push(errorText(e));
    }
  });
  const registerWall = performance.now() - t0;
  rows.push({
    what: `join: register (key, RegisterManagedInstance, credentials, RegisterContainerInstance, DiscoverPollEndpoint), ${o.concurrency} in flight`,
    ms: registerWall,
    perAgent: Float64Array.from(registerMs).sort(),
    failed: registerErrors.length,
    cpu: cpuBetween(c0, cpuNow(pid)),
  });
  if (registerErrors.length > 0) {
    throw new Error(`${registerErrors.length} registrations failed; first: ${registerErrors[0]}`);
  }
  for (const reg of registered) agents.push(new SimAgent(reg, url, signal));

  // 1b. The baseline: the same fleet's first connect, all at once, nothing to catch up on.
  c0 = cpuNow(pid);
  t0 = performance.now();
  for (const a of agents) void a.up();
  const joined = await until(() => agents.every((a) => a.open), t0 + capMs, signal);
  const initialOpenMs = joined ? Math.max(...agents.map((a) => a.marks.opened ?? 0)) - t0 : undefined;
  const initialServer = await untilConnectedCount(admin, (n) => n === agents.length, t0 + capMs, signal);
  rows.push({
    what: `join: connect, all ${agents.length} at once (baseline): sessions open`,
    ms: initialOpenMs,
    perAgent: marksAfter(agents, 'opened', t0),
    failed: total(agents, 'connectFailures'),
    cpu: cpuBetween(c0, cpuNow(pid)),
  });
  rows.push({
    what: `join: control plane shows agentConnected for all ${agents.length}`,
    ms: initialServer.at === undefined ? undefined : initialServer.at - t0,
    cpu: cpuBetween(c0, cpuNow(pid)),
  });
  if (!joined || initialServer.at === undefined) {
    throw new Error(
      `the fleet did not connect within the ${o.seconds} s cap: ${agents.filter((a) => a.open).length} of ` +
        `${agents.length} sessions open, the control plane counts ${initialServer.last} connected` +
        (initialServer.error !== undefined ? ` (last error: ${initialServer.error})` : '') +
        `; last handshake error: ${agents.find((a) => a.lastConnectError)?.lastConnectError ?? 'none'}`,
    );
  }
  return { registerWall, initialOpenMs };
}

/** 2. Tasks: K on every instance, delivered, acknowledged, reported RUNNING. */
async function placeTasks({ o, capMs, pid, admin, agents, rows, signal }: Run): Promise<void> {
  for (const a of agents) a.beginPhase();
  const startFailures: string[] = [];
  const c0 = cpuNow(pid);
  const t0 = performance.now();
  const batches = Math.ceil(agents.length / START_TASK_INSTANCES);
  await pool(batches * o.tasks, o.concurrency, async (j) => {
    const b = j % batches;
    const instances = agents
      .slice(b * START_TASK_INSTANCES, (b + 1) * START_TASK_INSTANCES)
      .map((a) => a.reg.containerInstanceArn);
    try {
      const out = await admin.send(
        new StartTaskCommand({ cluster: CLUSTER, taskDefinition: FAMILY, containerInstances: instances }),
      );
      for (const f of out.failures ?? [])
        startFailures.push(`${f.arn ?? ''}: ${f.reason ?? ''} ${f.detail ?? ''}`);
    } catch (e) {
      startFailures.push(errorText(e));
    }
  });
  if (startFailures.length > 0) {
    throw new Error(`StartTask failed ${startFailures.length} times; first: ${startFailures[0]}`);
  }
  const placed = await until(
    () => agents.every((a) => a.runningTasks().length === o.tasks && a.reportsSettled),
    t0 + capMs,
    signal,
  );
  rows.push({
    what: `tasks: StartTask ${agents.length}×${o.tasks}, payloads acknowledged, RUNNING reported and acknowledged`,
    ms: placed ? performance.now() - t0 : undefined,
    perAgent: marksAfter(agents, 'reported', t0),
    failed: total(agents, 'reportFailures'),
    cpu: cpuBetween(c0, cpuNow(pid)),
  });
  if (!placed) {
    const short = agents.filter((a) => a.runningTasks().length !== o.tasks).length;
    throw new Error(
      `tasks were not all delivered and reported within the ${o.seconds} s cap: ${short} agents lack tasks, ` +
        `${agents.filter((a) => !a.reportsSettled).length} have reports pending (last report error: ` +
        `${agents.find((a) => a.lastReportError)?.lastReportError ?? 'none'})`,
    );
  }
}

/** 3. Drop: every session lost at the same moment; each host records what happens meanwhile. */
async function dropFleet({ o, capMs, pid, admin, agents, rows, signal }: Run): Promise<void> {
  const c0 = cpuNow(pid);
  const t0 = performance.now();
  for (const a of agents) a.down(o.drop);
  for (const a of agents) {
    a.recordExit();
    a.addStrays(o.strays);
  }
  const gone = await untilConnectedCount(admin, (n) => n === 0, t0 + capMs, signal);
  const closed = await until(() => agents.every((a) => a.closed), t0 + capMs, signal);
  rows.push({
    what:
      o.drop === 'close'
        ? 'drop: every agent closes its TCP connection; until the control plane shows none connected'
        : 'drop: every agent falls silent; until the session timeout leaves none connected',
    ms: gone.at === undefined ? undefined : gone.at - t0,
    cpu: cpuBetween(c0, cpuNow(pid)),
  });
  if (gone.at === undefined || !closed) {
    throw new Error(
      `the control plane still counts ${gone.last} instances connected after the ${o.seconds} s cap` +
        (gone.error !== undefined ? ` (last error: ${gone.error})` : ''),
    );
  }
}

/**
 * 4. The storm: all reconnect at once and catch up. What went wrong goes to `problems`; `before` holds the
 * counts from before the drop, `whileAwayRss` the control plane's RSS while all were away.
 */
async function storm(run: Run, before: Counts, whileAwayRss: number, problems: string[]) {
  const { o, capMs, admin, agents, rows, signal, pid } = run;
  for (const a of agents) a.beginPhase();
  const queued = agents.reduce((n, a) => n + a.queued, 0);
  let stormPeak = whileAwayRss;
  const stormSampler = setInterval(() => {
    stormPeak = Math.max(stormPeak, memoryOf(pid)?.rss ?? 0);
  }, SAMPLE_MS);
  const c0 = cpuNow(pid);
  const t0 = performance.now();
  const stormDeadline = t0 + capMs;
  for (const a of agents) void a.up();
  let cpuAllOpen: Cpu | undefined;
  let cpuAllReported: Cpu | undefined;
  const [serverConnected, reconciled] = await Promise.all([
    untilConnectedCount(admin, (n) => n === agents.length, stormDeadline, signal),
    until(() => agents.every((a) => a.marks.reconciled !== undefined), stormDeadline, signal),
    until(() => agents.every((a) => a.open), stormDeadline, signal).then(() => (cpuAllOpen = cpuNow(pid))),
    until(() => agents.every((a) => a.marks.reported !== undefined), stormDeadline, signal).then(
      () => (cpuAllReported = cpuNow(pid)),
    ),
  ]).finally(() => clearInterval(stormSampler));
  const stormEnd = performance.now();
  const c1 = cpuNow(pid);
  stormPeak = Math.max(stormPeak, memoryOf(pid)?.rss ?? 0);
  const afterStorm = memoryOf(pid);
  const opened = marksAfter(agents, 'opened', t0);
  const allOpenMs = opened.length === agents.length ? opened[opened.length - 1] : undefined;
  const reconciledMarks = marksAfter(agents, 'reconciled', t0);
  const allReconciledMs = reconciled ? reconciledMarks[reconciledMarks.length - 1] : undefined;
  rows.push({
    what: `storm: all ${agents.length} reconnect at once; sessions open`,
    ms: allOpenMs,
    perAgent: opened,
    failed: total(agents, 'connectFailures') - before.connectFailures,
    cpu: allOpenMs === undefined ? undefined : cpuBetween(c0, cpuAllOpen),
  });
  rows.push({
    what: `storm: control plane shows agentConnected for all ${agents.length}`,
    ms: serverConnected.at === undefined ? undefined : serverConnected.at - t0,
    cpu: undefined,
  });
  const reportedMarks = marksAfter(agents, 'reported', t0);
  rows.push({
    what: 'storm: all queued state changes acknowledged (SubmitTaskStateChange)',
    ms: reportedMarks.length === agents.length ? reportedMarks[reportedMarks.length - 1] : undefined,
    perAgent: reportedMarks,
    failed: total(agents, 'reportFailures') - before.reportFailures,
    cpu: reportedMarks.length === agents.length ? cpuBetween(c0, cpuAllReported) : undefined,
  });
  rows.push({
    what: 'storm: all reconciled (manifest acknowledged, stop verification answered, queued report acknowledged)',
    ms: allReconciledMs,
    perAgent: reconciledMarks,
    cpu: cpuBetween(c0, c1),
  });

  const counts = totals(agents, before);
  const withManifest = agents.filter((a) => a.marks.manifest !== undefined).length;
  problems.push(
    ...stormProblems(agents, {
      seconds: o.seconds,
      reconciled,
      reconciledAgents: reconciledMarks.length,
      withManifest,
      manifestsAtJoin: before.manifests,
      storm: counts,
      serverConnected,
    }),
  );
  return {
    allOpenMs,
    allReconciledMs,
    storm: counts,
    withManifest,
    queued,
    stormPeak,
    afterStorm,
    stormMs: stormEnd - t0,
    stormCpu: cpuBetween(c0, c1),
  };
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const o = options();
  checkFileLimit(o.agents);
  const dataDir = mkdtempSync(join(o.stateParent, 'berth-bench-storm-'));
  const serverArgs = [
    ...(o.heartbeatInterval !== undefined ? ['--heartbeat-interval', o.heartbeatInterval] : []),
    ...(o.sessionTimeout !== undefined ? ['--session-timeout', o.sessionTimeout] : []),
  ];
  const server = await startServer(dataDir, o.server, serverArgs);
  const pid = server.pid;
  const keys = readAdminKeys(join(dataDir, 'credentials'));
  const admin = new ECSClient({ endpoint: server.url, region: REGION, credentials: keys, maxAttempts: 3 });
  const abort = new AbortController();
  // Every simulated agent waits on this one signal (backoff sleeps, handshakes, reports).
  setMaxListeners(0, abort.signal);
  const run: Run = {
    o,
    capMs: o.seconds * 1000,
    url: server.url,
    pid,
    admin,
    signal: abort.signal,
    agents: [],
    rows: [],
  };
  const { agents } = run;
  const registered: Registered[] = [];
  const problems: string[] = [];
  let benchPeak = 0;
  const benchSampler = setInterval(() => {
    benchPeak = Math.max(benchPeak, process.memoryUsage().rss / 1024 / 1024);
  }, 250);
  const lines: string[] = [];
  try {
    try {
      const activations = await setUp(run, keys);
      const { registerWall, initialOpenMs } = await joinFleet(run, activations, registered);
      await placeTasks(run);
      const before = totals(agents);
      const beforeDrop = memoryOf(pid);
      await dropFleet(run);
      const whileAway = memoryOf(pid);
      const s = await storm(run, before, whileAway?.rss ?? 0, problems);
      const stoppedTasks = await countTasks(admin, 'STOPPED').catch(() => NaN);
      const runningTasks = await countTasks(admin, 'RUNNING').catch(() => NaN);
      lines.push(
        ...stormLines({
          ...s,
          agents: agents.length,
          tasks: o.tasks,
          strays: o.strays,
          registerWall,
          initialOpenMs,
          manifestsAtJoin: before.manifests,
          reportFailures: total(agents, 'reportFailures') - before.reportFailures,
          unexpectedCloses: total(agents, 'unexpectedCloses'),
          stoppedTasks,
          runningTasks,
          beforeDrop,
          whileAway,
          sampleMs: SAMPLE_MS,
          benchPeak,
        }),
      );
    } catch (e) {
      problems.push(errorText(e));
    }
    // The figures (those of the phases that ran).
    printReport(o, agents.length, run.rows, lines, problems);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    clearInterval(benchSampler);
    abort.abort();
    for (const a of agents) a.stop();
    for (const r of registered) r.credentials.close();
    admin.destroy();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`reconnect-storm: ${errorText(e)}`);
  process.exitCode = 1;
});

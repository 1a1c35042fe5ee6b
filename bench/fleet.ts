/**
 * A fleet against one control plane: `npx tsx bench/fleet.ts` (or `npm run bench:fleet`).
 *
 * Starts the real `berth server` as a child process with frequent heartbeats, creates one activation, and
 * then simulates N agents at the protocol level in this one process, each doing what `berth agent` does to
 * join: make an Ed25519 key, RegisterManagedInstance, obtain instance credentials (InstanceCredentials),
 * RegisterContainerInstance and DiscoverPollEndpoint with them (@aws-sdk/client-ecs), then open its session
 * (connectSession), whose client answers every heartbeat. Registration runs first for the whole fleet, then
 * the sessions open, each phase at a bounded concurrency, so the two costs are reported apart. The fleet is
 * then held connected for a while, and the figures printed:
 *
 * - time until every agent is connected, split into registration and connection;
 * - heartbeat round trips while the fleet is held, from the server's `berth_heartbeat_rtt_seconds` histogram
 *   (scraped before and after the hold, so only the hold counts): the exact mean (sum / count) and p50 / p99
 *   estimated within their buckets, as Prometheus's histogram_quantile does, with the bucket named;
 * - the control plane's CPU seconds per phase (/proc/<pid>/stat) and its peak RSS (VmHWM), and this
 *   process's own RSS (the simulated agents' cost, an upper bound for one real agent times N);
 * - what the control plane itself says: open sessions, and ListContainerInstances `agentConnected == true`.
 *
 * Options (flag or environment variable):
 *   --agents N              BENCH_AGENTS              simulated agents (default 1000)
 *   --concurrency C         BENCH_CONCURRENCY         registrations / session handshakes in flight (default 50)
 *   --hold-seconds S        BENCH_HOLD_SECONDS        how long the connected fleet is held (default 30)
 *   --heartbeat-interval D  BENCH_HEARTBEAT_INTERVAL  the server's heartbeat interval (default 1s)
 *   --server src|dist       BENCH_SERVER              run the sources through tsx (default) or the build in dist/
 *   --state-parent DIR      BENCH_STATE_PARENT        where the server's temporary data directory is made (default:
 *                                                     the OS temp dir; /dev/shm takes the disk's fsyncs out of it)
 *
 * Traffic goes to 127.0.0.1 only; every wait is bounded; the bench stops the agents and the server and
 * removes the server's data directory when done.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { pino } from 'pino';
import { connectSession, type AgentSession } from '../src/agent/session/agent-session.js';
import { parseDuration } from '../src/util/duration.js';
import { BERTH_VERSION } from '../src/util/version.js';
import {
  cpuSecondsOf,
  createActivation,
  memoryOf,
  mib,
  percentile,
  readAdminKeys,
  startServer,
  table,
  type ServerBuild,
} from './child-server.js';
import {
  checkFileLimit,
  countConnected,
  MAX_REGISTRATIONS_PER_ACTIVATION,
  pool,
  register,
  withTimeout,
  type Registered,
} from './sim-agents.js';

const REGION = 'us-east-1';
const CLUSTER = 'fleet';
/** Bounds on every wait, so the bench always ends. */
const REGISTER_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 60_000;
/** prom-client samples the server's event loop with a 10 ms timer; this process's is sampled the same way. */
const LOOP_RESOLUTION_MS = 10;

interface Options {
  readonly agents: number;
  readonly concurrency: number;
  readonly holdSeconds: number;
  readonly heartbeatInterval: string;
  readonly server: ServerBuild;
  readonly stateParent: string;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      agents: { type: 'string' },
      concurrency: { type: 'string' },
      'hold-seconds': { type: 'string' },
      'heartbeat-interval': { type: 'string' },
      server: { type: 'string' },
      'state-parent': { type: 'string' },
    },
  });
  const env = process.env;
  const positive = (name: string, value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got '${value}'`);
    return n;
  };
  const server = values.server ?? env.BENCH_SERVER ?? 'src';
  if (server !== 'src' && server !== 'dist') throw new Error(`--server must be src or dist, got '${server}'`);
  return {
    agents: Math.floor(positive('agents', values.agents ?? env.BENCH_AGENTS, 1000)),
    concurrency: Math.floor(positive('concurrency', values.concurrency ?? env.BENCH_CONCURRENCY, 50)),
    holdSeconds: positive('hold-seconds', values['hold-seconds'] ?? env.BENCH_HOLD_SECONDS, 30),
    heartbeatInterval: values['heartbeat-interval'] ?? env.BENCH_HEARTBEAT_INTERVAL ?? '1s',
    server,
    stateParent: values['state-parent'] ?? env.BENCH_STATE_PARENT ?? tmpdir(),
  };
}

/** Opens the session and resolves once it is connected. */
function connect(agent: Registered): { session: AgentSession; connected: Promise<void> } {
  const session = connectSession({
    endpoint: agent.endpoint,
    region: REGION,
    clusterArn: agent.clusterArn,
    containerInstanceArn: agent.containerInstanceArn,
    agentVersion: BERTH_VERSION,
    dockerVersion: '20.10.24',
    credentials: () => agent.credentials.get(),
    log: pino({ level: 'silent' }),
  });
  const connected = new Promise<void>((resolve) => {
    if (session.state === 'CONNECTED') resolve();
    else session.once('connected', () => resolve());
  });
  return { session, connected };
}

interface Histogram {
  /** Upper bound (seconds) to cumulative count, ascending, +Inf last. */
  readonly buckets: readonly (readonly [number, number])[];
  readonly sum: number;
  readonly count: number;
}

interface Scrape {
  readonly rtt: Histogram;
  readonly sessions: number;
  /** prom-client's default metric: the server's event loop delay percentiles since its last scrape. */
  readonly loopLagP50: number;
  readonly loopLagP99: number;
  readonly loopLagMax: number;
}

async function scrapeMetrics(url: string): Promise<Scrape> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const buckets: [number, number][] = [];
  for (const m of text.matchAll(/^berth_heartbeat_rtt_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)) {
    buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  }
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    rtt: {
      buckets: buckets.sort((a, b) => a[0] - b[0]),
      sum: value('berth_heartbeat_rtt_seconds_sum'),
      count: value('berth_heartbeat_rtt_seconds_count'),
    },
    sessions: value('berth_agent_sessions'),
    loopLagP50: value('nodejs_eventloop_lag_p50_seconds'),
    loopLagP99: value('nodejs_eventloop_lag_p99_seconds'),
    loopLagMax: value('nodejs_eventloop_lag_max_seconds'),
  };
}

function difference(after: Histogram, before: Histogram): Histogram {
  return {
    buckets: after.buckets.map(([le, n], i) => [le, n - (before.buckets[i]?.[1] ?? 0)] as const),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

/** The q-quantile within its bucket by linear interpolation (histogram_quantile), and that bucket. */
function quantile(h: Histogram, q: number): { value: number; lower: number; upper: number } | undefined {
  if (h.count <= 0) return undefined;
  const rank = q * h.count;
  let lower = 0;
  let below = 0;
  for (const [upper, cumulative] of h.buckets) {
    if (cumulative >= rank) {
      // The open-ended last bucket has no width to interpolate in: report its lower bound.
      if (!Number.isFinite(upper)) return { value: lower, lower, upper };
      const inBucket = cumulative - below;
      const value = inBucket === 0 ? upper : lower + (upper - lower) * ((rank - below) / inBucket);
      return { value, lower, upper };
    }
    lower = upper;
    below = cumulative;
  }
  return undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const millis = (s: number) => `${(s * 1000).toFixed(2)} ms`;

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const o = options();
  const heartbeatMs = parseDuration(o.heartbeatInterval);
  if (heartbeatMs === undefined)
    throw new Error(`--heartbeat-interval '${o.heartbeatInterval}' is not a duration`);
  checkFileLimit(o.agents);
  const dataDir = mkdtempSync(join(o.stateParent, 'berth-bench-fleet-'));
  const server = await startServer(dataDir, o.server, ['--heartbeat-interval', o.heartbeatInterval]);
  const pid = server.pid;
  const admin = new ECSClient({
    endpoint: server.url,
    region: REGION,
    credentials: readAdminKeys(join(dataDir, 'credentials')),
    maxAttempts: 1,
  });
  const sessions: AgentSession[] = [];
  const registered: Registered[] = [];
  let benchPeakRss = 0;
  let serverSampledPeak = 0;
  const sample = () => {
    benchPeakRss = Math.max(benchPeakRss, process.memoryUsage().rss / 1024 / 1024);
    serverSampledPeak = Math.max(serverSampledPeak, memoryOf(pid)?.rss ?? 0);
  };
  const sampler = setInterval(sample, 250);
  try {
    await admin.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    const activations: { id: string; code: string }[] = [];
    for (let left = o.agents; left > 0; left -= MAX_REGISTRATIONS_PER_ACTIVATION) {
      activations.push(
        await createActivation(
          server.url,
          readAdminKeys(join(dataDir, 'credentials')),
          Math.min(left, 1000),
          REGION,
        ),
      );
    }
    const idleServer = memoryOf(pid);

    // Registration: every host's first start, up to its session.
    const cpu0 = cpuSecondsOf(pid);
    const t0 = performance.now();
    const registerMs: number[] = [];
    const registerErrors: string[] = [];
    await pool(o.agents, o.concurrency, async (i) => {
      const started = performance.now();
      try {
        const activation = activations[Math.floor(i / MAX_REGISTRATIONS_PER_ACTIVATION)]!;
        registered.push(
          await withTimeout(
            'registration',
            register(server.url, activation, i, CLUSTER),
            REGISTER_TIMEOUT_MS,
          ),
        );
        registerMs.push(performance.now() - started);
      } catch (e) {
        registerErrors.push(e instanceof Error ? e.message : String(e));
      }
    });
    const t1 = performance.now();
    const cpu1 = cpuSecondsOf(pid);

    // Sessions: signed handshakes, a bounded number in flight; each then stays open on its own.
    const connectMs: number[] = [];
    const connectErrors: string[] = [];
    let disconnects = 0;
    let failedAttempts = 0;
    await pool(registered.length, o.concurrency, async (i) => {
      const started = performance.now();
      const { session, connected } = connect(registered[i]!);
      sessions.push(session);
      session.on('connectFailed', () => (failedAttempts += 1));
      try {
        await withTimeout('session handshake', connected, CONNECT_TIMEOUT_MS);
        connectMs.push(performance.now() - started);
        session.on('disconnected', () => (disconnects += 1));
      } catch (e) {
        connectErrors.push(e instanceof Error ? e.message : String(e));
      }
    });
    const t2 = performance.now();
    const cpu2 = cpuSecondsOf(pid);
    const connectedNow = sessions.filter((s) => s.state === 'CONNECTED').length;

    // Hold: the whole fleet connected, heartbeating.
    const before = await scrapeMetrics(server.url);
    // A heartbeat's round trip includes waiting for both event loops; this one's (every simulated agent's)
    // is measured here, the server's comes from its metrics, so a slow tail can be told apart.
    const benchLoop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    benchLoop.enable();
    const t3 = performance.now();
    const cpu3 = cpuSecondsOf(pid);
    await sleep(o.holdSeconds * 1000);
    const t4 = performance.now();
    const cpu4 = cpuSecondsOf(pid);
    benchLoop.disable();
    const afterHold = await scrapeMetrics(server.url);
    sample();
    const serverEnd = memoryOf(pid);
    const benchEnd = process.memoryUsage().rss / 1024 / 1024;
    const stillConnected = sessions.filter((s) => s.state === 'CONNECTED').length;
    const connectedPerServer = await countConnected(admin, CLUSTER);

    const rtt = difference(afterHold.rtt, before.rtt);
    const cpu = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined ? 'n/a' : `${(b - a).toFixed(2)} s`;
    const share = (a: number | undefined, b: number | undefined, ms: number) =>
      a === undefined || b === undefined ? 'n/a' : `${(((b - a) / (ms / 1000)) * 100).toFixed(0)}% of a core`;
    const registerSorted = Float64Array.from(registerMs).sort();
    const connectSorted = Float64Array.from(connectMs).sort();
    const q = (p: number) => {
      const r = quantile(rtt, p);
      return r === undefined
        ? 'n/a'
        : `${millis(r.value)}  (in bucket ${millis(r.lower)} to ${Number.isFinite(r.upper) ? millis(r.upper) : '+Inf'})`;
    };

    console.log(
      `berth fleet bench: ${o.agents} simulated agents, ${o.concurrency} in flight, heartbeat every ` +
        `${o.heartbeatInterval}, held ${o.holdSeconds} s; state in ${o.stateParent}; server from ${o.server === 'dist' ? 'dist/ (built)' : 'src/ via tsx'}, ` +
        `node ${process.version}`,
    );
    console.log('');
    console.log(
      table([
        ['phase', 'wall time', 'per agent p50', 'p99', 'failed', 'server CPU', 'server CPU share'],
        [
          'register (key, RegisterManagedInstance, credentials, RegisterContainerInstance, DiscoverPollEndpoint)',
          seconds(t1 - t0),
          `${percentile(registerSorted, 50).toFixed(1)} ms`,
          `${percentile(registerSorted, 99).toFixed(1)} ms`,
          String(registerErrors.length),
          cpu(cpu0, cpu1),
          share(cpu0, cpu1, t1 - t0),
        ],
        [
          'connect (signed websocket handshake until the session is open)',
          seconds(t2 - t1),
          `${percentile(connectSorted, 50).toFixed(1)} ms`,
          `${percentile(connectSorted, 99).toFixed(1)} ms`,
          String(connectErrors.length),
          cpu(cpu1, cpu2),
          share(cpu1, cpu2, t2 - t1),
        ],
        [
          `all ${o.agents} connected`,
          seconds(t2 - t0),
          '',
          '',
          '',
          cpu(cpu0, cpu2),
          share(cpu0, cpu2, t2 - t0),
        ],
        [
          `hold, ${connectedNow} connected`,
          seconds(t4 - t3),
          '',
          '',
          String(disconnects),
          cpu(cpu3, cpu4),
          share(cpu3, cpu4, t4 - t3),
        ],
      ]),
    );
    console.log('');
    const expected = (connectedNow * (t4 - t3)) / heartbeatMs;
    console.log(
      `heartbeat round trip during the hold (${rtt.count} acks, ${(rtt.count / ((t4 - t3) / 1000)).toFixed(0)}/s, ` +
        `of about ${expected.toFixed(0)} heartbeats sent): mean ${millis(rtt.sum / rtt.count)} (exact); ` +
        `p50 ${q(0.5)}; p99 ${q(0.99)}`,
    );
    // Both histograms time a timer of LOOP_RESOLUTION_MS, so that much of every figure is the timer itself.
    const lag = (seconds: number) => millis(Math.max(0, seconds - LOOP_RESOLUTION_MS / 1000));
    console.log(
      `event loop delay during the hold (beyond the ${LOOP_RESOLUTION_MS} ms sampling timer): control plane ` +
        `p50 ${lag(afterHold.loopLagP50)}, p99 ${lag(afterHold.loopLagP99)}, max ${lag(afterHold.loopLagMax)}; ` +
        `this process (the simulated agents) p50 ${lag(benchLoop.percentile(50) / 1e9)}, ` +
        `p99 ${lag(benchLoop.percentile(99) / 1e9)}, max ${lag(benchLoop.max / 1e9)}`,
    );
    console.log(
      `control plane: ${afterHold.sessions} sessions open, ${connectedPerServer} container instances with ` +
        `agentConnected == true; ${stillConnected} of ${sessions.length} simulated agents connected at the end, ` +
        `${disconnects} disconnects during the hold, ${failedAttempts} failed session attempts (retried)`,
    );
    console.log(
      `control plane memory: RSS idle ${mib(idleServer?.rss)}, with the fleet ${mib(serverEnd?.rss)}, ` +
        `peak ${mib(serverEnd?.peak ?? serverSampledPeak)} (VmHWM); ` +
        `per connected agent ≈ ${((((serverEnd?.rss ?? NaN) - (idleServer?.rss ?? NaN)) * 1024) / Math.max(1, stillConnected)).toFixed(0)} KiB`,
    );
    console.log(
      `bench process (all ${o.agents} simulated agents): RSS at the end ${mib(benchEnd)}, peak ${mib(benchPeakRss)}`,
    );
    for (const [what, errors] of [
      ['registration', registerErrors],
      ['connection', connectErrors],
    ] as const) {
      if (errors.length > 0) console.log(`${what}: ${errors.length} failed; first: ${errors[0]}`);
    }
    if (registerErrors.length > 0 || connectErrors.length > 0 || stillConnected < o.agents)
      process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    await Promise.all(sessions.map((s) => s.stop()));
    for (const r of registered) r.credentials.close();
    admin.destroy();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

/**
 * API throughput, latency and server memory: `npx tsx bench/api.ts` (or `npm run bench:api`).
 *
 * Starts the real `berth server` as a child process (so its memory is its own, apart from the client's),
 * seeds a few clusters and the nginx task definition through the SDK, then drives each read operation with
 * signed requests from `@aws-sdk/client-ecs` at a fixed concurrency over keep-alive connections. An
 * unauthenticated `GET /health` loop over the same HTTP stack is the same-run baseline: the ratio to it says
 * how much the API path (SigV4, dispatch, validation, the store, serialisation) costs, whatever the machine.
 *
 * Options (flag or environment variable):
 *   --requests N     BENCH_REQUESTS     requests per operation (default 5000)
 *   --seconds S      BENCH_SECONDS      time cap per operation (default 10)
 *   --concurrency C  BENCH_CONCURRENCY  requests in flight (default 32)
 *   --clusters K     BENCH_CLUSTERS     clusters seeded and described per DescribeClusters call (default 10)
 *   --server src|dist BENCH_SERVER      run the TypeScript sources through tsx (default) or the build in dist/
 *
 * Traffic goes to 127.0.0.1 only; the bench stops the server and removes its data directory when done.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import {
  cpuSecondsOf,
  memoryOf,
  mib,
  percentile,
  readAdminKeys,
  startServer,
  table,
} from './child-server.js';

const REGION = 'us-east-1';

const NGINX: RegisterTaskDefinitionCommandInput = {
  requiresCompatibilities: ['EXTERNAL'],
  containerDefinitions: [
    {
      name: 'nginx',
      image: 'public.ecr.aws/nginx/nginx:latest',
      memory: 256,
      cpu: 256,
      essential: true,
      portMappings: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }],
    },
  ],
  networkMode: 'bridge',
  family: 'nginx',
};

interface Options {
  readonly requests: number;
  readonly seconds: number;
  readonly concurrency: number;
  readonly clusters: number;
  readonly server: 'src' | 'dist';
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string' },
      seconds: { type: 'string' },
      concurrency: { type: 'string' },
      clusters: { type: 'string' },
      server: { type: 'string' },
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
    requests: Math.floor(positive('requests', values.requests ?? env.BENCH_REQUESTS, 5000)),
    seconds: positive('seconds', values.seconds ?? env.BENCH_SECONDS, 10),
    concurrency: Math.floor(positive('concurrency', values.concurrency ?? env.BENCH_CONCURRENCY, 32)),
    clusters: Math.floor(positive('clusters', values.clusters ?? env.BENCH_CLUSTERS, 10)),
    server,
  };
}

interface LoadResult {
  readonly name: string;
  readonly requests: number;
  readonly seconds: number;
  /** Share of one core the server and this client process used, so a reader can see which side was the limit. */
  readonly serverCpu?: number;
  readonly clientCpu: number;
  readonly latenciesMs: Float64Array;
  readonly errors: number;
  readonly firstError?: string;
}

/** Runs `call` from `concurrency` workers until `total` requests were issued or `seconds` have passed. */
async function load(
  name: string,
  call: () => Promise<unknown>,
  total: number,
  seconds: number,
  concurrency: number,
  serverPid: number,
): Promise<LoadResult> {
  const serverCpuBefore = cpuSecondsOf(serverPid);
  const clientCpuBefore = process.cpuUsage();
  const latencies = new Float64Array(total);
  let issued = 0;
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (issued < total && performance.now() < deadline) {
      issued++;
      const t0 = performance.now();
      try {
        await call();
      } catch (e) {
        errors++;
        firstError ??= e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
      latencies[done++] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const serverCpuAfter = cpuSecondsOf(serverPid);
  const clientCpu = process.cpuUsage(clientCpuBefore);
  return {
    name,
    requests: done,
    seconds: elapsed,
    ...(serverCpuBefore !== undefined &&
      serverCpuAfter !== undefined && { serverCpu: (serverCpuAfter - serverCpuBefore) / elapsed }),
    clientCpu: (clientCpu.user + clientCpu.system) / 1e6 / elapsed,
    latenciesMs: latencies.slice(0, done).sort(),
    errors,
    ...(firstError === undefined ? {} : { firstError }),
  };
}

/** One unauthenticated GET /health through node:http, the HTTP stack the SDK uses too. */
function health(url: string, agent: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/health`, { agent }, (res) => {
      res.resume();
      res.once('end', () =>
        res.statusCode === 200 ? resolve() : reject(new Error(`/health answered ${res.statusCode}`)),
      );
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  // Node 20 is a supported target here; the SDK's multi-line notice about its future Node 22 minimum would
  // only clutter the figures.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const o = options();
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  const server = await startServer(dataDir, o.server);
  const pid = server.pid;
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
  const ecs = new ECSClient({
    endpoint: server.url,
    region: REGION,
    credentials: readAdminKeys(join(dataDir, 'credentials')),
    maxAttempts: 1,
    requestHandler: { httpAgent: agent },
  });
  // VmHWM is the peak since start; sampling VmRSS as well reports a peak even where VmHWM is missing.
  let sampledPeak = 0;
  const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, memoryOf(pid)?.rss ?? 0)), 100);
  try {
    const names = Array.from({ length: o.clusters }, (_, i) => `bench-${i}`);
    for (const clusterName of names) await ecs.send(new CreateClusterCommand({ clusterName }));
    let taskDefinition: string | undefined;
    try {
      const out = await ecs.send(new RegisterTaskDefinitionCommand(NGINX));
      taskDefinition = out.taskDefinition?.taskDefinitionArn;
    } catch (e) {
      console.error(
        `RegisterTaskDefinition failed (${(e as Error).name}); DescribeTaskDefinition is skipped.`,
      );
    }
    const startedMem = memoryOf(pid);

    const workloads: [string, () => Promise<unknown>][] = [
      ['GET /health (baseline)', () => health(server.url, agent)],
      ...(taskDefinition === undefined
        ? []
        : [
            [
              'DescribeTaskDefinition',
              () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nginx' })),
            ] as [string, () => Promise<unknown>],
          ]),
      ['ListClusters', () => ecs.send(new ListClustersCommand({}))],
      [`DescribeClusters (${o.clusters})`, () => ecs.send(new DescribeClustersCommand({ clusters: names }))],
    ];
    // A short warm-up, so that the first workload does not pay for JIT compilation and connection set-up.
    for (const [, call] of workloads) await load('warm-up', call, 300, 2, o.concurrency, pid);

    const results: LoadResult[] = [];
    for (const [name, call] of workloads) {
      results.push(await load(name, call, o.requests, o.seconds, o.concurrency, pid));
    }
    const endMem = memoryOf(pid);

    const baseline = results[0]!.requests / results[0]!.seconds;
    const rows = [
      [
        'operation',
        'requests',
        'req/s',
        'p50 ms',
        'p99 ms',
        'errors',
        'x /health',
        'server CPU',
        'client CPU',
      ],
    ];
    const pct = (share: number | undefined) => (share === undefined ? 'n/a' : `${(share * 100).toFixed(0)}%`);
    for (const r of results) {
      const rate = r.requests / r.seconds;
      rows.push([
        r.name,
        String(r.requests),
        rate.toFixed(0),
        percentile(r.latenciesMs, 50).toFixed(2),
        percentile(r.latenciesMs, 99).toFixed(2),
        String(r.errors),
        (rate / baseline).toFixed(2),
        pct(r.serverCpu),
        pct(r.clientCpu),
      ]);
    }
    console.log(
      `berth bench: ${o.concurrency} in flight, up to ${o.requests} requests or ${o.seconds} s per operation, ` +
        `server from ${o.server === 'dist' ? 'dist/ (built)' : 'src/ via tsx'}, node ${process.version}`,
    );
    console.log(table(rows));
    console.log(
      `server memory: RSS after seeding ${mib(startedMem?.rss)}, at the end ${mib(endMem?.rss)}, ` +
        `peak ${mib(endMem?.peak ?? sampledPeak)} (VmHWM; sampled peak ${mib(sampledPeak)})`,
    );
    for (const r of results)
      if (r.firstError !== undefined) console.log(`${r.name}: first error: ${r.firstError}`);
  } finally {
    clearInterval(sampler);
    ecs.destroy();
    agent.destroy();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

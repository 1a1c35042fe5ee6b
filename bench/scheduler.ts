/**
 * The scheduler on a simulated fleet: `npx tsx bench/scheduler.ts` (or `npm run bench:scheduler`).
 *
 * Two parts, on the same fleet shape (N instances of 8192 CPU units / 16384 MiB, three values of a zone-like
 * attribute `bench.zone`) and the same strategies (spread(attribute:bench.zone), binpack(memory)):
 *
 * 1. The pure engine, in process, no I/O.
 *    - RunTask-shaped: T tasks (256 CPU / 512 MiB, every other batch with a static host port, cycling through
 *      ten ports so that it stays feasible) in batches of 10, each decision a `placeTasks` call of count 1
 *      on the snapshot the previous one returned (what `placeTasks` does inside a batch), timed one by one
 *      with `performance.now()`.
 *    - Service-shaped: S REPLICA services through the reconciler (`reconcile`), each scaled from 0 to T/S in
 *      steps of `--step` (one pass per step, its plan applied to the simulated cluster), then back to 0 the
 *      same way. A pass places (or chooses to stop) `--step` tasks in one call, so the time per decision is
 *      the pass's time divided by the tasks it placed or stopped; p50/p99 are over passes.
 * 2. Through the control plane: the server runs in this process (`startServer` from src/server, SQLite in a
 *    temp dir) because no API marks an instance's agent connected: N instances are registered with
 *    RegisterContainerInstance (admin credentials, through the SDK over 127.0.0.1), then `agentConnected` is
 *    written through `server.store`. Then T/10 sequential RunTask calls of count 10, timed per call; then S
 *    services created with desired T/S each, timed until runningCount+pendingCount reaches T (tasks stay
 *    PENDING: no agent runs them; this measures placement, not running), then all scaled to 0, timed until no
 *    task of theirs is desired RUNNING (counted through the store). The client shares the process and its
 *    CPU with the server, so the figures are a floor on what the control plane does alone.
 *
 * Options (flag or environment variable):
 *   --instances N   BENCH_INSTANCES  container instances (default 1000)
 *   --tasks T       BENCH_TASKS      tasks per path (default 10000)
 *   --services S    BENCH_SERVICES   services sharing the service-path tasks (default 10)
 *   --step K        BENCH_STEP       pure service path: desired count change per pass (default 100)
 *   --seconds S     BENCH_SECONDS    time cap per measured phase; a phase cut short says so (default 120)
 *
 * Traffic goes to 127.0.0.1 only; the bench stops the server and removes its data directory when done.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  type PlacementStrategy,
  type RegisterTaskDefinitionCommandInput,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { InstanceRecord } from '../src/domain/instance-record.js';
import { pino } from 'pino';
import { EMPTY_SERVICE_STATE, type ServiceState } from '../src/domain/service-record.js';
import {
  placeTasks,
  snapshotFromRecords,
  taskRequirements,
  withoutTask,
  withPlacement,
  type ClusterSnapshot,
  type StrategyRule,
  type TaskRequirements,
} from '../src/scheduler/index.js';
import {
  HEALTHY_AFTER_RUNNING_MS,
  reconcile,
  type DeploymentView,
  type ReconcileSettings,
  type ServiceSpec,
  type ServiceTask,
} from '../src/scheduler/reconcile/index.js';
import { resolveServerConfig } from '../src/control-plane/config.js';
import { startServer } from '../src/control-plane/server.js';
import { percentile, readAdminKeys, table } from './child-server.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const CLUSTER = 'bench-scheduler';
const ZONES = ['zone-a', 'zone-b', 'zone-c'];
const INSTANCE_CPU = 8192;
const INSTANCE_MEMORY = 16384;
const TASK_CPU = 256;
const TASK_MEMORY = 512;
const BATCH = 10;
const PORTS = Array.from({ length: 10 }, (_, i) => 8000 + i);
const STRATEGIES: StrategyRule[] = [
  { type: 'spread', field: 'attribute:bench.zone' },
  { type: 'binpack', field: 'memory' },
];
const API_STRATEGIES: PlacementStrategy[] = [
  { type: 'spread', field: 'attribute:bench.zone' },
  { type: 'binpack', field: 'memory' },
];
const POLL_MS = 100;
const REGISTER_CONCURRENCY = 16;

interface Options {
  instances: number;
  tasks: number;
  services: number;
  step: number;
  seconds: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      instances: { type: 'string' },
      tasks: { type: 'string' },
      services: { type: 'string' },
      step: { type: 'string' },
      seconds: { type: 'string' },
    },
  });
  const num = (name: keyof Options, env: string, fallback: number): number => {
    const value = values[name] ?? process.env[env] ?? String(fallback);
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) {
      throw new Error(`--${name} must be a positive whole number, got '${value}'`);
    }
    return n;
  };
  const o = {
    instances: num('instances', 'BENCH_INSTANCES', 1000),
    tasks: num('tasks', 'BENCH_TASKS', 10_000),
    services: num('services', 'BENCH_SERVICES', 10),
    step: num('step', 'BENCH_STEP', 100),
    seconds: num('seconds', 'BENCH_SECONDS', 120),
  };
  if (o.tasks % BATCH !== 0 || o.tasks % o.services !== 0) {
    throw new Error(`--tasks must be a multiple of ${BATCH} and of --services`);
  }
  return o;
}

// ---- The fleet and the task definitions ----------------------------------------------------------------

function definition(family: string, hostPort?: number): TaskDefinition & RegisterTaskDefinitionCommandInput {
  return {
    family,
    networkMode: 'bridge',
    requiresCompatibilities: ['EXTERNAL'],
    containerDefinitions: [
      {
        name: 'app',
        image: 'busybox:latest',
        cpu: TASK_CPU,
        memory: TASK_MEMORY,
        essential: true,
        ...(hostPort !== undefined && {
          portMappings: [{ containerPort: 80, hostPort, protocol: 'tcp' }],
        }),
      },
    ],
  };
}

/** The family a RunTask batch uses: plain for even batches, one with a static host port for odd ones. */
function batchFamily(batch: number): { family: string; port?: number } {
  if (batch % 2 === 0) return { family: 'bench-plain' };
  const port = PORTS[Math.floor(batch / 2) % PORTS.length] ?? 8000;
  return { family: `bench-port-${port}`, port };
}

function zoneOf(n: number): string {
  return ZONES[n % ZONES.length] ?? 'zone-a';
}

const RESOURCES = [
  { name: 'CPU', type: 'INTEGER', integerValue: INSTANCE_CPU },
  { name: 'MEMORY', type: 'INTEGER', integerValue: INSTANCE_MEMORY },
  { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '51678', '51679'] },
  { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
];

function simulatedFleet(n: number): ClusterSnapshot {
  const instances: InstanceRecord[] = Array.from({ length: n }, (_, i) => ({
    containerInstanceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/${CLUSTER}/${String(i).padStart(32, '0')}`,
    status: 'ACTIVE',
    agentConnected: true,
    registeredAt: new Date(1_700_000_000_000),
    version: 1,
    registeredResources: RESOURCES,
    attributes: [{ name: 'bench.zone', value: zoneOf(i) }],
  }));
  return snapshotFromRecords(instances, []);
}

// ---- Figures -------------------------------------------------------------------------------------------

interface Figures {
  readonly what: string;
  readonly done: number;
  readonly target: number;
  readonly seconds: number;
  /** Per decision (ms), ascending; empty when not measured per decision. */
  readonly perDecision: readonly number[];
  readonly cut: boolean;
  readonly note?: string;
}

function row(f: Figures): string[] {
  const sorted = [...f.perDecision].sort((a, b) => a - b);
  const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
  return [
    f.what,
    `${f.done}/${f.target}${f.cut ? ' (cut)' : ''}`,
    f.seconds.toFixed(2),
    (f.done / f.seconds).toFixed(0),
    ms(percentile(sorted, 50)),
    ms(percentile(sorted, 99)),
    f.note ?? '',
  ];
}

const HEADER = ['', 'tasks', 'seconds', 'per s', 'p50 ms', 'p99 ms', 'note'];

// ---- Part 1: the pure engine ----------------------------------------------------------------------------

function pureRunTask(o: Options, deadline: number): Figures {
  let snapshot = simulatedFleet(o.instances);
  const requirements = new Map<string, TaskRequirements>();
  const times: number[] = [];
  let placed = 0;
  let busy = 0;
  let cut = false;
  for (let batch = 0; batch < o.tasks / BATCH; batch++) {
    if (performance.now() > deadline) {
      cut = true;
      break;
    }
    const { family, port } = batchFamily(batch);
    let task = requirements.get(family);
    if (task === undefined) {
      task = taskRequirements(definition(family, port), { group: `family:${family}` });
      requirements.set(family, task);
    }
    for (let n = 0; n < BATCH; n++) {
      const start = performance.now();
      const plan = placeTasks(snapshot, { task, count: 1, strategies: STRATEGIES }, batch * BATCH + n);
      const took = performance.now() - start;
      busy += took;
      times.push(took);
      if (plan.placements.length === 0) throw new Error(`pure RunTask: task ${placed} did not fit`);
      snapshot = plan.snapshot;
      placed += 1;
    }
  }
  return {
    what: 'engine: RunTask batches',
    done: placed,
    target: o.tasks,
    seconds: busy / 1000,
    perDecision: times,
    cut,
  };
}

const SETTINGS: ReconcileSettings = {
  healthyAfterRunningMs: HEALTHY_AFTER_RUNNING_MS,
  throttleFreeFailures: 10,
  throttleBaseMs: 5_000,
  throttleMaxMs: 15 * 60_000,
  eventRepeatMs: 6 * 3_600_000,
};

interface SimService {
  spec: ServiceSpec;
  deployment: DeploymentView;
  tasks: ServiceTask[];
  state: ServiceState;
}

/** The pure service path: scale every service up in steps, then down in steps; one timed pass per step. */
function pureServices(o: Options): [Figures, Figures] {
  let snapshot = simulatedFleet(o.instances);
  const perService = o.tasks / o.services;
  const now = 1_700_000_000_000;
  let ids = 0;
  let seed = 0;
  const services: SimService[] = Array.from({ length: o.services }, (_, s) => {
    const name = `svc-${s}`;
    return {
      spec: {
        name,
        status: 'ACTIVE',
        schedulingStrategy: 'REPLICA',
        desiredCount: 0,
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        circuitBreaker: { enable: false, rollback: false },
        healthCheckGracePeriodMs: 0,
        strategies: STRATEGIES,
      },
      deployment: {
        id: `ecs-svc/${s}`,
        status: 'PRIMARY',
        taskDefinition: `bench-svc-${s}:1`,
        failedTasks: 0,
        rolloutState: 'IN_PROGRESS',
        state: {},
        requirements: taskRequirements(definition(`bench-svc-${s}`), { group: `service:${name}` }),
        healthChecked: false,
      },
      tasks: [],
      state: EMPTY_SERVICE_STATE,
    };
  });

  const pass = (svc: SimService, times: number[]): { placed: number; stopped: number; ms: number } => {
    const start = performance.now();
    const plan = reconcile({
      now,
      service: svc.spec,
      deployments: [svc.deployment],
      tasks: svc.tasks,
      snapshot,
      state: svc.state,
      settings: SETTINGS,
      disconnectedSince: new Map(),
      seed: ++seed,
      newTaskId: () => `t${++ids}`,
    });
    const ms = performance.now() - start;
    // Apply the plan as the service applier would, with agents that stop tasks at once.
    for (const p of plan.place) {
      const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${p.taskId}`;
      const r = svc.deployment.requirements;
      snapshot = withPlacement(snapshot, p.instanceArn, {
        taskArn: arn,
        group: r.group,
        desiredRunning: true,
        held: { cpu: r.cpu, memory: r.memory, tcpPorts: r.tcpPorts, udpPorts: r.udpPorts, gpuIds: [] },
      });
      svc.tasks.push({
        arn,
        id: p.taskId,
        startedBy: p.deploymentId,
        taskDefinition: svc.deployment.taskDefinition,
        instanceArn: p.instanceArn,
        lastStatus: 'PENDING',
        desiredStatus: 'RUNNING',
        health: 'UNKNOWN',
        createdAt: now,
      });
    }
    const stopped = new Set(plan.stop.map((s) => s.taskArn));
    if (stopped.size > 0) {
      for (const t of svc.tasks) {
        if (stopped.has(t.arn)) snapshot = withoutTask(snapshot, t.instanceArn ?? '', t.arn);
      }
      svc.tasks = svc.tasks.filter((t) => !stopped.has(t.arn));
    }
    svc.state = plan.state;
    const decided = plan.place.length + plan.stop.length;
    if (decided > 0) for (let i = 0; i < decided; i++) times.push(ms / decided);
    return { placed: plan.place.length, stopped: plan.stop.length, ms };
  };

  const run = (direction: 'up' | 'down'): Figures => {
    const deadline = performance.now() + o.seconds * 1000;
    const times: number[] = [];
    let done = 0;
    let busy = 0;
    let passes = 0;
    let cut = false;
    outer: for (const svc of services) {
      for (;;) {
        const current = svc.spec.desiredCount;
        const next =
          direction === 'up' ? Math.min(perService, current + o.step) : Math.max(0, current - o.step);
        if (next === current) break;
        if (performance.now() > deadline) {
          cut = true;
          break outer;
        }
        svc.spec = { ...svc.spec, desiredCount: next };
        const r = pass(svc, times);
        busy += r.ms;
        passes += 1;
        done += direction === 'up' ? r.placed : r.stopped;
      }
    }
    return {
      what: direction === 'up' ? 'engine: services, scale out' : 'engine: services, scale in',
      done,
      target: o.tasks,
      seconds: busy / 1000,
      perDecision: times,
      cut,
      note: `${passes} passes of ${o.step}; per decision = pass / tasks`,
    };
  };
  const up = run('up');
  const down = run('down');
  return [up, down];
}

// ---- Part 2: through the control plane -------------------------------------------------------------------

async function controlPlane(o: Options): Promise<Figures[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-scheduler-'));
  const config = resolveServerConfig(
    { listen: '127.0.0.1:0', dataDir, region: REGION, accountId: ACCOUNT, logLevel: 'warn' },
    {},
  );
  const server = await startServer(config, { logger: pino({ level: 'warn' }) });
  const keys = readAdminKeys(server.admin.credentialsFile);
  const ecs = new ECSClient({
    endpoint: server.url,
    region: REGION,
    credentials: { ...keys },
    maxAttempts: 1,
  });
  const figures: Figures[] = [];
  // Printed as each phase ends: a phase can hold the event loop (the server runs in this process) for long.
  const report = (f: Figures): void => {
    figures.push(f);
    console.log(table([HEADER, row(f)]));
  };
  try {
    const cluster = await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    const clusterArn = cluster.cluster?.clusterArn ?? '';
    const families = new Set<string>();
    for (let b = 0; b < 2 * PORTS.length; b++) {
      const { family, port } = batchFamily(b);
      if (families.has(family)) continue;
      families.add(family);
      await ecs.send(new RegisterTaskDefinitionCommand({ ...definition(family, port) }));
    }
    for (let s = 0; s < o.services; s++) {
      await ecs.send(new RegisterTaskDefinitionCommand({ ...definition(`bench-svc-${s}`) }));
    }

    // The fleet: registered through the API, marked connected through the store.
    const registerStart = performance.now();
    let next = 0;
    const arns: string[] = [];
    await Promise.all(
      Array.from({ length: REGISTER_CONCURRENCY }, async () => {
        while (next < o.instances) {
          const n = next++;
          const out = await ecs.send(
            new RegisterContainerInstanceCommand({
              cluster: CLUSTER,
              totalResources: RESOURCES,
              attributes: [{ name: 'bench.zone', value: zoneOf(n) }],
              instanceIdentityDocument: JSON.stringify({ instanceId: `mi-${String(n).padStart(17, '0')}` }),
            }),
          );
          arns.push(out.containerInstance?.containerInstanceArn ?? '');
        }
      }),
    );
    await server.store.transaction(async (tx) => {
      for (const arn of arns) {
        const ci = await tx.containerInstances.get(arn);
        if (ci !== undefined) await tx.containerInstances.put(clusterArn, { ...ci, agentConnected: true });
      }
    });
    const registerSeconds = (performance.now() - registerStart) / 1000;
    console.log(
      `control plane: ${arns.length} instances registered and marked connected in ${registerSeconds.toFixed(1)} s`,
    );

    // RunTask: sequential calls of count 10.
    {
      const deadline = performance.now() + o.seconds * 1000;
      const times: number[] = [];
      let placed = 0;
      let cut = false;
      const start = performance.now();
      const firstTenth: number[] = [];
      const lastTenth: number[] = [];
      const calls = o.tasks / BATCH;
      for (let batch = 0; batch < calls; batch++) {
        if (performance.now() > deadline) {
          cut = true;
          break;
        }
        const t0 = performance.now();
        const out = await ecs.send(
          new RunTaskCommand({
            cluster: CLUSTER,
            taskDefinition: batchFamily(batch).family,
            count: BATCH,
            placementStrategy: API_STRATEGIES,
          }),
        );
        const took = performance.now() - t0;
        times.push(took);
        if (batch < calls / 10) firstTenth.push(took);
        if (batch >= calls - calls / 10) lastTenth.push(took);
        placed += out.tasks?.length ?? 0;
        if ((out.failures ?? []).length > 0) {
          throw new Error(`RunTask ${batch}: ${JSON.stringify(out.failures?.[0])}`);
        }
      }
      const seconds = (performance.now() - start) / 1000;
      const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
      report({
        what: 'server: RunTask count 10',
        done: placed,
        target: o.tasks,
        seconds,
        perDecision: times,
        cut,
        note: `per call; ${(times.length / seconds).toFixed(1)} calls/s; mean first/last tenth ${mean(firstTenth).toFixed(1)}/${mean(lastTenth).toFixed(1)} ms`,
      });
    }

    // Services: created with their desired counts, timed until all tasks are placed.
    const perService = o.tasks / o.services;
    const names = Array.from({ length: o.services }, (_, s) => `svc-${s}`);
    const countDesiredRunning = async (): Promise<number> => {
      let total = 0;
      for (const name of names) {
        total += await server.store.tasks.count({
          clusterArn,
          group: `service:${name}`,
          desiredStatus: 'RUNNING',
        });
      }
      return total;
    };
    const counted = async (): Promise<number> => {
      let total = 0;
      for (let i = 0; i < names.length; i += 10) {
        const out = await ecs.send(
          new DescribeServicesCommand({ cluster: CLUSTER, services: names.slice(i, i + 10) }),
        );
        for (const s of out.services ?? []) total += (s.runningCount ?? 0) + (s.pendingCount ?? 0);
      }
      return total;
    };
    {
      const passesBefore = server.services.passes;
      const start = performance.now();
      const deadline = start + o.seconds * 1000;
      for (const name of names) {
        await ecs.send(
          new CreateServiceCommand({
            cluster: CLUSTER,
            serviceName: name,
            taskDefinition: `bench-svc-${name.slice('svc-'.length)}`,
            desiredCount: perService,
            launchType: 'EXTERNAL',
            placementStrategy: API_STRATEGIES,
          }),
        );
      }
      let done = 0;
      while ((done = await counted()) < o.tasks && performance.now() < deadline) await sleep(POLL_MS);
      const seconds = (performance.now() - start) / 1000;
      const desired = await countDesiredRunning();
      report({
        what: 'server: services, scale out',
        done: desired,
        target: o.tasks,
        seconds,
        perDecision: [],
        cut: done < o.tasks,
        note: `${o.services} services × ${perService}; ${server.services.passes - passesBefore} controller passes; until running+pending = target`,
      });
    }
    {
      const passesBefore = server.services.passes;
      const before = await countDesiredRunning();
      const start = performance.now();
      const deadline = start + o.seconds * 1000;
      for (const name of names) {
        await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: name, desiredCount: 0 }));
      }
      let left = before;
      while ((left = await countDesiredRunning()) > 0 && performance.now() < deadline) await sleep(POLL_MS);
      const seconds = (performance.now() - start) / 1000;
      report({
        what: 'server: services, scale in',
        done: before - left,
        target: before,
        seconds,
        perDecision: [],
        cut: left > 0,
        note: `${server.services.passes - passesBefore} controller passes; until none desired RUNNING`,
      });
    }
  } finally {
    ecs.destroy();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return figures;
}

async function main(): Promise<void> {
  const o = options();
  console.log(
    `scheduler bench: ${o.instances} instances (${INSTANCE_CPU} CPU, ${INSTANCE_MEMORY} MiB, ${ZONES.length} zones), ` +
      `${o.tasks} tasks of ${TASK_CPU} CPU / ${TASK_MEMORY} MiB, strategies spread(attribute:bench.zone) + binpack(memory)`,
  );
  const rows: string[][] = [HEADER];
  const runTask = pureRunTask(o, performance.now() + o.seconds * 1000);
  rows.push(row(runTask));
  console.log(table([HEADER, row(runTask)]));
  const [up, down] = pureServices(o);
  rows.push(row(up), row(down));
  console.log(table([HEADER, row(up), row(down)]));
  const server = await controlPlane(o);
  rows.push(...server.map(row));
  console.log('');
  console.log(table(rows));
}

await main();

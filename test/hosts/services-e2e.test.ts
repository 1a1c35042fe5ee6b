/**
 * Services end to end on real Docker with three hosts (test/rigs/hosts.ts: one network namespace and one dockerd
 * per host, the real `berth agent` in each), driven by the AWS CLI as a user drives ECS: a spread service
 * reaching `aws ecs wait services-stable`, a rolling update sampled against its deployment limits, a
 * container killed by hand and replaced, a drained host emptied, a revision that cannot be pulled tripping
 * the circuit breaker and rolling back, and a DAEMON service following its hosts, one registering later.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { TASK_ARN_LABEL } from '../../src/agent/engine/labels.js';
import type { AgentProcess } from '../rigs/agent-process.js';
import { ClusterCli } from '../rigs/cluster-cli.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { createTestHosts, type TestHost, type TestHosts } from '../rigs/hosts.js';
import { busyboxImage, REGISTRY } from '../rigs/images.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const PREFIX = 'svce2e';
const CLUSTER = 'svc-e2e';
const SERVICE = 'web';
const IMAGE = busyboxImage({ repository: 'berth-svc-e2e/busybox' });
/** Stops at once on SIGTERM, so that rollouts do not wait for a stop timeout. */
const COMMAND = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'];

/**
 * The success expression of the CLI's `services-stable` waiter (botocore ecs waiters-2.json):
 * `length(services[?!(length(deployments) == \`1\` && runningCount == desiredCount)]) == \`0\``.
 */
const stable = (s: Service): boolean => s.deployments?.length === 1 && s.runningCount === s.desiredCount;

void describe('services end to end on three hosts', () => {
  let hosts: TestHosts;
  let t: TestServer;
  /** The AWS CLI calls against CLUSTER. */
  let cli: ClusterCli;
  let root: string;
  const agents: AgentProcess[] = [];
  /** Container instance ARN by host index (1-based). */
  const instanceOf = new Map<number, string>();
  let activation: { ActivationId: string; ActivationCode: string };
  const revisions: string[] = [];

  const host = (n: number): TestHost => {
    const h = hosts.hosts[n - 1];
    assert.ok(h, `host ${n}`);
    return h;
  };
  const hostOf = (instanceArn: string | undefined): number => {
    for (const [n, arn] of instanceOf) if (arn === instanceArn) return n;
    assert.fail(`unknown container instance ${instanceArn}`);
  };

  async function startAgent(n: number): Promise<void> {
    const dataDir = join(root, `h${n}`);
    const config = join(root, `agent-${n}.json`);
    writeFileSync(config, '{}');
    const agent = host(n).startAgent([
      '--endpoint',
      t.url,
      '--cluster',
      CLUSTER,
      '--data-dir',
      dataDir,
      '--config',
      config,
      '--activation-id',
      activation.ActivationId,
      '--activation-code',
      activation.ActivationCode,
    ]);
    agents.push(agent);
    const line = await agent.waitForLog(
      'the container instance',
      (l) => l.msg === 'container instance registered',
      60_000,
    );
    const arn = line.containerInstanceArn as string;
    instanceOf.set(n, arn);
    await waitFor(
      `agent ${n} connected`,
      async () => (await cli.describeInstance(arn))?.agentConnected === true,
      60_000,
      { intervalMs: 200 },
    );
  }

  async function register(image: string): Promise<string> {
    return cli.registerTaskDefinition({
      family: 'svc-e2e',
      containerDefinitions: [{ name: 'app', image, memory: 32, command: COMMAND, stopTimeout: 2 }],
    });
  }

  async function describe_(name = SERVICE): Promise<Service> {
    const out = await t.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }));
    const s = out.services?.[0];
    assert.ok(s, `service ${name}`);
    return s;
  }

  /** The service's tasks, RUNNING-desired only unless `all` (then the stopping and stopped ones too). */
  async function tasksOf(name = SERVICE, all = false): Promise<Task[]> {
    const arns: string[] = [];
    for (const desiredStatus of all ? (['RUNNING', 'STOPPED'] as const) : (['RUNNING'] as const)) {
      const out = await t.ecs.send(
        new ListTasksCommand({ cluster: CLUSTER, serviceName: name, desiredStatus, maxResults: 100 }),
      );
      arns.push(...(out.taskArns ?? []));
    }
    if (arns.length === 0) return [];
    const tasks: Task[] = [];
    for (let i = 0; i < arns.length; i += 100) {
      const out = await t.ecs.send(
        new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns.slice(i, i + 100) }),
      );
      tasks.push(...(out.tasks ?? []));
    }
    return tasks;
  }

  /** Tasks per host index among RUNNING ones. */
  function perHost(tasks: readonly Task[]): Map<number, number> {
    const counts = new Map<number, number>();
    for (const task of tasks) {
      const n = hostOf(task.containerInstanceArn);
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    return counts;
  }

  /** Each RUNNING task's container really runs in its host's engine (found by the task ARN label). */
  async function assertContainersRun(tasks: readonly Task[]): Promise<void> {
    for (const task of tasks) {
      const n = hostOf(task.containerInstanceArn);
      const found = await host(n).docker.listContainers({
        filters: { label: [`${TASK_ARN_LABEL}=${task.taskArn}`], status: ['running'] },
      });
      assert.equal(found.length, 1, `the container of ${task.taskArn} runs on host ${n}`);
      const runtimeId = task.containers?.[0]?.runtimeId;
      assert.equal(found[0]?.Id, runtimeId, 'the runtime id ECS reports is the container');
      for (const other of [1, 2, 3, 4].filter((m) => m !== n && instanceOf.has(m))) {
        const elsewhere = await host(other).docker.listContainers({
          filters: { label: [`${TASK_ARN_LABEL}=${task.taskArn}`] },
        });
        assert.equal(elsewhere.length, 0, `no container of ${task.taskArn} on host ${other}`);
      }
    }
  }

  async function waitStable(what: string, check: (s: Service) => boolean = () => true, timeoutMs = 90_000) {
    return waitFor(
      what,
      async () => {
        const s = await describe_();
        return stable(s) && check(s) ? s : undefined;
      },
      timeoutMs,
      { intervalMs: 200 },
    );
  }

  async function runningTasks(): Promise<Task[]> {
    return (await tasksOf()).filter((task) => task.lastStatus === 'RUNNING');
  }

  before(async () => {
    IMAGE.build();
    hosts = await createTestHosts({ count: 4, prefix: PREFIX });
    console.log(`# services e2e: 4 hosts up in ${hosts.setupMs} ms`);
    t = await startTestServer({
      listen: `${hosts.gateway}:0`,
      heartbeatInterval: '300ms',
      sessionTimeout: '2s',
      payloadResendIntervalMs: 500,
      // Fast rollouts; the throttle still lets the breaker's 10 failures through, then waits only moments.
      services: {
        intervalMs: 250,
        healthyAfterRunningMs: 1_000,
        throttleFreeFailures: 10,
        throttleBaseMs: 200,
      },
    });
    cli = new ClusterCli(t, CLUSTER);
    root = mkdtempSync(join(tmpdir(), 'berth-svc-e2e-'));
    await t.awsJson(['ecs', 'create-cluster', '--cluster-name', CLUSTER]);
    activation = await t.awsJson([
      'ssm',
      'create-activation',
      '--iam-role',
      'ecsAnywhereRole',
      '--registration-limit',
      '4',
    ]);
    await Promise.all([1, 2, 3].map((n) => startAgent(n)));
    revisions.push(await register(hosts.image(IMAGE.ref)));
    // Revision 2: the same container, a new revision: the rollout replaces every task.
    revisions.push(await register(hosts.image(IMAGE.ref)));
  });

  after(async () => {
    await Promise.all(agents.map((a) => a.stop('SIGKILL')));
    await hosts?.dispose();
    await t?.stop();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  void it('spreads 4 tasks over the 3 hosts and reaches `aws ecs wait services-stable`', async () => {
    const created = await cli.ecs<{ service: Service }>(
      'create-service',
      '--service-name',
      SERVICE,
      '--task-definition',
      revisions[0]!,
      '--desired-count',
      '4',
      '--placement-strategy',
      'type=spread,field=instanceId',
      '--deployment-configuration',
      'minimumHealthyPercent=50,maximumPercent=150',
    );
    assert.equal(created.service.desiredCount, 4);
    const wait = await t.aws(['ecs', 'wait', 'services-stable', '--cluster', CLUSTER, '--services', SERVICE]);
    assert.equal(wait.code, 0, wait.stderr);
    // The waiter looks at the counts only; the rollout completes once the tasks count as healthy.
    const s = await waitStable(
      'the deployment COMPLETED',
      (x) => x.deployments?.[0]?.rolloutState === 'COMPLETED',
    );
    assert.equal(s.runningCount, 4);
    const tasks = await runningTasks();
    assert.equal(tasks.length, 4);
    assert.deepEqual([...perHost(tasks).values()].sort(), [1, 1, 2], 'spread over the three hosts: 2/1/1');
    for (const task of tasks) {
      assert.equal(task.group, `service:${SERVICE}`);
      assert.equal(task.startedBy, s.deployments?.[0]?.id);
    }
    await assertContainersRun(tasks);
    const events = (s.events ?? []).map((e) => e.message ?? '');
    assert.ok(
      events.some((m) => m === `(service ${SERVICE}) has reached a steady state.`),
      events.join('\n'),
    );
    assert.ok(
      events.some((m) => m.startsWith(`(service ${SERVICE}) has started 4 tasks:`)),
      events.join('\n'),
    );
  });

  void it('rolls out revision 2 within minimumHealthyPercent 50 and maximumPercent 150', async () => {
    const desired = 4;
    const ceiling = Math.floor((150 * desired) / 100); // 6
    const floor = Math.ceil((50 * desired) / 100); // 2
    await cli.ecs('update-service', '--service', SERVICE, '--task-definition', revisions[1]!);
    const samples: { live: number; running: number; service: number }[] = [];
    // Every sample is checked against the bounds once the rollout is done, so a transient CLI failure is
    // tried again rather than failing the test.
    await waitFor(
      'the rollout of revision 2',
      async () => {
        const [s, tasks] = await Promise.all([describe_(), tasksOf(SERVICE, true)]);
        // Running or pending: every task that has not stopped yet, whether or not it is being stopped.
        const live = tasks.filter((task) => task.lastStatus !== 'STOPPED').length;
        const running = tasks.filter(
          (task) => task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING',
        ).length;
        const service = (s.runningCount ?? 0) + (s.pendingCount ?? 0);
        samples.push({ live, running, service });
        const primary = s.deployments?.[0];
        return (
          stable(s) &&
          primary?.status === 'PRIMARY' &&
          primary.rolloutState === 'COMPLETED' &&
          primary.taskDefinition === revisions[1]
        );
      },
      120_000,
      { intervalMs: 200, detail: async () => `rollout did not finish: ${JSON.stringify(await describe_())}` },
    );
    for (const { live, running, service } of samples) {
      assert.ok(live <= ceiling, `${live} tasks running or pending > ${ceiling}`);
      assert.ok(service <= ceiling, `runningCount+pendingCount ${service} > ${ceiling}`);
      assert.ok(running >= floor, `${running} running tasks < ${floor}`);
    }
    console.log(
      `# services e2e: rollout sampled ${samples.length} times, max live ${Math.max(...samples.map((x) => x.live))}`,
    );
    assert.ok(samples.length >= 3, 'the rollout was observed while in progress');
    assert.ok(
      samples.some((x) => x.live > desired),
      'the rollout used the room maximumPercent gives',
    );
    const tasks = await runningTasks();
    assert.equal(tasks.length, 4);
    for (const task of tasks) assert.equal(task.taskDefinitionArn, revisions[1]);
    await assertContainersRun(tasks);
  });

  void it('replaces a container killed by hand', async () => {
    const before_ = await runningTasks();
    const victim = before_[0];
    assert.ok(victim);
    const n = hostOf(victim.containerInstanceArn);
    const id = victim.containers?.[0]?.runtimeId;
    assert.ok(id);
    const killed = await host(n).dockerCli(['kill', id]);
    assert.equal(killed.code, 0, killed.stderr);
    await waitFor(
      'the killed task STOPPED',
      async () => {
        const out = await t.ecs.send(
          new DescribeTasksCommand({ cluster: CLUSTER, tasks: [victim.taskArn!] }),
        );
        return out.tasks?.[0]?.lastStatus === 'STOPPED';
      },
      60_000,
      { intervalMs: 200 },
    );
    const s = await waitStable('a replacement running', (x) => x.runningCount === 4);
    const after_ = await runningTasks();
    assert.equal(after_.length, 4);
    assert.ok(!after_.some((task) => task.taskArn === victim.taskArn));
    assert.equal(after_.filter((task) => !before_.some((b) => b.taskArn === task.taskArn)).length, 1);
    await assertContainersRun(after_);
    const events = (s.events ?? []).map((e) => e.message ?? '');
    assert.ok(
      events.some((m) => m.startsWith(`(service ${SERVICE}) has started 1 tasks:`)),
      events.join('\n'),
    );
  });

  void it('moves a DRAINING host’s tasks to the other hosts', async () => {
    const drained = instanceOf.get(3);
    assert.ok(drained);
    await cli.ecs(
      'update-container-instances-state',
      '--container-instances',
      drained,
      '--status',
      'DRAINING',
    );
    await waitFor(
      'no service task left on host 3',
      async () => {
        const tasks = await tasksOf(SERVICE, true);
        const onDrained = tasks.filter(
          (task) => task.containerInstanceArn === drained && task.lastStatus !== 'STOPPED',
        );
        const s = await describe_();
        return onDrained.length === 0 && stable(s) && s.runningCount === 4;
      },
      60_000,
      { intervalMs: 200 },
    );
    const tasks = await runningTasks();
    assert.equal(tasks.length, 4);
    assert.ok(tasks.every((task) => hostOf(task.containerInstanceArn) !== 3));
    await assertContainersRun(tasks);
    const left = await host(3).docker.listContainers({ filters: { status: ['running'] } });
    assert.equal(left.length, 0, 'nothing runs on the drained host');
  });

  void it('trips the circuit breaker on an image that cannot be pulled and rolls back', async () => {
    const good = (await describe_()).deployments?.[0];
    assert.ok(good?.id);
    const broken = await register(hosts.image(`${REGISTRY}/berth-svc-e2e/absent:no-such-tag`));
    const started = Date.now();
    await cli.ecs(
      'update-service',
      '--service',
      SERVICE,
      '--task-definition',
      broken,
      '--deployment-configuration',
      'deploymentCircuitBreaker={enable=true,rollback=true},minimumHealthyPercent=50,maximumPercent=150',
    );
    let sawFailed = false;
    let lastSeen = '';
    let brokenId: string | undefined;
    let failedReason: string | undefined;
    const s = await waitFor(
      'the rollback to complete',
      async () => {
        const x = await describe_();
        const view = JSON.stringify(
          (x.deployments ?? []).map((d) => [
            d.id,
            d.status,
            d.rolloutState,
            d.taskDefinition?.split(':').pop(),
            d.failedTasks,
          ]),
        );
        if (!lastSeen.endsWith(view)) lastSeen += `\n${Date.now() - started} ${view}`;
        const bad = x.deployments?.find((d) => d.taskDefinition === broken);
        if (bad !== undefined) brokenId = bad.id;
        if (bad?.rolloutState === 'FAILED') {
          sawFailed = true;
          failedReason = bad.rolloutStateReason;
        }
        const primary = x.deployments?.[0];
        // The FAILED deployment is visible only for the moment its never-started tasks take to stop; the
        // lasting evidence is the service's events, checked below.
        const failedEvent = (x.events ?? []).some((e) =>
          e.message?.includes('deployment failed: tasks failed to start.'),
        );
        return failedEvent &&
          stable(x) &&
          primary?.taskDefinition === revisions[1] &&
          primary?.rolloutState === 'COMPLETED'
          ? x
          : undefined;
      },
      120_000,
      { intervalMs: 50 },
    ).catch((e: Error) => {
      throw new Error(`${e.message}; deployments seen: ${lastSeen}`);
    });
    console.log(`# services e2e: breaker tripped and rolled back in ${Date.now() - started} ms:${lastSeen}`);
    assert.equal(s.taskDefinition, revisions[1]);
    const events = (s.events ?? []).map((e) => e.message ?? '');
    assert.ok(brokenId !== undefined, 'the broken deployment was seen');
    assert.ok(
      events.includes(
        `(service ${SERVICE}) (deployment ${brokenId}) deployment failed: tasks failed to start.`,
      ),
      events.join('\n'),
    );
    assert.ok(
      events.includes(`(service ${SERVICE}) rolling back to deployment ${good.id}.`),
      events.join('\n'),
    );
    if (sawFailed) assert.equal(failedReason, 'ECS deployment circuit breaker: tasks failed to start.');
    const stopped = (await tasksOf(SERVICE, true)).filter(
      (task) => task.taskDefinitionArn === broken && task.lastStatus === 'STOPPED',
    );
    assert.ok(stopped.length >= 10, `${stopped.length} failed tasks (threshold 10)`);
    const tasks = await runningTasks();
    assert.equal(tasks.length, 4);
    for (const task of tasks) assert.equal(task.taskDefinitionArn, revisions[1]);
    await assertContainersRun(tasks);
  });

  void it('runs a DAEMON service once on each ACTIVE host, including one registered later', async () => {
    await cli.ecs(
      'update-container-instances-state',
      '--container-instances',
      instanceOf.get(3)!,
      '--status',
      'ACTIVE',
    );
    await cli.ecs(
      'create-service',
      '--service-name',
      'agentd',
      '--task-definition',
      revisions[0]!,
      '--scheduling-strategy',
      'DAEMON',
    );
    const daemonOn = async (want: number[]): Promise<Task[] | undefined> => {
      const out = await t.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['agentd'] }));
      const s = out.services?.[0];
      if (s === undefined || !stable(s) || s.desiredCount !== want.length) return undefined;
      const tasks = (await tasksOf('agentd')).filter((task) => task.lastStatus === 'RUNNING');
      const hostsOf = tasks.map((task) => hostOf(task.containerInstanceArn)).sort();
      return JSON.stringify(hostsOf) === JSON.stringify(want) ? tasks : undefined;
    };
    await assertContainersRun(
      await waitFor('one daemon task on hosts 1, 2, 3', () => daemonOn([1, 2, 3]), 60_000, {
        intervalMs: 200,
      }),
    );

    await startAgent(4);
    const tasks = await waitFor('one daemon task on hosts 1..4', () => daemonOn([1, 2, 3, 4]), 60_000, {
      intervalMs: 200,
    });
    await assertContainersRun(tasks);
    // The replica service is untouched: still 4 tasks.
    const web = await describe_();
    assert.equal(web.runningCount, 4);
  });
});

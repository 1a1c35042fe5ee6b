/**
 * Replacing the tasks of a host cut off from the control plane (issue 6, with `--replace-disconnected-after`
 * on), end to end on two test hosts (test/rigs/hosts.ts) with the real `berth agent` on each, driven by the AWS CLI:
 *
 * - a REPLICA service of 2, spread over the two hosts (one task each), reaches a steady state;
 * - host 1's link goes down for PARTITION_MS: no replacement starts before REPLACE_AFTER_MS has passed, then
 *   exactly one does, on host 2;
 * - sampled every second through the whole test, the tasks that really run never fall below the desired
 *   count: those the control plane knows RUNNING on host 2, plus those whose container runs on host 1 (asked
 *   of host 1's own Docker engine, which the partition does not cut the test off from);
 * - healed, host 1 comes back with its task, and the surplus is settled by the documented rule (README,
 *   `--replace-disconnected-after`: "When the host comes back, the newest surplus tasks are stopped"): the
 *   replacement is stopped, the long-running task on host 1 stays (its container never restarted), and the
 *   service is back to exactly 2 running tasks and `aws ecs wait services-stable`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeTasksCommand, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { TASK_ARN_LABEL } from '../../src/agent/engine/labels.js';
import { busyboxImage } from '../rigs/images.js';
import { dockerMs, PartitionRig, sleepUntil, type CliService } from '../rigs/partition-rig.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const PREFIX = 'prepl';
const CLUSTER = 'partition-replace';
const SERVICE = 'web';
const DESIRED = 2;
/** The control plane's --replace-disconnected-after. */
const REPLACE_AFTER_MS = 20_000;
/** How long host 1 stays cut off: the replacement has time to start and run before the host returns. */
const PARTITION_MS = 75_000;
const SESSION_TIMEOUT_MS = 2_000;
/** How late the replacement may start: the service controller runs every 500 ms here; the rest is load. */
const REPLACE_SLACK_MS = 15_000;
const IMAGE = busyboxImage({ repository: 'berth-partition-e2e/busybox' });
/** Stops at once on SIGTERM, so that stopping the surplus does not wait for a stop timeout. */
const COMMAND = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'];

interface Sample {
  readonly at: number;
  /** Tasks the control plane knows as RUNNING on host 2. */
  readonly elsewhere: readonly string[];
  /** Tasks whose container runs on host 1, as host 1's engine says. */
  readonly onHost1: readonly string[];
  /** Every task of the service the control plane has, with its status, for failure messages. */
  readonly view: string;
}

void describe('a partitioned host’s service task replaced, and the surplus stopped when it returns', () => {
  let rig: PartitionRig;
  let taskDefinition = '';
  /** The service's first tasks, by host. */
  const original = new Map<number, string>();
  let host1StartedAt = '';
  let host1ContainerId = '';
  let partitionedAt = 0;
  let healedAt = 0;
  let replacement: Task | undefined;
  const samples: Sample[] = [];
  let sampleErrors = 0;
  let sampling = false;
  let sampler: Promise<void> | undefined;

  /** Every task of the service the control plane knows (desired RUNNING or STOPPED), through the SDK. */
  async function serviceTasks(): Promise<Task[]> {
    const arns: string[] = [];
    for (const desiredStatus of ['RUNNING', 'STOPPED'] as const) {
      const out = await rig.t.ecs.send(
        new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredStatus, maxResults: 100 }),
      );
      arns.push(...(out.taskArns ?? []));
    }
    if (arns.length === 0) return [];
    const out = await rig.t.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }));
    return out.tasks ?? [];
  }

  async function sample(): Promise<Sample> {
    const [tasks, running] = await Promise.all([
      serviceTasks(),
      rig.host(1).docker.listContainers({ filters: { label: [TASK_ARN_LABEL], status: ['running'] } }),
    ]);
    const host1 = rig.instanceArn(1);
    return {
      at: Date.now(),
      elsewhere: tasks
        .filter((t) => t.lastStatus === 'RUNNING' && t.containerInstanceArn !== host1)
        .map((t) => t.taskArn ?? ''),
      onHost1: [...new Set(running.map((c) => c.Labels[TASK_ARN_LABEL] ?? ''))],
      view: JSON.stringify(
        tasks.map((t) => [
          t.taskArn?.split('/').pop(),
          rig.hostOf(t.containerInstanceArn),
          t.lastStatus,
          t.desiredStatus,
          t.connectivity,
        ]),
      ),
    };
  }

  function startSampling(): void {
    sampling = true;
    sampler = (async () => {
      while (sampling) {
        const next = Date.now() + 1_000;
        try {
          samples.push(await sample());
        } catch {
          sampleErrors += 1;
        }
        await sleepUntil(next);
      }
    })();
  }

  async function stopSampling(): Promise<void> {
    sampling = false;
    await sampler;
  }

  /** The running count of a sample: what the control plane knows runs elsewhere plus what runs on host 1. */
  const live = (s: Sample): number => s.elsewhere.length + s.onHost1.length;

  const stable = (s: CliService): boolean =>
    s.deployments.length === 1 && s.runningCount === s.desiredCount && s.pendingCount === 0;

  before(async () => {
    IMAGE.build();
    rig = await PartitionRig.start({
      prefix: PREFIX,
      cluster: CLUSTER,
      hosts: 2,
      server: {
        heartbeatInterval: '500ms',
        sessionTimeout: `${SESSION_TIMEOUT_MS}ms`,
        replaceDisconnectedAfter: `${REPLACE_AFTER_MS / 1000}s`,
        payloadResendIntervalMs: 500,
        services: { intervalMs: 500, healthyAfterRunningMs: 2_000 },
      },
    });
    console.log(`# partition-replace e2e: 2 hosts up in ${rig.hosts.setupMs} ms`);
    await Promise.all([rig.startAgent(1), rig.startAgent(2)]);
    taskDefinition = await rig.cli.registerTaskDefinition({
      family: 'partition-replace',
      requiresCompatibilities: ['EXTERNAL'],
      containerDefinitions: [
        {
          name: 'app',
          image: rig.hosts.image(IMAGE.ref),
          memory: 32,
          essential: true,
          command: COMMAND,
          stopTimeout: 2,
        },
      ],
    });
  });

  after(async () => {
    await stopSampling();
    await rig?.cleanup();
  });

  void it('runs a REPLICA service of 2, one task on each host, to a steady state', async () => {
    await rig.cli.ecs(
      'create-service',
      '--service-name',
      SERVICE,
      '--task-definition',
      taskDefinition,
      '--desired-count',
      String(DESIRED),
      '--placement-strategy',
      'type=spread,field=instanceId',
    );
    let last: CliService | undefined;
    await waitFor(
      'the service stable with 2 running tasks',
      async () => {
        last = await rig.describeService(SERVICE);
        return stable(last) && last.runningCount === DESIRED;
      },
      90_000,
      { detail: () => JSON.stringify(last) },
    );
    const tasks = await rig.cli.describeTasks(await rig.serviceTaskArns(SERVICE));
    assert.equal(tasks.length, DESIRED);
    for (const task of tasks) {
      assert.equal(task.lastStatus, 'RUNNING');
      original.set(rig.hostOf(task.containerInstanceArn), task.taskArn);
    }
    assert.deepEqual([...original.keys()].sort(), [1, 2], 'spread: one task on each host');
    const onHost1 = await rig.containersOfTask(1, original.get(1)!);
    assert.equal(onHost1.length, 1, 'one container for host 1’s task');
    host1ContainerId = onHost1[0]!.Id;
    const info = await rig.inspect(1, host1ContainerId);
    assert.equal(info.State.Running, true);
    host1StartedAt = info.State.StartedAt;
  });

  void it('replaces host 1’s task on host 2 only after the setting’s time, never running fewer than 2', async () => {
    assert.equal(original.size, DESIRED, 'the service ran on both hosts');
    startSampling();
    // A few samples of the steady state first.
    await waitFor('samples before the partition', () => samples.length >= 3, 15_000);

    await rig.host(1).partition();
    partitionedAt = Date.now();
    const healAt = partitionedAt + PARTITION_MS;
    try {
      const away = await rig.waitAgentConnected(1, false, SESSION_TIMEOUT_MS + 15_000);
      // When the control plane lost host 1's session, as it tells in the instance's statusReason.
      const reason = /^Agent disconnected since (\S+)$/.exec(away.statusReason ?? '');
      assert.ok(reason, `host 1's statusReason says since when: ${away.statusReason}`);
      const since = Date.parse(reason[1]!);
      assert.ok(since >= partitionedAt - 1_000, `disconnected since ${reason[1]}, not before the partition`);
      console.log(`# partition-replace e2e: host 1 disconnected ${since - partitionedAt} ms in`);

      const known = new Set(original.values());
      replacement = await waitFor(
        'a replacement task',
        async () => (await serviceTasks()).find((t) => !known.has(t.taskArn ?? '')),
        REPLACE_AFTER_MS + SESSION_TIMEOUT_MS + 30_000,
        { detail: () => `tasks: ${samples.at(-1)?.view ?? 'none sampled'}` },
      );
      const createdAt = replacement.createdAt?.getTime() ?? 0;
      console.log(`# partition-replace e2e: replacement created ${createdAt - partitionedAt} ms in`);
      assert.ok(
        createdAt >= since + REPLACE_AFTER_MS,
        `the replacement was created ${createdAt - since} ms after host 1 was disconnected, before the ` +
          `${REPLACE_AFTER_MS} ms of --replace-disconnected-after`,
      );
      assert.ok(
        createdAt <= since + REPLACE_AFTER_MS + REPLACE_SLACK_MS,
        `the replacement was created ${createdAt - since - REPLACE_AFTER_MS} ms after it was due`,
      );
      assert.equal(rig.hostOf(replacement.containerInstanceArn), 2, 'the replacement is placed on host 2');
      assert.equal(replacement.group, `service:${SERVICE}`);
      const replacementArn = replacement.taskArn ?? '';
      await waitFor(
        'the replacement RUNNING',
        async () => (await rig.cli.describeTask(replacementArn)).lastStatus === 'RUNNING',
        60_000,
      );
      const [inDocker] = await rig.containersOfTask(2, replacementArn);
      assert.equal(inDocker?.State, 'running', 'the replacement’s container runs on host 2');

      // Host 1's task is still the control plane's (not stopped, only not counted) and still runs there.
      const host1Task = await rig.cli.describeTask(original.get(1)!);
      assert.equal(host1Task.desiredStatus, 'RUNNING', 'the disconnected host’s task is not stopped');
      assert.equal((await rig.inspect(1, host1ContainerId)).State.Running, true);

      await sleepUntil(healAt);
      const during = (await serviceTasks()).filter((t) => !known.has(t.taskArn ?? ''));
      assert.deepEqual(
        during.map((t) => t.taskArn),
        [replacementArn],
        'exactly one replacement started during the partition',
      );
    } finally {
      await rig.host(1).heal();
      healedAt = Date.now();
    }
  });

  void it('when host 1 returns, stops the newest surplus task and is back to 2 running and stable', async () => {
    assert.ok(replacement?.taskArn !== undefined, 'a replacement was started');
    const replacementArn = replacement.taskArn;
    await rig.waitAgentConnected(1, true, 180_000);
    console.log(`# partition-replace e2e: host 1 reconnected ${Date.now() - healedAt} ms after the heal`);

    let last: CliService | undefined;
    await waitFor(
      'the replacement STOPPED and the service stable at 2',
      async () => {
        const [task] = await rig.cli.describeTasks([replacementArn]);
        last = await rig.describeService(SERVICE);
        return task?.lastStatus === 'STOPPED' && stable(last) && last.runningCount === DESIRED;
      },
      120_000,
      { detail: () => `service ${JSON.stringify(last)}; tasks ${samples.at(-1)?.view ?? ''}` },
    );
    const wait = await rig.t.aws([
      'ecs',
      'wait',
      'services-stable',
      '--cluster',
      CLUSTER,
      '--services',
      SERVICE,
    ]);
    assert.equal(wait.code, 0, wait.stderr);

    // The newest surplus task went: the replacement; the two original tasks stay.
    const stopped = await rig.cli.describeTask(replacementArn);
    assert.equal(stopped.desiredStatus, 'STOPPED');
    assert.equal(stopped.stopCode, 'ServiceSchedulerInitiated');
    const running = await rig.cli.describeTasks(await rig.serviceTaskArns(SERVICE));
    assert.deepEqual(
      running.map((t) => t.taskArn).sort(),
      [...original.values()].sort(),
      'the long-running tasks stay, the replacement is stopped',
    );
    for (const task of running) {
      assert.equal(task.lastStatus, 'RUNNING');
      assert.equal(task.connectivity, 'CONNECTED');
    }
    const [replacementContainer] = await rig.containersOfTask(2, replacementArn);
    assert.notEqual(replacementContainer?.State, 'running', 'the replacement’s container stopped');
    const info = await rig.inspect(1, host1ContainerId);
    assert.equal(info.State.Running, true, 'host 1’s container still runs');
    assert.equal(info.State.StartedAt, host1StartedAt, 'host 1’s container was never restarted');
    assert.equal((await rig.containersOfTask(1, original.get(1)!)).length, 1, 'and never duplicated');

    await stopSampling();
    const seconds = (Date.now() - (samples[0]?.at ?? Date.now())) / 1000;
    const lowest = samples.reduce((min, s) => Math.min(min, live(s)), Infinity);
    console.log(
      `# partition-replace e2e: ${samples.length} samples over ${Math.round(seconds)} s ` +
        `(${sampleErrors} failed), running tasks between ${lowest} and ` +
        `${samples.reduce((max, s) => Math.max(max, live(s)), 0)}`,
    );
    assert.ok(
      samples.length >= seconds / 2,
      `sampled about every second: ${samples.length} samples over ${seconds} s`,
    );
    assert.ok(
      samples.some((s) => s.at > partitionedAt && s.at < healedAt),
      'samples were taken during the partition',
    );
    const low = samples.find((s) => live(s) < DESIRED);
    assert.equal(
      low,
      undefined,
      `fewer than ${DESIRED} tasks running at ${low === undefined ? '' : low.at - partitionedAt} ms after ` +
        `the partition: ${JSON.stringify(low)}`,
    );
    assert.ok(
      dockerMs(info.State.StartedAt) < partitionedAt,
      'the task that ran through the partition started before it',
    );
  });
});

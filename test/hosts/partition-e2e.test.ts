/**
 * Keep working while disconnected (issue 6), end to end, with `--replace-disconnected-after` off as in ECS.
 * Three test hosts (test/rigs/hosts.ts: a network namespace and a dockerd each, the real `berth agent` inside),
 * driven by the AWS CLI. Hosts 1 and 2 are cut off together for PARTITION_MS; host 3 stays connected (the
 * service could replace tasks there, and must not). Host 1's agent runs through the partition; host 2's is
 * killed with SIGKILL during it and started again while the host is still cut off.
 *
 * Before the partition each cut-off host runs a service task and three standalone tasks, timed so that during
 * the partition:
 *   (a) `stopme` is stopped with `aws ecs stop-task`, which the control plane accepts while the host is away;
 *   (b) `exiter`'s container exits by itself with code 3 (host 2's while its agent is dead);
 *   (c) `crasher`'s container, with a restart policy, exits with code 2 and is restarted in place by the agent.
 *
 * Asserted: during the partition the control plane shows both hosts disconnected (agentConnected false, the
 * instance's statusReason and the cluster's statistics saying since when, their tasks' connectivity
 * DISCONNECTED with connectivityAt) and the hosts carry on alone (nothing restarted but the restart-policy
 * container). After the heal: the agents reconnect with credentials renewed from the host's key (the old ones
 * expired during the partition); the stopped task is stopped on its host and STOPPED; the exited container is
 * reported with its exit code and the task with the time it really stopped (Docker's FinishedAt), not the
 * heal's; the restart is reported (the restart count shows in describe-tasks) and the task is still the same
 * RUNNING one; the control plane's record of state changes equals each host's journal, seq by seq; and no
 * container was ever started twice or restarted by anyone but its restart policy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Dockerode from 'dockerode';
import { readStateChangeJournal, type JournalEntry } from '../../src/agent/tasks/journal.js';
import { TASK_ARN_LABEL } from '../../src/agent/engine/labels.js';
import type { StateChangeRecord } from '../../src/control-plane/store/types.js';
import { container, ms, type CliInstance, type CliTask } from '../rigs/cluster-cli.js';
import { busyboxImage } from '../rigs/images.js';
import {
  dockerMs,
  PartitionRig,
  sleepUntil,
  type CliCluster,
  type CliService,
} from '../rigs/partition-rig.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const PREFIX = 'parte2e';
const CLUSTER = 'partition-e2e';
const SERVICE = 'web';
/** How long hosts 1 and 2 are cut off. */
const PARTITION_MS = 180_000;
/** From starting the timed tasks to the partition: time for them to start on a loaded machine. */
const LEAD_MS = 25_000;
const SESSION_TIMEOUT_MS = 3_000;
/** Instance credentials live 60 s: those held when the link drops expire long before it returns. */
const CREDENTIAL_LIFETIME = '60s';
/** ECS's minimum: the crashing container must have run this long for its restart policy to restart it. */
const RESTART_ATTEMPT_PERIOD_S = 60;
/** Milliseconds after the partition began: when each host's `exiter` exits and `crasher` crashes. */
const TIMELINE = new Map([
  [1, { exitAt: 60_000, crashAt: 90_000 }],
  [2, { exitAt: 35_000, crashAt: 95_000 }],
]);
/** Host 2's agent: killed with SIGKILL, and started again, this long after the partition began. */
const AGENT_KILLED_AT = 20_000;
const AGENT_RESTARTED_AT = 50_000;
/** After the heal, how long an agent may take to be back: its reconnect backoff is at most 2 min + 20%. */
const RECONNECT_TIMEOUT_MS = 150_000;
/** How far the task's stop time may be from Docker's FinishedAt (the agent reports milliseconds). */
const STOP_TIME_TOLERANCE_MS = 1_000;
const STOP_REASON = 'Stopped while the host was cut off';
const CUT_OFF = [1, 2] as const;

const IMAGE = busyboxImage({ repository: 'berth-partition-e2e/busybox' });
/** Runs until SIGTERM, then exits 0 at once. */
const FOREVER = 'trap "exit 0" TERM; while :; do sleep 1; done';
/** Exits with code 3 at $EXIT_AT (epoch seconds). */
const EXITER = 'trap "exit 0" TERM; while [ "$(date +%s)" -lt "$EXIT_AT" ]; do sleep 1; done; exit 3';
/**
 * Exits with code 2 at $CRASH_AT, once: the restarted container (same filesystem, restarted in place) finds
 * its marker and runs until stopped.
 */
const CRASHER =
  'trap "exit 0" TERM; if [ -e /tmp/crashed ]; then while :; do sleep 1; done; fi; touch /tmp/crashed; ' +
  'while [ "$(date +%s)" -lt "$CRASH_AT" ]; do sleep 1; done; exit 2';

interface HostTasks {
  readonly service: string;
  readonly stopme: string;
  readonly exiter: string;
  readonly crasher: string;
}

/** What a container was before the partition. */
interface Before {
  readonly id: string;
  readonly taskArn: string;
  readonly name: string;
  readonly startedAt: string;
}

/** The facts both sides of the comparison keep: the journal's on the host, the record's at the control plane. */
interface ComparableChange {
  readonly seq: number;
  readonly taskArn: string;
  readonly status: string | undefined;
  readonly reason: string | undefined;
  readonly containers: readonly {
    name: string;
    status: string | undefined;
    exitCode: number | undefined;
    restartCount: number | undefined;
  }[];
}

function fromJournal(e: JournalEntry): ComparableChange {
  return {
    seq: e.seq,
    taskArn: e.taskArn,
    status: e.status,
    reason: e.reason,
    containers: [...e.containers]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => ({ name: c.name, status: c.status, exitCode: c.exitCode, restartCount: c.restartCount })),
  };
}

function fromRecord(r: StateChangeRecord): ComparableChange {
  return {
    seq: r.seq,
    taskArn: r.taskArn,
    status: r.status,
    reason: r.reason,
    containers: [...r.containers]
      .sort((a, b) => a.containerName.localeCompare(b.containerName))
      .map((c) => ({
        name: c.containerName,
        status: c.status,
        exitCode: c.exitCode,
        restartCount: c.restartCount,
      })),
  };
}

void describe('hosts cut off for minutes keep working, and settle with the control plane when back', () => {
  let rig: PartitionRig;
  const definitions = new Map<string, string>();
  const tasksOn = new Map<number, HostTasks>();
  let serviceTasks: string[] = [];
  /** Task containers of hosts 1 and 2 by Docker id, as they were just before the partition. */
  const before_ = new Map<number, Map<string, Before>>();
  let plannedPartitionAt = 0;
  let partitionedAt = 0;
  let healedAt = 0;
  /** Host 1's agent process, which must live through the partition. */
  let host1Agent: ReturnType<PartitionRig['agent']> | undefined;

  const tasks = (n: number): HostTasks => {
    const t = tasksOn.get(n);
    assert.ok(t, `host ${n}'s tasks were started`);
    return t;
  };
  const arnsOn = (n: number): string[] => {
    const t = tasks(n);
    return [t.service, t.stopme, t.exiter, t.crasher];
  };
  const at = (offset: number): number => partitionedAt + offset;
  const epochSeconds = (ms_: number): string => String(Math.ceil(ms_ / 1000));
  const timeline = (n: number) => {
    const t = TIMELINE.get(n);
    assert.ok(t);
    return t;
  };

  /** The one container of a task on host n, by its task ARN label. */
  async function containerOf(n: number, taskArn: string): Promise<Dockerode.ContainerInspectInfo> {
    const found = await rig.containersOfTask(n, taskArn);
    assert.equal(found.length, 1, `one container of ${taskArn} on host ${n}: ${JSON.stringify(found)}`);
    return rig.inspect(n, found[0]!.Id);
  }

  /** The task once the control plane has it STOPPED (its host may take a while to report after the heal). */
  async function waitStopped(n: number, arn: string, name: string): Promise<CliTask> {
    let task: CliTask | undefined;
    return waitFor(
      `host ${n}'s ${name} STOPPED`,
      async () => {
        task = await rig.cli.describeTask(arn);
        return task.lastStatus === 'STOPPED' ? task : undefined;
      },
      60_000,
      { detail: () => `task ${JSON.stringify(task)}; host ${n}'s agent log:\n${rig.agentLog(n)}` },
    );
  }

  function beforeOf(n: number, taskArn: string): Before {
    const found = [...(before_.get(n)?.values() ?? [])].find((b) => b.taskArn === taskArn);
    assert.ok(found, `host ${n} had a container of ${taskArn} before the partition`);
    return found;
  }

  /** The control plane's record of an instance's state changes, in seq order (no API lists it). */
  async function recorded(instanceArn: string): Promise<StateChangeRecord[]> {
    const out: StateChangeRecord[] = [];
    let after_: string | undefined;
    do {
      const page = await rig.t.server.store.stateChanges.listByContainerInstance(instanceArn, {
        limit: 100,
        ...(after_ !== undefined && { after: after_ }),
      });
      out.push(...page.items);
      after_ = page.nextKey;
    } while (after_ !== undefined);
    return out;
  }

  async function clusterStatistics(): Promise<Map<string, string>> {
    const out = await rig.t.awsJson<{ clusters: CliCluster[] }>([
      'ecs',
      'describe-clusters',
      '--clusters',
      CLUSTER,
      '--include',
      'STATISTICS',
    ]);
    return new Map((out.clusters[0]?.statistics ?? []).map((s) => [s.name, s.value]));
  }

  before(async () => {
    IMAGE.build();
    rig = await PartitionRig.start({
      prefix: PREFIX,
      cluster: CLUSTER,
      hosts: 3,
      server: {
        heartbeatInterval: '1s',
        sessionTimeout: `${SESSION_TIMEOUT_MS}ms`,
        credentialLifetime: CREDENTIAL_LIFETIME,
        payloadResendIntervalMs: 1_000,
        services: { intervalMs: 1_000, healthyAfterRunningMs: 2_000 },
      },
    });
    console.log(`# partition e2e: 3 hosts up in ${rig.hosts.setupMs} ms`);
    await Promise.all([1, 2, 3].map((n) => rig.startAgent(n)));
    host1Agent = rig.agent(1);
    const image = rig.hosts.image(IMAGE.ref);
    const define = async (family: string, command: string, extra: Record<string, unknown> = {}) => {
      definitions.set(
        family,
        await rig.cli.registerTaskDefinition({
          family,
          requiresCompatibilities: ['EXTERNAL'],
          containerDefinitions: [
            {
              name: 'app',
              image,
              memory: 32,
              essential: true,
              command: ['sh', '-c', command],
              stopTimeout: 2,
              ...extra,
            },
          ],
        }),
      );
    };
    await define('partition-svc', FOREVER);
    await define('partition-stopme', FOREVER);
    await define('partition-exiter', EXITER);
    await define('partition-crasher', CRASHER, {
      restartPolicy: { enabled: true, restartAttemptPeriod: RESTART_ATTEMPT_PERIOD_S },
    });
  });

  after(async () => {
    await rig?.cleanup();
  });

  void it('runs a service task and three standalone tasks on each host before the partition', async () => {
    await rig.cli.ecs(
      'create-service',
      '--service-name',
      SERVICE,
      '--task-definition',
      definitions.get('partition-svc')!,
      '--desired-count',
      '3',
      '--placement-strategy',
      'type=spread,field=instanceId',
    );
    let service: CliService | undefined;
    await waitFor(
      'the service RUNNING on the three hosts',
      async () => {
        service = await rig.describeService(SERVICE);
        return service.runningCount === 3 && service.pendingCount === 0;
      },
      90_000,
      { detail: () => JSON.stringify(service) },
    );
    serviceTasks = await rig.serviceTaskArns(SERVICE);
    const byHost = new Map<number, string>();
    for (const task of await rig.cli.describeTasks(serviceTasks)) {
      byHost.set(rig.hostOf(task.containerInstanceArn), task.taskArn);
    }
    assert.deepEqual([...byHost.keys()].sort(), [1, 2, 3], 'one service task on each host');

    const stopme = new Map<number, string>();
    for (const n of CUT_OFF)
      stopme.set(n, (await rig.startTask(n, definitions.get('partition-stopme')!)).taskArn);
    // The timed tasks last: the partition starts LEAD_MS after them, and their times are counted from it.
    plannedPartitionAt = Date.now() + LEAD_MS;
    for (const n of CUT_OFF) {
      const { exitAt, crashAt } = timeline(n);
      const exiter = await rig.startTask(n, definitions.get('partition-exiter')!, {
        containerOverrides: [
          {
            name: 'app',
            environment: [{ name: 'EXIT_AT', value: epochSeconds(plannedPartitionAt + exitAt) }],
          },
        ],
      });
      const crasher = await rig.startTask(n, definitions.get('partition-crasher')!, {
        containerOverrides: [
          {
            name: 'app',
            environment: [{ name: 'CRASH_AT', value: epochSeconds(plannedPartitionAt + crashAt) }],
          },
        ],
      });
      tasksOn.set(n, {
        service: byHost.get(n)!,
        stopme: stopme.get(n)!,
        exiter: exiter.taskArn,
        crasher: crasher.taskArn,
      });
    }
    const all = CUT_OFF.flatMap((n) => arnsOn(n));
    let last: CliTask[] = [];
    await waitFor(
      'every task RUNNING',
      async () => {
        last = await rig.cli.describeTasks(all);
        return last.every((t) => t.lastStatus === 'RUNNING');
      },
      Math.max(5_000, plannedPartitionAt - Date.now() - 3_000),
      { detail: () => JSON.stringify(last.map((t) => [t.taskArn, t.lastStatus, t.stoppedReason])) },
    );
    for (const n of CUT_OFF) {
      const snapshot = new Map<string, Before>();
      for (const [id, info] of await rig.taskContainers(n)) {
        assert.equal(info.State.Running, true, `container ${id} on host ${n} runs`);
        snapshot.set(id, {
          id,
          taskArn: info.Config.Labels[TASK_ARN_LABEL] ?? '',
          name: info.Config.Labels['com.amazonaws.ecs.container-name'] ?? '',
          startedAt: info.State.StartedAt,
        });
      }
      assert.deepEqual(
        [...new Set([...snapshot.values()].map((b) => b.taskArn))].sort(),
        arnsOn(n).sort(),
        `host ${n} runs one container per task, nothing else`,
      );
      assert.equal(snapshot.size, 4);
      before_.set(n, snapshot);
    }
    const left = plannedPartitionAt - Date.now();
    assert.ok(left > 0, `the tasks took ${-left} ms longer to start than the ${LEAD_MS} ms planned`);
  });

  void it('cut off for minutes: the control plane shows the hosts disconnected, the hosts carry on alone', async () => {
    assert.equal(tasksOn.size, 2, 'the tasks ran before the partition');
    await sleepUntil(plannedPartitionAt);
    await Promise.all(CUT_OFF.map((n) => rig.host(n).partition()));
    partitionedAt = Date.now();
    console.log(`# partition e2e: hosts 1 and 2 cut off (${partitionedAt - plannedPartitionAt} ms late)`);
    // Checks that fail are collected, so that one run shows everything that happened; the timeline goes on.
    const problems: string[] = [];
    const check = async (what: string, body: () => Promise<void>): Promise<void> => {
      try {
        await body();
      } catch (e) {
        problems.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    try {
      await check('the control plane sees both hosts disconnected, and says since when', async () => {
        const since = new Map<number, number>();
        for (const n of CUT_OFF) {
          const instance: CliInstance = await rig.waitAgentConnected(n, false, SESSION_TIMEOUT_MS + 20_000);
          const reason = /^Agent disconnected since (\S+)$/.exec(instance.statusReason ?? '');
          assert.ok(reason, `host ${n}'s statusReason: ${instance.statusReason}`);
          const t = Date.parse(reason[1]!);
          assert.ok(
            t >= partitionedAt - 1_000 && t <= Date.now(),
            `host ${n} disconnected since ${reason[1]}`,
          );
          since.set(n, t);
        }
        console.log(`# partition e2e: seen disconnected ${Date.now() - partitionedAt} ms in`);
        const stats = await clusterStatistics();
        assert.equal(stats.get('disconnectedContainerInstancesCount'), '2', JSON.stringify([...stats]));
        assert.equal(
          Date.parse(stats.get('disconnectedSince') ?? ''),
          Math.min(...since.values()),
          `disconnectedSince is the longest-disconnected host's: ${stats.get('disconnectedSince')}`,
        );
        for (const n of CUT_OFF) {
          for (const task of await rig.cli.describeTasks(arnsOn(n))) {
            assert.equal(task.connectivity, 'DISCONNECTED', `${task.taskArn} on host ${n}`);
            const t = ms(task.connectivityAt);
            assert.ok(
              t >= partitionedAt - 1_000 && t <= Date.now(),
              `${task.taskArn}'s connectivityAt ${String(task.connectivityAt)} is when host ${n} went away`,
            );
            assert.equal(task.lastStatus, 'RUNNING');
          }
        }
        const host3 = serviceTasks.filter((arn) => !CUT_OFF.some((n) => tasks(n).service === arn));
        for (const task of await rig.cli.describeTasks(host3)) assert.equal(task.connectivity, 'CONNECTED');
      });

      await check('stop-task is accepted while the hosts are away', async () => {
        for (const n of CUT_OFF) {
          const answer = await rig.cli.ecs<{ task: CliTask }>(
            'stop-task',
            '--task',
            tasks(n).stopme,
            '--reason',
            STOP_REASON,
          );
          assert.equal(answer.task.desiredStatus, 'STOPPED');
          assert.equal(answer.task.lastStatus, 'RUNNING', 'nobody can stop it until the host is back');
        }
      });

      await sleepUntil(at(AGENT_KILLED_AT));
      await rig.agent(2).stop('SIGKILL');
      console.log('# partition e2e: host 2’s agent killed with SIGKILL');

      await check('host 2’s exiter exits with 3 while its agent is down', async () => {
        const id = beforeOf(2, tasks(2).exiter).id;
        await waitFor(
          'host 2’s exiter to exit',
          async () => (await rig.inspect(2, id)).State.Status === 'exited',
          Math.max(1_000, at(AGENT_RESTARTED_AT) - Date.now() - 1_000),
        );
        assert.equal((await rig.inspect(2, id)).State.ExitCode, 3);
      });

      await sleepUntil(at(AGENT_RESTARTED_AT));
      await rig.startAgent(2);
      console.log('# partition e2e: host 2’s agent started again, still cut off');

      await check('host 1’s exiter exits with 3', async () => {
        const id = beforeOf(1, tasks(1).exiter).id;
        await waitFor(
          'host 1’s exiter to exit',
          async () => (await rig.inspect(1, id)).State.Status === 'exited',
          Math.max(1_000, at(timeline(1).exitAt + 15_000) - Date.now()),
        );
        assert.equal((await rig.inspect(1, id)).State.ExitCode, 3);
      });

      for (const n of CUT_OFF) {
        await check(`host ${n}’s crasher is restarted in place by its agent, offline`, async () => {
          const was = beforeOf(n, tasks(n).crasher);
          const crashAt = at(timeline(n).crashAt);
          let info: Dockerode.ContainerInspectInfo | undefined;
          await waitFor(
            `host ${n}’s crasher restarted after its crash`,
            async () => {
              info = await rig.inspect(n, was.id);
              return info.State.Running && dockerMs(info.State.StartedAt) >= crashAt - 1_000;
            },
            Math.max(1_000, crashAt + 25_000 - Date.now()),
            {
              detail: () =>
                `container state ${JSON.stringify(info?.State)}; host ${n}'s agent log:\n${rig.agentLog(n)}`,
            },
          );
          assert.equal(info?.State.Running, true);
        });
      }

      await sleepUntil(at(PARTITION_MS - 8_000));
      await check('the hosts are still disconnected, and nothing ran that should not have', async () => {
        for (const n of CUT_OFF) {
          assert.equal((await rig.describeInstance(n)).agentConnected, false, `host ${n} still away`);
          // Nobody could tell the host about the stop-task.
          assert.equal((await containerOf(n, tasks(n).stopme)).State.Running, true, `host ${n}'s stopme`);
          assert.equal(
            (await containerOf(n, tasks(n).service)).State.Running,
            true,
            `host ${n}'s service task`,
          );
          const now = await rig.taskContainers(n);
          assert.deepEqual(
            [...now.keys()].sort(),
            [...before_.get(n)!.keys()].sort(),
            `host ${n}: no new container`,
          );
          for (const [id, was] of before_.get(n)!) {
            if (was.taskArn === tasks(n).crasher) continue;
            assert.equal(
              now.get(id)?.State.StartedAt,
              was.startedAt,
              `host ${n}: ${was.taskArn} never restarted`,
            );
          }
        }
        assert.ok(host1Agent?.running === true, 'host 1’s agent ran through the partition');
        assert.ok(
          rig.agent(2).running,
          `host 2’s restarted agent keeps running offline; stderr: ${rig.agent(2).stderr}\n${rig.agentLog(2)}`,
        );
        assert.deepEqual(
          (await rig.serviceTaskArns(SERVICE, true)).sort(),
          [...serviceTasks].sort(),
          'with replacement off, the service started nothing in place of the hosts’ tasks',
        );
      });
      await sleepUntil(at(PARTITION_MS));
    } finally {
      await Promise.all(CUT_OFF.map((n) => rig.host(n).heal()));
      healedAt = Date.now();
      console.log(`# partition e2e: healed after ${healedAt - partitionedAt} ms`);
    }
    assert.deepEqual(problems, [], problems.join('\n\n'));
  });

  void it('after the heal the agents reconnect, with credentials renewed from the host’s key', async () => {
    assert.ok(healedAt > 0, 'the hosts were healed');
    for (const n of CUT_OFF) {
      const instance = await rig.waitAgentConnected(
        n,
        true,
        Math.max(5_000, healedAt + RECONNECT_TIMEOUT_MS - Date.now()),
      );
      console.log(`# partition e2e: host ${n} reconnected ${Date.now() - healedAt} ms after the heal`);
      assert.ok(
        !(instance.statusReason ?? '').startsWith('Agent disconnected'),
        `host ${n}'s statusReason: ${instance.statusReason}`,
      );
      const instanceId = instance.ec2InstanceId ?? '';
      assert.ok(instanceId.startsWith('mi-'), `host ${n} is managed instance ${instanceId}`);
      const keys = rig.instanceKeys(instanceId);
      const old = keys.filter((k) => k.createdAt < partitionedAt);
      assert.ok(old.length > 0, `host ${n} held credentials before the partition: ${JSON.stringify(keys)}`);
      for (const k of old) {
        assert.ok(
          k.expiresAt !== null && k.expiresAt < healedAt,
          `host ${n}'s credentials from before the partition expired during it: ${JSON.stringify(k)}`,
        );
      }
      assert.ok(
        keys.some((k) => k.createdAt >= healedAt),
        `host ${n} was issued new credentials after the heal: ${JSON.stringify(keys)}`,
      );
    }
    const stats = await clusterStatistics();
    assert.equal(stats.get('disconnectedContainerInstancesCount'), '0');
    assert.equal(stats.has('disconnectedSince'), false);
    for (const n of CUT_OFF) {
      const running = await rig.cli.describeTasks([tasks(n).service, tasks(n).crasher]);
      for (const task of running) {
        assert.equal(task.connectivity, 'CONNECTED', task.taskArn);
        assert.ok(ms(task.connectivityAt) >= healedAt, `${task.taskArn} connected again after the heal`);
      }
    }
  });

  void it('the task stopped during the partition is stopped on its host and STOPPED', async () => {
    for (const n of CUT_OFF) {
      const arn = tasks(n).stopme;
      const task = await waitStopped(n, arn, 'stopme');
      assert.equal(task.stopCode, 'UserInitiated');
      assert.equal(task.stoppedReason, STOP_REASON);
      const info = await containerOf(n, arn);
      assert.equal(info.State.Running, false, `host ${n}: its container no longer runs`);
      assert.equal(info.Id, beforeOf(n, arn).id);
      assert.equal(container(task, 'app').exitCode, info.State.ExitCode);
      assert.ok(dockerMs(info.State.FinishedAt) >= healedAt, 'it was stopped once the host heard of it');
    }
  });

  void it('the container that exited during the partition is reported with its exit code and real time', async () => {
    const wrong: string[] = [];
    for (const n of CUT_OFF) {
      const arn = tasks(n).exiter;
      const task = await waitStopped(n, arn, 'exiter');
      const info = await containerOf(n, arn);
      assert.equal(info.State.ExitCode, 3);
      assert.equal(container(task, 'app').exitCode, 3, `host ${n}: the real exit code`);
      assert.equal(container(task, 'app').runtimeId, info.Id);
      assert.equal(task.stopCode, 'EssentialContainerExited');
      const finished = dockerMs(info.State.FinishedAt);
      assert.ok(finished < healedAt, 'it exited during the partition');
      for (const field of ['executionStoppedAt', 'stoppedAt'] as const) {
        const reported = ms(task[field]);
        const off = reported - finished;
        console.log(`# partition e2e: host ${n}'s exiter: ${field} is ${off} ms from Docker's FinishedAt`);
        if (Math.abs(off) > STOP_TIME_TOLERANCE_MS) {
          wrong.push(
            `host ${n}: ${field} ${new Date(reported).toISOString()} is ${off} ms from the container's ` +
              `FinishedAt ${info.State.FinishedAt} (the heal was at ${new Date(healedAt).toISOString()})`,
          );
        }
      }
    }
    assert.deepEqual(wrong, [], `the tasks' stop times are the hosts':\n${wrong.join('\n')}`);
  });

  void it('the restart-policy container’s restart is reported, and its task is the same RUNNING one', async () => {
    for (const n of CUT_OFF) {
      const arn = tasks(n).crasher;
      const was = beforeOf(n, arn);
      let task: CliTask | undefined;
      await waitFor(
        `host ${n}'s crasher reported restarted`,
        async () => {
          task = await rig.cli.describeTask(arn);
          return /\brestarted 1 time\b/i.test(container(task, 'app').reason ?? '');
        },
        60_000,
        { detail: () => `task ${JSON.stringify(task)}; host ${n}'s agent log:\n${rig.agentLog(n)}` },
      );
      assert.ok(task);
      assert.equal(task.lastStatus, 'RUNNING');
      assert.equal(task.desiredStatus, 'RUNNING');
      assert.equal(container(task, 'app').lastStatus, 'RUNNING');
      assert.equal(container(task, 'app').runtimeId, was.id, 'the same container, restarted in place');
      const info = await rig.inspect(n, was.id);
      assert.equal(info.State.Running, true);
      assert.ok(dockerMs(info.State.StartedAt) > dockerMs(was.startedAt), 'Docker saw it start again');
    }
  });

  void it('the control plane recorded exactly the state changes in each host’s journal', async () => {
    for (const n of [1, 2, 3]) {
      const instanceArn = rig.instanceArn(n);
      let journal: ComparableChange[] = [];
      let record: ComparableChange[] = [];
      const same = async (): Promise<boolean> => {
        journal = (await readStateChangeJournal(rig.dataDir(n))).map(fromJournal);
        record = (await recorded(instanceArn)).map(fromRecord);
        return JSON.stringify(journal) === JSON.stringify(record);
      };
      // The last reports may still be on their way.
      await waitFor(`host ${n}'s journal and the control plane's record to agree`, same, 60_000).catch(
        () => undefined,
      );
      assert.deepEqual(record, journal, `host ${n}: the control plane's record equals the host's journal`);
      const seqs = journal.map((e) => e.seq);
      assert.deepEqual(
        seqs,
        [...new Set(seqs)].sort((a, b) => a - b),
        `host ${n}: seq numbers unique and in order`,
      );
      if (n === 3) continue;
      // Not a vacuous agreement: the journal holds what happened during the partition.
      const stopped = (arn: string) => journal.find((e) => e.taskArn === arn && e.status === 'STOPPED');
      assert.equal(
        stopped(tasks(n).exiter)?.containers[0]?.exitCode,
        3,
        `host ${n}: the exit in the journal`,
      );
      assert.ok(stopped(tasks(n).stopme), `host ${n}: the stop in the journal`);
      assert.ok(
        journal.some((e) => e.taskArn === tasks(n).crasher && e.containers[0]?.restartCount === 1),
        `host ${n}: the restart in the journal`,
      );
      // Times as the host saw them (the record keeps the host's time as sent).
      const hostTimes = (await readStateChangeJournal(rig.dataDir(n))).map((e) => Date.parse(e.at));
      const recordTimes = (await recorded(instanceArn)).map((r) => r.at.getTime());
      assert.equal(recordTimes.length, hostTimes.length);
      recordTimes.forEach((t, i) =>
        assert.ok(Math.abs(t - hostTimes[i]!) <= 1, `host ${n}: seq ${seqs[i]} recorded at the host's time`),
      );
    }
  });

  void it('no container was started twice, or restarted by anyone but its restart policy', async () => {
    for (const n of CUT_OFF) {
      const now = await rig.taskContainers(n);
      const was = before_.get(n)!;
      assert.deepEqual([...now.keys()].sort(), [...was.keys()].sort(), `host ${n}: the same containers`);
      const perContainer = new Map<string, number>();
      for (const info of now.values()) {
        const key = `${info.Config.Labels[TASK_ARN_LABEL]} ${info.Config.Labels['com.amazonaws.ecs.container-name']}`;
        perContainer.set(key, (perContainer.get(key) ?? 0) + 1);
      }
      for (const [key, count] of perContainer) assert.equal(count, 1, `host ${n}: ${key} has one container`);
      for (const [id, b] of was) {
        if (b.taskArn === tasks(n).crasher) continue;
        assert.equal(now.get(id)?.State.StartedAt, b.startedAt, `host ${n}: ${b.taskArn} never restarted`);
      }
      const service = await containerOf(n, tasks(n).service);
      assert.equal(service.State.Running, true, `host ${n}: the service task still runs`);
    }
    assert.deepEqual(
      (await rig.serviceTaskArns(SERVICE, true)).sort(),
      [...serviceTasks].sort(),
      'the service kept its three tasks and started no other',
    );
    const service = await rig.describeService(SERVICE);
    assert.equal(service.runningCount, 3);
  });
});

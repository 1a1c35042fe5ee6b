/**
 * What the partition end-to-end suites share (issue 6, "keep working while disconnected"): test hosts
 * (test/rigs/hosts.ts: a network namespace and a dockerd each, the real `berth agent` inside), a control plane on
 * the hosts' gateway, one activation for all of them, and the AWS CLI calls and Docker looks a user would
 * make. Every wait is a poll with a deadline and a message saying what it waited for and what it last saw,
 * because these suites run for minutes next to the rest of the suite on a busy machine.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type Dockerode from 'dockerode';
import { TASK_ARN_LABEL } from '../../src/agent/engine/labels.js';
import type { AgentProcess, LogLine } from './agent-process.js';
import { ClusterCli, type CliInstance, type CliTask, type RunTaskOutput } from './cluster-cli.js';
import { startTestServer, type TestServer, type TestServerOptions } from './harness.js';
import { createTestHosts, type TestHost, type TestHosts } from './hosts.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

/** A cluster as `aws ecs describe-clusters --include STATISTICS` prints it. */
export interface CliCluster {
  readonly clusterArn: string;
  readonly statistics?: readonly { name: string; value: string }[];
}

/** A service as `aws ecs describe-services` prints it. */
export interface CliService {
  readonly serviceArn: string;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
  readonly deployments: readonly { id: string; status: string; rolloutState?: string }[];
  readonly events?: readonly { message: string; createdAt: number | string }[];
}

/** Sleeps until the given epoch ms (at once if it has passed). */
export async function sleepUntil(at: number): Promise<void> {
  const left = at - Date.now();
  if (left > 0) await sleep(left);
}

/** Docker's times have nanoseconds; milliseconds are what Date.parse reads reliably. */
export function dockerMs(time: string): number {
  const parsed = Date.parse(time.replace(/(\.\d{3})\d+/, '$1'));
  assert.ok(Number.isFinite(parsed) && parsed > 0, `a Docker time: ${time}`);
  return parsed;
}

export interface PartitionRigOptions {
  readonly prefix: string;
  readonly cluster: string;
  readonly hosts: number;
  readonly server: Omit<TestServerOptions, 'listen'>;
}

export class PartitionRig {
  /** Every agent started, by host index (1-based); the last one is the current one. */
  readonly agents = new Map<number, AgentProcess[]>();
  /** Container instance ARN by host index. */
  readonly instanceOf = new Map<number, string>();
  /** The AWS CLI calls against the rig's cluster. */
  readonly cli: ClusterCli;

  private constructor(
    readonly hosts: TestHosts,
    readonly t: TestServer,
    readonly root: string,
    readonly cluster: string,
    readonly activation: { ActivationId: string; ActivationCode: string },
  ) {
    this.cli = new ClusterCli(t, cluster);
  }

  /** Hosts, server, cluster and activation; no agent yet. */
  static async start(o: PartitionRigOptions): Promise<PartitionRig> {
    const hosts = await createTestHosts({ count: o.hosts, prefix: o.prefix });
    let t: TestServer | undefined;
    try {
      t = await startTestServer({ ...o.server, listen: `${hosts.gateway}:0` });
      await t.awsJson(['ecs', 'create-cluster', '--cluster-name', o.cluster]);
      const activation = await t.awsJson<{ ActivationId: string; ActivationCode: string }>([
        'ssm',
        'create-activation',
        '--iam-role',
        'ecsAnywhereRole',
        '--registration-limit',
        String(o.hosts),
      ]);
      const root = mkdtempSync(join(tmpdir(), `berth-${o.prefix}-`));
      return new PartitionRig(hosts, t, root, o.cluster, activation);
    } catch (e) {
      await t?.stop().catch(() => undefined);
      await hosts.dispose().catch(() => undefined);
      throw e;
    }
  }

  host(n: number): TestHost {
    const h = this.hosts.hosts[n - 1];
    assert.ok(h, `host ${n}`);
    return h;
  }

  /** The agent's data directory on host n (the test reads its journal there). */
  dataDir(n: number): string {
    return join(this.root, `h${n}`);
  }

  instanceArn(n: number): string {
    const arn = this.instanceOf.get(n);
    assert.ok(arn, `host ${n} has a container instance`);
    return arn;
  }

  hostOf(instanceArn: string | undefined): number {
    for (const [n, arn] of this.instanceOf) if (arn === instanceArn) return n;
    assert.fail(`unknown container instance ${instanceArn}`);
  }

  agent(n: number): AgentProcess {
    const agent = this.agents.get(n)?.at(-1);
    assert.ok(agent, `an agent was started on host ${n}`);
    return agent;
  }

  /**
   * Starts `berth agent` on host n: with the activation the first time (then waits until it registered its
   * container instance and is connected), from its saved identity after that (then returns at once: a host
   * that is cut off cannot register, and what it should do offline is the test's to check).
   */
  async startAgent(n: number): Promise<AgentProcess> {
    const started = this.agents.get(n) ?? [];
    const first = started.length === 0;
    const config = join(this.root, `agent-${n}.json`);
    writeFileSync(config, '{}');
    const agent = this.host(n).startAgent([
      '--endpoint',
      this.t.url,
      '--cluster',
      this.cluster,
      '--data-dir',
      this.dataDir(n),
      '--config',
      config,
      ...(first
        ? [
            '--activation-id',
            this.activation.ActivationId,
            '--activation-code',
            this.activation.ActivationCode,
          ]
        : []),
    ]);
    this.agents.set(n, [...started, agent]);
    if (first) {
      const line = await agent.waitForLog(
        `host ${n}'s container instance`,
        (l) => l.msg === 'container instance registered',
        90_000,
      );
      this.instanceOf.set(n, line.containerInstanceArn as string);
      await this.waitAgentConnected(n, true, 60_000);
    }
    return agent;
  }

  /** The agent's log lines so far (all its runs on host n), for failure messages. */
  agentLog(n: number, match: (l: LogLine) => boolean = () => true, last = 20): string {
    const lines = (this.agents.get(n) ?? []).flatMap((a, run) =>
      a.logs.filter(match).map((l) => `[run ${run + 1}] ${JSON.stringify(l)}`),
    );
    return lines.slice(-last).join('\n');
  }

  /** `aws ecs start-task` on host n's container instance; returns the task. */
  async startTask(n: number, taskDefinition: string, overrides?: Record<string, unknown>): Promise<CliTask> {
    const out = await this.cli.ecs<RunTaskOutput>(
      'start-task',
      '--task-definition',
      taskDefinition,
      '--container-instances',
      this.instanceArn(n),
      ...(overrides === undefined ? [] : ['--overrides', JSON.stringify(overrides)]),
    );
    assert.deepEqual(out.failures, [], `start-task ${taskDefinition} on host ${n}`);
    const task = out.tasks[0];
    assert.ok(task, `start-task ${taskDefinition} on host ${n} returned a task`);
    return task;
  }

  async describeInstance(n: number): Promise<CliInstance> {
    const instance = await this.cli.describeInstance(this.instanceArn(n));
    assert.ok(instance, `host ${n}'s container instance described`);
    return instance;
  }

  async waitAgentConnected(n: number, connected: boolean, timeoutMs: number): Promise<CliInstance> {
    let last: CliInstance | undefined;
    return waitFor(
      `host ${n}: agentConnected ${connected}`,
      async () => {
        last = await this.describeInstance(n);
        return last.agentConnected === connected ? last : undefined;
      },
      timeoutMs,
      {
        detail: () =>
          `last seen: ${JSON.stringify(last)}; agent log:\n${this.agentLog(n)}\nagent stderr: ${
            this.agents.get(n)?.at(-1)?.stderr ?? ''
          }`,
      },
    );
  }

  /** The ARNs of the service's tasks, desired RUNNING, or desired STOPPED too with `all`. */
  async serviceTaskArns(service: string, all = false): Promise<string[]> {
    const arns: string[] = [];
    for (const desired of all ? ['RUNNING', 'STOPPED'] : ['RUNNING']) {
      const out = await this.cli.ecs<{ taskArns: string[] }>(
        'list-tasks',
        '--service-name',
        service,
        '--desired-status',
        desired,
      );
      arns.push(...out.taskArns);
    }
    return arns;
  }

  async describeService(service: string): Promise<CliService> {
    const out = await this.cli.ecs<{ services: CliService[] }>('describe-services', '--services', service);
    const s = out.services[0];
    assert.ok(s, `service ${service} described`);
    return s;
  }

  /** Every container host n's engine has for a task, running or not (found by the task ARN label). */
  async containersOfTask(n: number, taskArn: string): Promise<Dockerode.ContainerInfo[]> {
    return this.host(n).docker.listContainers({
      all: true,
      filters: { label: [`${TASK_ARN_LABEL}=${taskArn}`] },
    });
  }

  /** Every container of host n's engine that belongs to a task, by Docker id, inspected. */
  async taskContainers(n: number): Promise<Map<string, Dockerode.ContainerInspectInfo>> {
    const docker = this.host(n).docker;
    const listed = await docker.listContainers({ all: true, filters: { label: [TASK_ARN_LABEL] } });
    const out = new Map<string, Dockerode.ContainerInspectInfo>();
    for (const c of listed) out.set(c.Id, await docker.getContainer(c.Id).inspect());
    return out;
  }

  async inspect(n: number, id: string): Promise<Dockerode.ContainerInspectInfo> {
    return this.host(n).docker.getContainer(id).inspect();
  }

  /**
   * The instance credentials the control plane issued to managed instance `instanceId` (`mi-…`) and still
   * keeps, read from its database (read-only; WAL lets a reader in beside the server). No API lists them: the
   * test reads them to see that a host renewed its credentials after the old ones expired.
   */
  instanceKeys(instanceId: string): { accessKeyId: string; createdAt: number; expiresAt: number | null }[] {
    const db = new Database(join(this.t.dataDir, 'berth.db'), { readonly: true, fileMustExist: true });
    try {
      return db
        .prepare(
          'SELECT access_key_id AS accessKeyId, created_at AS createdAt, expires_at AS expiresAt ' +
            'FROM access_keys WHERE instance_id = ? ORDER BY created_at',
        )
        .all(instanceId) as { accessKeyId: string; createdAt: number; expiresAt: number | null }[];
    } finally {
      db.close();
    }
  }

  /** Kills the agents, removes the hosts (their containers with them), the server and the data. */
  async cleanup(): Promise<void> {
    await Promise.all([...this.agents.values()].flat().map((a) => a.stop('SIGKILL')));
    await this.hosts.dispose();
    await this.t.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * What the tasks end-to-end suites share: a real control plane (short heartbeats and session timeout) and the
 * real `berth agent` as a child process on this host's Docker, registered through `aws ssm create-activation`
 * as an administrator would; the AWS CLI calls a user makes; and what that user would look at in Docker.
 *
 * Every container the agent makes carries its owner label (derived from its data directory), so cleanup finds
 * exactly this suite's containers and volumes, whatever else runs on the same dockerd.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Dockerode from 'dockerode';
import { ownerIdOf } from '../../src/agent/engine/agent-engine.js';
import { OWNER_LABEL, TASK_ARN_LABEL } from '../../src/agent/engine/labels.js';
import { AgentProcess } from './agent-process.js';
import { ClusterCli, type RunTaskOutput } from './cluster-cli.js';
import { startTestServer, type TestServer } from './harness.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

export const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });

export interface RigOptions {
  readonly cluster: string;
  /** Extra flags of `berth agent`, e.g. `--attributes color=red`. */
  readonly agentArgs?: readonly string[];
}

export class TasksRig {
  readonly agents: AgentProcess[] = [];
  instanceArn = '';
  /** The AWS CLI calls against the rig's cluster. */
  readonly cli: ClusterCli;
  #activation: { ActivationId: string; ActivationCode: string } | undefined;

  private constructor(
    readonly t: TestServer,
    readonly root: string,
    readonly cluster: string,
    readonly agentArgs: readonly string[],
  ) {
    this.cli = new ClusterCli(t, cluster);
  }

  /** The server, the cluster, an activation, and the agent registered with it and connected. */
  static async start(options: RigOptions): Promise<TasksRig> {
    const t = await startTestServer({
      heartbeatInterval: '300ms',
      sessionTimeout: '2s',
      payloadResendIntervalMs: 500,
    });
    const rig = new TasksRig(
      t,
      mkdtempSync(join(tmpdir(), 'berth-tasks-e2e-')),
      options.cluster,
      options.agentArgs ?? [],
    );
    writeFileSync(join(rig.root, 'agent.json'), '{}');
    await t.awsJson(['ecs', 'create-cluster', '--cluster-name', options.cluster]);
    rig.#activation = await t.awsJson(['ssm', 'create-activation', '--iam-role', 'ecsAnywhereRole']);
    await rig.startAgent();
    return rig;
  }

  get dataDir(): string {
    return join(this.root, 'host');
  }

  /** The agent's owner label value: what its containers carry. */
  get owner(): string {
    return ownerIdOf(this.dataDir);
  }

  get agent(): AgentProcess {
    const agent = this.agents.at(-1);
    assert.ok(agent, 'an agent was started');
    return agent;
  }

  /** Starts the agent (with the activation the first time, from its saved identity after) and waits until it is connected. */
  async startAgent(): Promise<AgentProcess> {
    const first = this.agents.length === 0;
    const activation = this.#activation;
    assert.ok(activation);
    const agent = new AgentProcess([
      '--endpoint',
      this.t.url,
      '--cluster',
      this.cluster,
      '--data-dir',
      this.dataDir,
      '--introspection-listen',
      '127.0.0.1:0',
      // An empty file of its own, so that a host's /etc/berth/agent.json cannot change the test.
      '--config',
      join(this.root, 'agent.json'),
      ...(first
        ? ['--activation-id', activation.ActivationId, '--activation-code', activation.ActivationCode]
        : []),
      ...this.agentArgs,
    ]);
    this.agents.push(agent);
    const line = await agent.waitForLog(
      'the container instance',
      (l) => l.msg === 'container instance registered',
      30_000,
    );
    this.instanceArn = line.containerInstanceArn as string;
    await this.waitForAgentConnected(true);
    return agent;
  }

  async agentConnected(): Promise<boolean> {
    return (await this.cli.describeInstance(this.instanceArn))?.agentConnected === true;
  }

  async waitForAgentConnected(connected: boolean): Promise<void> {
    await waitFor(
      `agentConnected ${connected}`,
      async () => (await this.agentConnected()) === connected,
      20_000,
      { intervalMs: 100 },
    );
  }

  runTask(taskDefinition: string, ...extra: string[]): Promise<RunTaskOutput> {
    return this.cli.ecs<RunTaskOutput>(
      'run-task',
      '--launch-type',
      'EXTERNAL',
      '--task-definition',
      taskDefinition,
      ...extra,
    );
  }

  /** `aws ecs wait tasks-running|tasks-stopped` as a user runs it; fails with what describe-tasks shows. */
  async wait(what: 'tasks-running' | 'tasks-stopped', arns: readonly string[]): Promise<void> {
    const r = await this.t.aws(['ecs', 'wait', what, '--cluster', this.cluster, '--tasks', ...arns]);
    if (r.code !== 0) {
      const tasks = await this.cli.describeTasks(arns).catch(() => []);
      assert.fail(
        `aws ecs wait ${what} failed (${r.code}): ${r.stderr}\n${JSON.stringify(tasks, null, 2)}\n` +
          `agent stderr: ${this.agents.at(-1)?.stderr ?? ''}`,
      );
    }
  }

  /** The containers of this agent in Docker (`docker ps [-a] --filter label=berth.agent-owner=...`). */
  async containers(all = true): Promise<Dockerode.ContainerInfo[]> {
    return docker.listContainers({ all, filters: { label: [`${OWNER_LABEL}=${this.owner}`] } });
  }

  /** The containers Docker has for one task, found by the task ARN label. */
  async containersOfTask(taskArn: string): Promise<Dockerode.ContainerInfo[]> {
    return docker.listContainers({ all: true, filters: { label: [`${TASK_ARN_LABEL}=${taskArn}`] } });
  }

  /** Kills the agents, removes every container and volume they made, the data directories and the server's. */
  async cleanup(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.stop('SIGKILL')));
    for (const c of await this.containers()) {
      await docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined);
    }
    const volumes = await docker.listVolumes({ filters: { label: [`${OWNER_LABEL}=${this.owner}`] } });
    for (const v of volumes.Volumes ?? []) {
      await docker
        .getVolume(v.Name)
        .remove()
        .catch(() => undefined);
    }
    await this.t.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

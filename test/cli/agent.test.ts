/**
 * `berth agent` end to end: the real control plane (short heartbeats, a three-second credential lifetime)
 * and the real agent as a child process, checked the way an administrator would — `aws ssm` and `aws ecs`
 * through the AWS CLI, the agent's introspection API, its exit codes and messages.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { memTotalMiB } from '../../src/agent/instance-facts.js';
import { BERTH_VERSION } from '../../src/util/version.js';
import { AgentProcess, runAgentToExit } from '../rigs/agent-process.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const CLUSTER = 'edge';
const SESSION_TIMEOUT_MS = 2_000;
const SERVER_OPTIONS = {
  heartbeatInterval: '300ms',
  sessionTimeout: `${SESSION_TIMEOUT_MS}ms`,
  credentialLifetime: '3s',
};
/** The bound promised for a dead agent: its socket closes at once, so well under the session timeout. */
const DEAD_AGENT_BOUND_MS = 5_000;
/** What a wait on a spawned agent may take on a loaded machine. */
const WAIT_MS = 15_000;
const FAKE_DOCKER_VERSION = '24.0.7-berth-test';
const RESERVED_MEMORY = 128;

interface InstanceInformation {
  InstanceId: string;
  PingStatus: string;
  AgentVersion?: string;
  PlatformName?: string;
  ComputerName?: string;
  IPAddress?: string;
}
interface ContainerInstance {
  containerInstanceArn: string;
  ec2InstanceId?: string;
  agentConnected: boolean;
  status: string;
  registeredResources: { name: string; integerValue?: number; stringSetValue?: string[] }[];
  attributes: { name: string; value?: string }[];
  versionInfo?: { agentVersion?: string; agentHash?: string; dockerVersion?: string };
}

/** A Docker engine that only knows its version, on a unix socket (the real one may be absent or slow). */
async function fakeDocker(socketPath: string): Promise<Server> {
  const server = createServer((req, res) => {
    const body = req.url?.endsWith('/version')
      ? JSON.stringify({ Version: FAKE_DOCKER_VERSION, ApiVersion: '1.43' })
      : '{"message":"not here"}';
    res.writeHead(req.url?.endsWith('/version') ? 200 : 404, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return server;
}

async function getJson(
  port: number,
  path: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

void describe('berth agent', () => {
  let t: TestServer;
  let root: string;
  let docker: Server;
  let activation: { ActivationId: string; ActivationCode: string };
  const agents: AgentProcess[] = [];
  const dataDir = () => join(root, 'host');
  let configFile: string;
  let miId = '';
  let arn = '';

  /** The agent of "the host": options from flags and a config file, as an installer would split them. */
  const startAgent = (extra: readonly string[] = []) => {
    const agent = new AgentProcess([
      '--endpoint',
      t.url,
      '--cluster',
      CLUSTER,
      '--data-dir',
      dataDir(),
      '--config',
      configFile,
      '--reserved-udp-ports',
      '5353',
      '--docker-host',
      `unix://${join(root, 'docker.sock')}`,
      '--introspection-listen',
      '127.0.0.1:0',
      ...extra,
    ]);
    agents.push(agent);
    return agent;
  };
  /** Sessions closed so far, by reason, from the control plane's /metrics. */
  const sessionsClosed = async (): Promise<Record<'agent_closed' | 'timeout', number>> => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const count = (reason: string) =>
      Number(new RegExp(`berth_session_closed_total\\{reason="${reason}"\\} (\\d+)`).exec(text)?.[1] ?? NaN);
    return { agent_closed: count('agent_closed'), timeout: count('timeout') };
  };

  const describeInstance = async (): Promise<ContainerInstance> => {
    const out = await t.awsJson<{ containerInstances: ContainerInstance[] }>([
      'ecs',
      'describe-container-instances',
      '--cluster',
      CLUSTER,
      '--container-instances',
      arn,
    ]);
    const instance = out.containerInstances[0];
    assert.ok(instance);
    return instance;
  };
  const instanceInformation = async () =>
    (
      await t.awsJson<{ InstanceInformationList: InstanceInformation[] }>([
        'ssm',
        'describe-instance-information',
      ])
    ).InstanceInformationList;
  const accessKeysOf = (instanceId: string): string[] => {
    const db = new Database(join(t.dataDir, 'berth.db'), { readonly: true, fileMustExist: true });
    try {
      return (
        db.prepare('SELECT access_key_id FROM access_keys WHERE instance_id = ?').all(instanceId) as {
          access_key_id: string;
        }[]
      ).map((r) => r.access_key_id);
    } finally {
      db.close();
    }
  };
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? NaN : Number(line.split(' ')[1]);
  };

  before(async () => {
    t = await startTestServer(SERVER_OPTIONS);
    root = mkdtempSync(join(tmpdir(), 'berth-agent-e2e-'));
    docker = await fakeDocker(join(root, 'docker.sock'));
    configFile = join(root, 'agent.json');
    writeFileSync(
      configFile,
      JSON.stringify({ reservedMemory: RESERVED_MEMORY, attributes: { site: 'lab' } }),
    );
    await t.awsJson(['ecs', 'create-cluster', '--cluster-name', CLUSTER]);
    activation = await t.awsJson(['ssm', 'create-activation', '--iam-role', 'ecsAnywhereRole']);
  });
  after(async () => {
    await Promise.all(agents.map((a) => a.stop('SIGKILL')));
    docker.close();
    await t.stop();
    rmSync(root, { recursive: true, force: true });
  });

  void it('refuses bad options with exit code 2 and a message naming the fix', async () => {
    const noEndpoint = await runAgentToExit(['--data-dir', join(root, 'unused')]);
    assert.equal(noEndpoint.code, 2);
    assert.match(noEndpoint.stderr, /berth agent: --endpoint is required: the control plane's URL/);

    const badPorts = await runAgentToExit(['--endpoint', t.url, '--reserved-ports', '22,ssh']);
    assert.equal(badPorts.code, 2);
    assert.match(badPorts.stderr, /--reserved-ports "22,ssh" lists "ssh", which is not a port/);

    const badEnv = await runAgentToExit(['--endpoint', t.url], { BERTH_RESERVED_MEMORY: 'lots' });
    assert.equal(badEnv.code, 2);
    assert.match(badEnv.stderr, /BERTH_RESERVED_MEMORY "lots" must be a whole number of MiB/);
  });

  void it('says what is missing when a first start has no activation, and creates nothing', async () => {
    const out = await runAgentToExit([
      '--endpoint',
      t.url,
      '--data-dir',
      join(root, 'no-activation'),
      '--config',
      configFile,
      '--introspection-listen',
      'off',
    ]);
    assert.equal(out.code, 2);
    assert.match(out.stderr, /not registered yet .*--activation-id and --activation-code/);
    assert.deepEqual(await instanceInformation(), []);
  });

  void it('joins the cluster: managed instance Online, container instance connected with its resources', async () => {
    const agent = startAgent([
      '--activation-id',
      activation.ActivationId,
      '--activation-code',
      activation.ActivationCode,
    ]);
    const port = await agent.introspectionPort();
    const metadata = await waitFor(
      'the instance ARN in /v1/metadata',
      async () => {
        const { body } = await getJson(port, '/v1/metadata');
        return typeof body.ContainerInstanceArn === 'string' ? body : undefined;
      },
      WAIT_MS,
    );
    assert.equal(metadata.Cluster, CLUSTER);
    assert.equal(metadata.Version, `Berth Agent v${BERTH_VERSION}`);
    arn = metadata.ContainerInstanceArn as string;

    const online = await waitFor(
      'the managed instance Online',
      async () => (await instanceInformation()).find((i) => i.PingStatus === 'Online'),
      WAIT_MS,
    );
    miId = online.InstanceId;
    assert.match(miId, /^mi-[0-9a-f]{17}$/);
    assert.equal(online.AgentVersion, BERTH_VERSION);
    assert.equal(online.ComputerName, hostname());
    assert.ok(online.PlatformName !== undefined, 'platform from /etc/os-release');

    await waitFor(
      'agentConnected',
      async () => (await describeInstance()).agentConnected || undefined,
      WAIT_MS,
    );
    const instance = await describeInstance();
    assert.equal(instance.ec2InstanceId, miId);
    assert.equal(instance.status, 'ACTIVE');
    const resource = (name: string) => instance.registeredResources.find((r) => r.name === name);
    assert.equal(resource('CPU')?.integerValue, availableParallelism() * 1024);
    assert.equal(resource('MEMORY')?.integerValue, (memTotalMiB('/proc/meminfo') ?? 0) - RESERVED_MEMORY);
    assert.deepEqual(resource('PORTS')?.stringSetValue, ['22', '2375', '2376', '51678', '51679']);
    assert.deepEqual(resource('PORTS_UDP')?.stringSetValue, ['5353']);
    const attributes = new Map(instance.attributes.map((a) => [a.name, a.value]));
    assert.ok(attributes.has('ecs.capability.external'));
    assert.equal(attributes.get('ecs.os-type'), 'linux');
    assert.equal(attributes.get('ecs.os-family'), 'LINUX');
    assert.equal(attributes.get('ecs.cpu-architecture'), process.arch === 'x64' ? 'x86_64' : process.arch);
    for (const name of [
      'com.amazonaws.ecs.capability.docker-remote-api.1.17',
      'com.amazonaws.ecs.capability.docker-remote-api.1.44',
      'com.amazonaws.ecs.capability.logging-driver.json-file',
      'com.amazonaws.ecs.capability.logging-driver.journald',
      'com.amazonaws.ecs.capability.privileged-container',
      'ecs.capability.container-health-check',
      'ecs.capability.container-ordering',
      'ecs.capability.docker-plugin.local',
      'ecs.capability.container-restart-policy',
    ]) {
      assert.ok(attributes.has(name), `attribute ${name}`);
    }
    assert.equal(attributes.get('site'), 'lab', 'custom attribute from the config file');
    assert.equal(instance.versionInfo?.agentVersion, BERTH_VERSION);
    assert.equal(instance.versionInfo?.dockerVersion, `DockerVersion: ${FAKE_DOCKER_VERSION}`);

    const health = await getJson(port, '/v1/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.State, 'RUNNING');
    const state = JSON.parse(readFileSync(join(dataDir(), 'state.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(state, { cluster: CLUSTER, containerInstanceArn: arn, ec2InstanceId: miId });
    assert.ok(!JSON.stringify(agent.logs).includes(activation.ActivationCode), 'the code is never logged');
  });

  void it('rotates its credentials while the session stays up', async () => {
    const session = t.server.gateway.session(arn);
    assert.ok(session?.isOpen);
    const first = new Set(accessKeysOf(miId));
    assert.ok(first.size > 0);
    // A three-second lifetime renews at half-life: a new key within a few seconds, without anyone asking.
    await waitFor(
      'a new access key',
      () => accessKeysOf(miId).some((k) => !first.has(k)) || undefined,
      6_000,
    );
    assert.equal(t.server.gateway.session(arn), session, 'the same session throughout');
    assert.ok(session.isOpen);
    assert.equal((await describeInstance()).agentConnected, true);
  });

  void it('shows agentConnected false at once when the agent is killed', async () => {
    const agent = agents.at(-1);
    assert.ok(agent);
    const before = await sessionsClosed();
    await agent.stop('SIGKILL');
    await waitFor(
      'agentConnected false',
      async () => !(await describeInstance()).agentConnected || undefined,
      DEAD_AGENT_BOUND_MS,
    );
    // Timing alone would be flaky on a loaded machine; the close reason shows the session ended because the
    // socket closed (at once), not because the session timeout ran out.
    const after = await sessionsClosed();
    assert.equal(after.agent_closed - before.agent_closed, 1, "the dead agent's socket closed");
    assert.equal(after.timeout, before.timeout, 'no session timed out');
  });

  void it('comes back as the same container instance after a restart, registering nothing new', async () => {
    const agent = startAgent(); // no activation: the saved identity is enough
    const port = await agent.introspectionPort();
    await waitFor(
      'RUNNING',
      async () => (await getJson(port, '/v1/health')).status === 200 || undefined,
      WAIT_MS,
    );
    assert.equal((await getJson(port, '/v1/metadata')).body.ContainerInstanceArn, arn);
    await waitFor(
      'agentConnected',
      async () => (await describeInstance()).agentConnected || undefined,
      WAIT_MS,
    );
    const instances = await instanceInformation();
    assert.deepEqual(
      instances.map((i) => i.InstanceId),
      [miId],
    );
    const listed = await t.awsJson<{ containerInstanceArns: string[] }>([
      'ecs',
      'list-container-instances',
      '--cluster',
      CLUSTER,
    ]);
    assert.deepEqual(listed.containerInstanceArns, [arn]);
    const activations = await t.awsJson<{
      ActivationList: { ActivationId: string; RegistrationsCount: number }[];
    }>(['ssm', 'describe-activations']);
    assert.equal(
      activations.ActivationList.find((a) => a.ActivationId === activation.ActivationId)?.RegistrationsCount,
      1,
    );
    assert.ok(agent.logs.some((l) => l.msg === 'host identity loaded'));
  });

  void it('on deregister-managed-instance: the session ends, and the agent waits long without hammering', async () => {
    const agent = agents.at(-1);
    assert.ok(agent?.running);
    const openedBefore = await metric('berth_session_opened_total');
    await t.awsJson(['ssm', 'deregister-managed-instance', '--instance-id', miId]);
    const unretriable = await agent.waitForLog(
      'InactiveInstanceException',
      (l) => l.msg === 'unretriable session error' && l.type === 'InactiveInstanceException',
    );
    assert.equal(unretriable.delayMs, 60 * 60_000, 'an hour, as ECS');
    await waitFor(
      'agentConnected false',
      async () => !(await describeInstance()).agentConnected || undefined,
      WAIT_MS,
    );
    const attemptsBefore = agent.logs.filter(
      (l) => l.msg === 'session state' && l.to === 'CONNECTING',
    ).length;
    // Longer than a credential lifetime: the refused renewal must not end the process either.
    await sleep(4_000);
    assert.ok(agent.running, `still running; stderr: ${agent.stderr}`);
    assert.ok(
      agent.logs.some((l) => /refuses the credentials too/.test(l.msg ?? '')),
      'its credential renewal was refused meanwhile',
    );
    const attempts = agent.logs.filter((l) => l.msg === 'session state' && l.to === 'CONNECTING').length;
    assert.equal(attempts, attemptsBefore, 'no new connection attempt');
    assert.equal(
      await metric('berth_session_opened_total'),
      openedBefore,
      'no new session at the control plane',
    );
    assert.deepEqual(await instanceInformation(), [], 'a deregistered instance is no longer listed');

    const exit = await agent.stop('SIGTERM');
    assert.equal(exit.code, 0, 'SIGTERM ends the wait cleanly');
  });
});

void describe('berth agent against a cluster that does not exist yet', () => {
  let t: TestServer;
  let root: string;
  before(async () => {
    t = await startTestServer(SERVER_OPTIONS);
    root = mkdtempSync(join(tmpdir(), 'berth-agent-e2e-'));
  });
  after(async () => {
    await t.stop();
    rmSync(root, { recursive: true, force: true });
  });

  void it('refuses a wrong activation code with exit code 5 and the reason', async () => {
    const a = await t.awsJson<{ ActivationId: string }>(['ssm', 'create-activation', '--iam-role', 'r']);
    writeFileSync(join(root, 'empty.json'), '{}');
    const refused = await runAgentToExit([
      '--endpoint',
      t.url,
      '--activation-id',
      a.ActivationId,
      '--activation-code',
      'WRONGCODEWRONGCODE00',
      '--data-dir',
      join(root, 'wrong'),
      '--introspection-listen',
      'off',
      '--config',
      join(root, 'empty.json'),
    ]);
    assert.equal(refused.code, 5);
    assert.match(refused.stderr, /Registration refused .*Activation id or code is not valid/);
  });

  void it('waits for the cluster with a message saying how to create it, then joins', async () => {
    const a = await t.awsJson<{ ActivationId: string; ActivationCode: string }>([
      'ssm',
      'create-activation',
      '--iam-role',
      'ecsAnywhereRole',
    ]);
    writeFileSync(join(root, 'later.json'), JSON.stringify({ endpoint: t.url, cluster: 'later' }));
    const agent = new AgentProcess(['--config', join(root, 'later.json'), '--introspection-listen', 'off'], {
      BERTH_AGENT_DATA_DIR: join(root, 'later'),
      BERTH_ACTIVATION_ID: a.ActivationId,
      BERTH_ACTIVATION_CODE: a.ActivationCode,
      DOCKER_HOST: `unix://${join(root, 'no-docker.sock')}`,
    });
    try {
      const line = await agent.waitForLog('the missing cluster', (l) =>
        /Cluster 'later' does not exist/.test(l.msg ?? ''),
      );
      assert.match(line.msg ?? '', /aws ecs create-cluster --cluster-name later --endpoint-url/);
      await t.awsJson(['ecs', 'create-cluster', '--cluster-name', 'later']);
      await agent.waitForLog('RUNNING', (l) => l.msg === 'agent state' && l.to === 'RUNNING');
      const listed = await t.awsJson<{ containerInstanceArns: string[] }>([
        'ecs',
        'list-container-instances',
        '--cluster',
        'later',
      ]);
      assert.equal(listed.containerInstanceArns.length, 1);
      const exit = await agent.stop('SIGTERM');
      assert.equal(exit.code, 0);
      assert.ok(agent.logs.some((l) => l.msg === 'agent state' && l.to === 'STOPPED'));
      const described = await t.awsJson<{ containerInstances: ContainerInstance[] }>([
        'ecs',
        'describe-container-instances',
        '--cluster',
        'later',
        '--container-instances',
        listed.containerInstanceArns[0] ?? '',
      ]);
      assert.equal(described.containerInstances[0]?.agentConnected, false, 'a clean stop closes the session');
      assert.equal(
        described.containerInstances[0]?.versionInfo?.dockerVersion,
        undefined,
        'no engine, no version',
      );
    } finally {
      await agent.stop('SIGKILL');
    }
  });
});

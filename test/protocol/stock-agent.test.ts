/**
 * Conformance with the stock Amazon ECS agent (1.105.1), replayed: it cannot be built here (Go >= 1.25), so
 * these tests send its traffic as it sends it (`shared/reference/stock-ecs-agent.md` §2.3, §2.4, §2.6): request
 * bodies as aws-sdk-go-v2 writes them (members in its order, empty identity document, Go's field spellings,
 * epoch-second timestamps), signed the Go way with the instance's credentials, and the ACS handshake URL as
 * `url.Values.Encode()` writes it (`+` for the space in `DockerVersion: 20.10.24`). They check that the control
 * plane accepts it, that describe-* shows what a user expects, and that the payload is what the stock agent
 * decodes: task cpu in vCPUs, linuxParameters inside `dockerConfig.hostConfig`.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DeregisterContainerInstanceCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  StartTaskCommand,
  type Attribute,
  type ContainerInstance,
  type Task,
} from '@aws-sdk/client-ecs';
import { WebSocket } from 'ws';
import { issueAccessKey } from '../../src/control-plane/auth/access-keys.js';
import { goEncode, goSign, type GoCredentials } from '../../src/sigv4/testing/go-signer.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const CLUSTER = 'stock';
const AGENT = { agentVersion: '1.105.1', agentHash: 'a8b3e7d3', dockerVersion: '20.10.24' };
const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113';

const dockerApis = [17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32].map((minor) => ({
  name: `com.amazonaws.ecs.capability.docker-remote-api.1.${minor}`,
}));
/** The 45 attributes the agent registered with in the recorded run, in its order (capabilities, then OS). */
const STOCK_ATTRIBUTES: readonly Attribute[] = [
  ...dockerApis,
  ...['json-file', 'none', 'awsfirelens'].map((d) => ({
    name: `com.amazonaws.ecs.capability.logging-driver.${d}`,
  })),
  ...['privileged-container', 'ecr-auth', 'task-iam-role', 'task-iam-role-network-host'].map((c) => ({
    name: `com.amazonaws.ecs.capability.${c}`,
  })),
  ...[
    'execution-role-ecr-pull',
    'execution-role-awslogs',
    'container-health-check',
    'private-registry-authentication.secretsmanager',
    'secrets.ssm.environment-variables',
    'secrets.asm.environment-variables',
    'secrets.ssm.bootstrap.log-driver',
    'secrets.asm.bootstrap.log-driver',
    'efs',
    'container-ordering',
    'full-sync',
    'container-restart-policy',
    'env-files.s3',
    'pid-ipc-namespace-sharing',
    'task-cpu-mem-limit',
    'increased-task-cpu-limit',
    'firelens.options.config.file',
    'ipv6-only',
    'external',
  ].map((c) => ({ name: `ecs.capability.${c}` })),
  { name: 'ecs.os-type', value: 'linux' },
  { name: 'ecs.os-family', value: 'LINUX' },
  { name: 'ecs.cpu-architecture', value: 'x86_64' },
];

interface Host {
  readonly miId: string;
  readonly credentials: GoCredentials;
}

interface GoResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** An ECS API call as the agent's SDK client makes it: awsJson 1.1, SDK headers, Go-signed. */
function goEcsCall(t: TestServer, host: Host, operation: string, body: string): Promise<GoResponse> {
  const url = new URL(t.url);
  const headers: Record<string, string> = {
    Host: url.host,
    'Amz-Sdk-Invocation-Id': randomUUID(),
    'Amz-Sdk-Request': 'attempt=1; max=1',
    'Content-Length': String(Buffer.byteLength(body)),
    'Content-Type': 'application/x-amz-json-1.1',
    'User-Agent':
      'aws-sdk-go-v2/1.36.3 os/linux lang/go#1.25.1 md/GOOS#linux md/GOARCH#amd64 api/ecs#1.53.15',
    'X-Amz-Target': `${TARGET_PREFIX}.${operation}`,
  };
  const signed = goSign({ method: 'POST', path: '/', query: '', headers, body }, host.credentials, {
    region: t.region,
    service: 'ecs',
    now: new Date(),
  });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { ...headers, ...signed } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** aws-sdk-go-v2's timestamps: epoch seconds, milliseconds as the fraction. */
const epoch = (d: Date) => d.getTime() / 1000;

async function newHost(t: TestServer): Promise<Host> {
  const miId = `mi-${randomBytes(9).toString('hex').slice(0, 17)}`;
  const credentials = await issueAccessKey(t.server.store.accessKeys, t.server.secretBox, {
    kind: 'instance',
    principalArn: `arn:aws:sts::123456789012:assumed-role/berth-instance/${miId}`,
    instanceId: miId,
    lifetimeMs: 60 * 60_000,
    now: new Date(),
  });
  return { miId, credentials };
}

/** The RegisterContainerInstance body of a first registration, byte for byte as the Go SDK writes it. */
function registerBody(clientToken: string): string {
  const attributes = STOCK_ATTRIBUTES.map((a) =>
    a.value === undefined ? `{"name":"${a.name}"}` : `{"name":"${a.name}","value":"${a.value}"}`,
  ).join(',');
  return (
    `{"attributes":[${attributes}],"clientToken":"${clientToken}","cluster":"${CLUSTER}",` +
    '"instanceIdentityDocument":"","instanceIdentityDocumentSignature":"",' +
    '"totalResources":[{"integerValue":4096,"name":"CPU","type":"INTEGER"},' +
    '{"integerValue":7680,"name":"MEMORY","type":"INTEGER"},' +
    '{"name":"PORTS","stringSetValue":["22","2375","2376","51678","51679"],"type":"STRINGSET"},' +
    '{"name":"PORTS_UDP","stringSetValue":[],"type":"STRINGSET"}]}'
  );
}

async function describeInstance(t: TestServer, arn: string): Promise<ContainerInstance> {
  const out = await t.ecs.send(
    new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: [arn] }),
  );
  const instance = out.containerInstances?.[0];
  assert.ok(instance);
  return instance;
}

async function describeTask(t: TestServer, arn: string): Promise<Task> {
  const out = await t.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }));
  const task = out.tasks?.[0];
  assert.ok(task);
  return task;
}

interface Envelope {
  readonly type: string;
  readonly message: Record<string, unknown>;
}

/** The agent's ACS websocket: the URL as Go encodes it, the handshake signed the Go way. */
async function openAcs(
  t: TestServer,
  host: Host,
  endpoint: string,
  containerInstanceArn: string,
): Promise<{ ws: WebSocket; received: Envelope[] }> {
  const query = goEncode({
    agentHash: AGENT.agentHash,
    agentVersion: AGENT.agentVersion,
    clusterArn: CLUSTER,
    containerInstanceArn,
    dockerVersion: `DockerVersion: ${AGENT.dockerVersion}`,
    protocolVersion: '2',
    sendCredentials: 'true',
    seqNum: '1',
  });
  const base = new URL(endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
  const url = `${base.href}ws?${query}`;
  assert.match(url, /dockerVersion=DockerVersion%3A\+20\.10\.24&/, 'the space is a `+` on the wire');
  const signed = goSign(
    { method: 'GET', path: '/ws', query, headers: { host: base.host }, body: '' },
    host.credentials,
    { region: t.region, service: 'ecs', now: new Date() },
  );
  const ws = new WebSocket(url, { headers: signed, perMessageDeflate: false });
  const received: Envelope[] = [];
  ws.on('message', (data: Buffer) => {
    const envelope = JSON.parse(data.toString('utf8')) as Envelope;
    received.push(envelope);
    // The agent's heartbeat responder.
    if (envelope.type === 'HeartbeatMessage') {
      ws.send(
        JSON.stringify({ type: 'HeartbeatAckRequest', message: { messageId: envelope.message.messageId } }),
      );
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        reject(new HandshakeRefused(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))),
      );
    });
    ws.once('error', reject);
  });
  return { ws, received };
}

class HandshakeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`handshake refused with HTTP ${status}: ${body}`);
  }
}

describe('the stock ECS agent, replayed', () => {
  let t: TestServer;
  let host: Host;
  let instanceArn: string;
  let acs: { ws: WebSocket; received: Envelope[] } | undefined;
  before(async () => {
    t = await startTestServer({ heartbeatInterval: '200ms', sessionTimeout: '5s' });
    await t.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    host = await newHost(t);
  });
  after(async () => {
    acs?.ws.terminate();
    await t.stop();
  });

  it('registers with the Go SDK body: 45 attributes echoed exactly, the host its own, no versionInfo yet', async () => {
    assert.equal(STOCK_ATTRIBUTES.length, 45);
    const out = await goEcsCall(t, host, 'RegisterContainerInstance', registerBody(randomUUID()));
    assert.equal(out.status, 200, JSON.stringify(out.body));
    const instance = out.body.containerInstance as ContainerInstance;
    assert.ok(instance.containerInstanceArn);
    instanceArn = instance.containerInstanceArn;
    // The agent's validateRegisteredAttributes: every attribute it sent comes back with the same value.
    const echoed = new Map((instance.attributes ?? []).map((a) => [a.name, a.value]));
    for (const a of STOCK_ATTRIBUTES) assert.equal(echoed.get(a.name), a.value, a.name);
    const described = await describeInstance(t, instanceArn);
    assert.equal(described.ec2InstanceId, host.miId);
    assert.equal(described.status, 'ACTIVE');
    assert.deepEqual(
      described.registeredResources?.map((r) => [
        r.name,
        r.type === 'INTEGER' ? r.integerValue : r.stringSetValue,
      ]),
      [
        ['CPU', 4096],
        ['MEMORY', 7680],
        ['PORTS', ['22', '2375', '2376', '51678', '51679']],
        ['PORTS_UDP', []],
      ],
    );
    assert.equal(described.versionInfo?.agentVersion, undefined);
  });

  it('opens its ACS session with the `+` URL and Go-signed headers; describe shows versionInfo from the query', async () => {
    const poll = await goEcsCall(
      t,
      host,
      'DiscoverPollEndpoint',
      `{"cluster":"${CLUSTER}","containerInstance":"${instanceArn}","zoneId":""}`,
    );
    assert.equal(poll.status, 200, JSON.stringify(poll.body));
    const endpoint = poll.body.endpoint;
    assert.equal(typeof endpoint, 'string');
    acs = await openAcs(t, host, endpoint as string, instanceArn);
    const received = acs.received;
    await waitFor('a heartbeat', () => received.some((e) => e.type === 'HeartbeatMessage'), 5_000, {
      intervalMs: 20,
    });
    const described = await waitFor(
      'agentConnected and versionInfo',
      async () => {
        const d = await describeInstance(t, instanceArn);
        return d.agentConnected === true && d.versionInfo?.agentVersion !== undefined ? d : undefined;
      },
      5_000,
      { intervalMs: 20 },
    );
    assert.deepEqual(described.versionInfo, {
      agentVersion: '1.105.1',
      agentHash: 'a8b3e7d3',
      dockerVersion: 'DockerVersion: 20.10.24',
    });
  });

  it('delivers task cpu in vCPUs and linuxParameters in hostConfig; state changes as the agent sends them reach describe-tasks', async () => {
    assert.ok(acs, 'the session of the previous test');
    const received = acs.received;
    const ws = acs.ws;
    await t.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'stock-web',
        requiresCompatibilities: ['EXTERNAL'],
        networkMode: 'bridge',
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'web',
            image: 'public.ecr.aws/nginx/nginx:1.27',
            cpu: 128,
            memory: 256,
            essential: true,
            portMappings: [{ containerPort: 80, hostPort: 0 }],
            linuxParameters: {
              initProcessEnabled: true,
              capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
              sharedMemorySize: 64,
              tmpfs: [{ containerPath: '/run', size: 16 }],
              maxSwap: 0,
            },
          },
        ],
      }),
    );
    const started = await t.ecs.send(
      new StartTaskCommand({
        cluster: CLUSTER,
        taskDefinition: 'stock-web',
        containerInstances: [instanceArn],
      }),
    );
    assert.deepEqual(started.failures, []);
    const taskArn = started.tasks?.[0]?.taskArn;
    assert.ok(taskArn);

    const payload = await waitFor(
      'the PayloadMessage with the task',
      () =>
        received.find(
          (e) =>
            e.type === 'PayloadMessage' &&
            (e.message.tasks as { arn: string }[]).some((task) => task.arn === taskArn),
        ),
      5_000,
      { intervalMs: 20 },
    );
    // What the agent's payload responder checks before it takes the tasks.
    assert.equal(typeof payload.message.messageId, 'string');
    assert.equal(payload.message.containerInstanceArn, instanceArn);
    assert.match(String(payload.message.clusterArn), /:cluster\/stock$/);
    const task = (payload.message.tasks as Record<string, unknown>[])[0] ?? {};
    assert.equal(task.cpu, 0.25, 'vCPUs: the agent multiplies by 1024');
    assert.equal(task.memory, 512);
    const container = (task.containers as Record<string, unknown>[])[0] ?? {};
    assert.equal(container.cpu, 128, "a container's cpu stays in units");
    assert.equal('linuxParameters' in container, false, 'the agent has no field for it');
    const dockerConfig = container.dockerConfig as { hostConfig: string };
    const hostConfig = JSON.parse(dockerConfig.hostConfig) as Record<string, unknown>;
    const linux = ['Init', 'CapAdd', 'CapDrop', 'ShmSize', 'Tmpfs', 'MemorySwap', 'MemorySwappiness'];
    assert.deepEqual(Object.fromEntries(linux.map((k) => [k, hostConfig[k]])), {
      Init: true,
      CapAdd: ['NET_BIND_SERVICE'],
      CapDrop: ['ALL'],
      ShmSize: 64 * 1024 * 1024,
      Tmpfs: { '/run': 'size=16m' },
      MemorySwap: 256 * 1024 * 1024,
      MemorySwappiness: 60,
    });
    ws.send(
      JSON.stringify({
        type: 'AckRequest',
        message: { cluster: CLUSTER, containerInstance: instanceArn, messageId: payload.message.messageId },
      }),
    );

    const runtimeId = randomBytes(32).toString('hex');
    const binding = '{"bindIP":"0.0.0.0","containerPort":80,"hostPort":32768,"protocol":"tcp"}';
    // After the task was created: the control plane keeps reported times between creation and now.
    const pulled = new Date();
    // A container change not folded into a task change.
    const containerChange = await goEcsCall(
      t,
      host,
      'SubmitContainerStateChange',
      `{"cluster":"${CLUSTER}","containerName":"web","networkBindings":[${binding}],"reason":"",` +
        `"runtimeId":"${runtimeId}","status":"RUNNING","task":"${taskArn}"}`,
    );
    assert.equal(containerChange.status, 200, JSON.stringify(containerChange.body));
    assert.deepEqual(containerChange.body, { acknowledgment: 'ACK' });
    const running = await goEcsCall(
      t,
      host,
      'SubmitTaskStateChange',
      `{"cluster":"${CLUSTER}","containers":[{"containerName":"web","networkBindings":[${binding}],` +
        `"runtimeId":"${runtimeId}","status":"RUNNING"}],"managedAgents":[],` +
        `"pullStartedAt":${epoch(pulled)},"pullStoppedAt":${epoch(pulled)},` +
        `"reason":"","status":"RUNNING","task":"${taskArn}"}`,
    );
    assert.equal(running.status, 200, JSON.stringify(running.body));
    const shown = await describeTask(t, taskArn);
    assert.equal(shown.lastStatus, 'RUNNING');
    assert.equal(shown.pullStartedAt?.getTime(), pulled.getTime());
    assert.equal(shown.containers?.[0]?.runtimeId, runtimeId);
    assert.deepEqual(shown.containers?.[0]?.networkBindings, [
      { bindIP: '0.0.0.0', containerPort: 80, hostPort: 32768, protocol: 'tcp' },
    ]);

    const exited = new Date();
    const stopped = await goEcsCall(
      t,
      host,
      'SubmitTaskStateChange',
      `{"cluster":"${CLUSTER}","containers":[{"containerName":"web","exitCode":3,"networkBindings":[],` +
        `"reason":"","runtimeId":"${runtimeId}","status":"STOPPED"}],"executionStoppedAt":${epoch(exited)},` +
        `"managedAgents":[],"reason":"","status":"STOPPED","task":"${taskArn}"}`,
    );
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    const done = await describeTask(t, taskArn);
    assert.equal(done.lastStatus, 'STOPPED');
    assert.equal(done.desiredStatus, 'STOPPED');
    assert.equal(done.stopCode, 'EssentialContainerExited');
    assert.equal(done.stoppedReason, 'Essential container in task exited');
    assert.equal(done.executionStoppedAt?.getTime(), exited.getTime());
    assert.equal(done.containers?.[0]?.exitCode, 3);
    assert.equal(done.containers?.[0]?.lastStatus, 'STOPPED');
    assert.equal(done.containers?.[0]?.reason, undefined);
  });

  it('is told InactiveInstanceException in the form it decodes when its instance is deregistered', async () => {
    assert.ok(acs, 'the session of the earlier test');
    const { ws, received } = acs;
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const out = await t.ecs.send(
      new DeregisterContainerInstanceCommand({
        cluster: CLUSTER,
        containerInstance: instanceArn,
        force: true,
      }),
    );
    assert.equal(out.containerInstance?.status, 'INACTIVE');
    await closed;
    assert.ok(received.some((e) => e.type === 'InactiveInstanceException'));
    acs = undefined;

    // Its next handshake is refused with ACS's {"<type>":"<message>"} body (`DecodeConnectionError`).
    await assert.rejects(openAcs(t, host, t.url, instanceArn), (e: unknown) => {
      assert.ok(e instanceof HandshakeRefused, String(e));
      assert.equal(e.status, 400);
      const body = JSON.parse(e.body) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body), ['InactiveInstanceException']);
      assert.match(String(body.InactiveInstanceException), /deregistered/);
      return true;
    });
  });
});

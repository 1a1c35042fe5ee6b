/**
 * The agent's identity and credentials against a real control plane: first-start registration and its
 * reuse, the key file's protection, clone detection, credential rotation with a short lifetime, least
 * privilege of instance credentials (through @aws-sdk/client-ecs), and deregistration revoking everything.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  DiscoverPollEndpointCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
} from '@aws-sdk/client-ecs';
import {
  collectHostFacts,
  ensureIdentity,
  IdentityError,
  InstanceCredentials,
  InstanceCredentialsRefusedError,
  loadIdentity,
  type AgentIdentity,
  type InstanceCredentialIdentity,
} from '../../src/agent/identity/index.js';
import { Arns } from '../../src/ecs/arn.js';
import { failure } from '../../src/ecs/testing/api-error.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { rawAwsCall } from '../rigs/raw-call.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const RESOURCES = [
  { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
  { name: 'MEMORY', type: 'INTEGER', integerValue: 3768 },
];

interface Host {
  readonly dataDir: string;
  readonly machineIdFiles: string[];
}

/** A pretend host: its own data directory and machine id. */
function newHost(root: string, name: string, machineId = `${name}-machine-id`): Host {
  const file = join(root, `${name}.machine-id`);
  writeFileSync(file, `${machineId}\n`);
  return { dataDir: join(root, name, 'data'), machineIdFiles: [file] };
}

async function createActivation(t: TestServer, limit: number): Promise<{ id: string; code: string }> {
  const a = await t.awsJson<{ ActivationId: string; ActivationCode: string }>([
    'ssm',
    'create-activation',
    '--iam-role',
    'ecsAnywhereRole',
    '--registration-limit',
    String(limit),
  ]);
  return { id: a.ActivationId, code: a.ActivationCode };
}

function ecsWith(t: TestServer, c: InstanceCredentialIdentity): ECSClient {
  const { accessKeyId, secretAccessKey, sessionToken } = c;
  return new ECSClient({
    endpoint: t.url,
    region: t.region,
    credentials: { accessKeyId, secretAccessKey, sessionToken },
    maxAttempts: 1,
  });
}

void describe('agent identity and instance credentials', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'berth-agent-identity-'));
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  void describe('with the default credential lifetime', () => {
    let t: TestServer;
    let a: AgentIdentity;
    let b: AgentIdentity;
    const hostA = () => newHost(root, 'a');
    const clients: ECSClient[] = [];
    const track = (client: ECSClient) => {
      clients.push(client);
      return client;
    };

    before(async () => {
      t = await startTestServer();
      const { id, code } = await createActivation(t, 2);
      const register = async (host: Host) =>
        ensureIdentity({
          ...host,
          endpoint: t.url,
          activationId: id,
          activationCode: code,
          host: collectHostFacts(),
        });
      const first = await register(hostA());
      assert.equal(first.registered, true);
      a = first.identity;
      b = (await register(newHost(root, 'b'))).identity;
    });
    after(async () => {
      for (const c of clients) c.destroy();
      await t.stop();
    });

    void it('keeps the identity private and reuses it on later starts, registering once', async () => {
      const { dataDir, machineIdFiles } = hostA();
      assert.equal(statSync(join(dataDir, 'identity.json')).mode & 0o777, 0o600);
      assert.equal(statSync(dataDir).mode & 0o777, 0o700);
      const again = await ensureIdentity({ dataDir, machineIdFiles, endpoint: t.url });
      assert.equal(again.registered, false);
      assert.equal(again.identity.instanceId, a.instanceId);
      assert.equal(loadIdentity(dataDir, machineIdFiles)?.instanceId, a.instanceId);
      const listed = await t.awsJson<{
        InstanceInformationList: { InstanceId: string; ComputerName?: string }[];
      }>(['ssm', 'describe-instance-information']);
      assert.deepEqual(
        listed.InstanceInformationList.map((i) => i.InstanceId).sort(),
        [a.instanceId, b.instanceId].sort(),
      );
      assert.ok(listed.InstanceInformationList.every((i) => i.ComputerName !== undefined));
    });

    void it('refuses an identity copied to another machine, locally and at the control plane', async () => {
      const { dataDir } = hostA();
      const elsewhere = newHost(root, 'a-clone', 'another-machine-id');
      assert.throws(
        () => loadIdentity(dataDir, elsewhere.machineIdFiles),
        (e: unknown) =>
          e instanceof IdentityError &&
          e.code === 'fingerprint-changed' &&
          /remove .*identity.json/.test(e.message),
      );
      const clone = new InstanceCredentials({
        endpoint: t.url,
        identity: { ...a, fingerprint: 'f'.repeat(64) },
      });
      for (let i = 0; i < 2; i++) {
        await assert.rejects(
          clone.get(),
          (e: unknown) =>
            e instanceof InstanceCredentialsRefusedError &&
            e.reason === 'fingerprint-mismatch' &&
            /Fingerprint does not match/.test(e.message),
        );
      }
    });

    void it('lets instance credentials register and discover only their own container instance', async () => {
      const credsA = new InstanceCredentials({ endpoint: t.url, identity: a });
      const credsB = new InstanceCredentials({ endpoint: t.url, identity: b });
      const ecsA = track(
        new ECSClient({ endpoint: t.url, region: t.region, credentials: credsA.provider, maxAttempts: 1 }),
      );
      const ecsB = track(
        new ECSClient({ endpoint: t.url, region: t.region, credentials: credsB.provider, maxAttempts: 1 }),
      );
      await t.ecs.send(new CreateClusterCommand({ clusterName: 'edge' }));

      const { containerInstance } = await ecsA.send(
        new RegisterContainerInstanceCommand({
          cluster: 'edge',
          totalResources: RESOURCES,
          // Ignored for instance credentials: the caller is who its credentials say.
          instanceIdentityDocument: JSON.stringify({ instanceId: b.instanceId }),
        }),
      );
      const arnA = containerInstance?.containerInstanceArn ?? '';
      assert.equal(containerInstance?.ec2InstanceId, a.instanceId);
      const again = await ecsA.send(
        new RegisterContainerInstanceCommand({
          cluster: 'edge',
          containerInstanceArn: arnA,
          totalResources: RESOURCES,
        }),
      );
      assert.equal(again.containerInstance?.containerInstanceArn, arnA);

      const poll = await ecsA.send(
        new DiscoverPollEndpointCommand({ cluster: 'edge', containerInstance: arnA }),
      );
      assert.equal(poll.endpoint, t.server.publicUrl);
      assert.equal(poll.telemetryEndpoint, `${t.server.publicUrl}tcs/`);
      assert.equal(t.server.publicUrl, `${t.url}/`);

      await failure(
        ecsA.send(new CreateClusterCommand({ clusterName: 'mine' })),
        'AccessDeniedException',
        /assumed-role\/ecsAnywhereRole\/mi-[0-9a-f]{17} is not authorized to perform: ecs:CreateCluster/,
      );
      await failure(
        ecsA.send(new DescribeContainerInstancesCommand({ cluster: 'edge', containerInstances: [arnA] })),
        'AccessDeniedException',
        'ecs:DescribeContainerInstances',
      );
      await failure(
        ecsB.send(
          new RegisterContainerInstanceCommand({
            cluster: 'edge',
            containerInstanceArn: arnA,
            totalResources: RESOURCES,
          }),
        ),
        'AccessDeniedException',
        'belongs to another host',
      );
      await failure(
        ecsB.send(new DiscoverPollEndpointCommand({ cluster: 'edge', containerInstance: arnA })),
        'AccessDeniedException',
        'ecs:DiscoverPollEndpoint',
      );
      const c = await credsA.get();
      const ssm = await rawAwsCall(
        t,
        'AmazonSSM.CreateActivation',
        { IamRole: 'r' },
        { service: 'ssm', credentials: c },
      );
      assert.equal(ssm.type, 'AccessDeniedException');
      assert.match(ssm.message, /ssm:CreateActivation/);
      credsA.close();
      credsB.close();
    });

    void it('revokes everything at once on DeregisterManagedInstance', async () => {
      const creds = new InstanceCredentials({ endpoint: t.url, identity: b });
      const held = await creds.get();
      const ecsB = track(ecsWith(t, held));
      await ecsB.send(new DiscoverPollEndpointCommand({}));
      const registered = await ecsB.send(
        new RegisterContainerInstanceCommand({ cluster: 'edge', totalResources: RESOURCES }),
      );
      const arn = registered.containerInstance?.containerInstanceArn ?? '';
      // As if its agent's session were up (the gateway sets this; here the store stands in for it).
      const clusterArn = new Arns(t.region, '123456789012').cluster('edge');
      const stored = await t.server.store.containerInstances.get(arn);
      assert.ok(stored);
      await t.server.store.containerInstances.put(clusterArn, { ...stored, agentConnected: true });

      await t.awsJson(['ssm', 'deregister-managed-instance', '--instance-id', b.instanceId]);
      await failure(ecsB.send(new DiscoverPollEndpointCommand({})), 'UnrecognizedClientException');
      const described = await t.ecs.send(
        new DescribeContainerInstancesCommand({ cluster: 'edge', containerInstances: [arn] }),
      );
      assert.equal(described.containerInstances?.[0]?.agentConnected, false);
      assert.equal(described.containerInstances?.[0]?.status, 'ACTIVE', 'ECS leaves it registered');
      const fresh = new InstanceCredentials({ endpoint: t.url, identity: b });
      await assert.rejects(
        fresh.get(),
        (e: unknown) =>
          e instanceof InstanceCredentialsRefusedError &&
          e.reason === 'deregistered' &&
          e.code === 'InvalidInstanceId',
      );
      // The other instance is untouched.
      const other = new InstanceCredentials({ endpoint: t.url, identity: a });
      await track(ecsWith(t, await other.get())).send(new DiscoverPollEndpointCommand({}));
    });
  });

  void describe('with a two-second credential lifetime', () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ credentialLifetime: '2s' });
    });
    after(async () => {
      await t.stop();
    });

    void it('rotates at half-life; old and new keys both work until the old expire, then ExpiredToken', async () => {
      const { id, code } = await createActivation(t, 1);
      const { identity } = await ensureIdentity({
        ...newHost(root, 'rotating'),
        endpoint: t.url,
        activationId: id,
        activationCode: code,
      });
      const creds = new InstanceCredentials({ endpoint: t.url, identity });
      const rotations: InstanceCredentialIdentity[] = [];
      creds.onRotated((c) => rotations.push(c));

      const first = await creds.get();
      const lifetime = first.expiration.getTime() - Date.now();
      assert.ok(lifetime > 1000 && lifetime <= 2000, `lifetime ${lifetime}`);
      const [c1, c2] = await Promise.all([creds.get(), creds.get()]);
      assert.equal(c1.accessKeyId, first.accessKeyId, 'concurrent callers share one set');
      assert.equal(c2.accessKeyId, first.accessKeyId);
      const oldClient = ecsWith(t, first);
      await oldClient.send(new DiscoverPollEndpointCommand({}));

      await sleep(first.expiration.getTime() - Date.now() - 900);
      assert.equal((await creds.get()).accessKeyId, first.accessKeyId, 'no caller waits for a rotation');
      await waitFor('the second rotation', () => rotations.length === 2, 1500, { intervalMs: 20 });
      const second = await creds.get();
      assert.notEqual(second.accessKeyId, first.accessKeyId);
      assert.equal(second.accessKeyId, rotations[1]?.accessKeyId);
      const newClient = ecsWith(t, second);
      await oldClient.send(new DiscoverPollEndpointCommand({}));
      await newClient.send(new DiscoverPollEndpointCommand({}));

      await sleep(first.expiration.getTime() - Date.now() + 100);
      await failure(oldClient.send(new DiscoverPollEndpointCommand({})), 'ExpiredTokenException', 'expired');
      await newClient.send(new DiscoverPollEndpointCommand({}));
      oldClient.destroy();
      newClient.destroy();
      creds.close();
    });
  });
});

/**
 * SSM hybrid activations and managed instances end to end: the real AWS CLI for what an administrator does
 * (`aws ssm create-activation`, describe-activations, delete-activation, describe-instance-information,
 * deregister-managed-instance, tags), the agent's own registration client for RegisterManagedInstance, and
 * raw requests for inputs no client would send.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { registerManagedInstance, type Registration } from '../../src/agent/identity/registration-client.js';
import { markInstancePing } from '../../src/control-plane/operations/ssm/index.js';
import { failure } from '../../src/ecs/testing/api-error.js';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { rawAwsCall } from '../rigs/raw-call.js';

interface Activation {
  ActivationId: string;
  Description?: string;
  DefaultInstanceName?: string;
  IamRole: string;
  RegistrationLimit: number;
  RegistrationsCount: number;
  ExpirationDate: number | string;
  Expired: boolean;
  CreatedDate: number | string;
  Tags?: { Key: string; Value: string }[];
}

interface InstanceInformation {
  InstanceId: string;
  PingStatus: string;
  LastPingDateTime?: number | string;
  AgentVersion?: string;
  PlatformType: string;
  PlatformName?: string;
  ActivationId: string;
  IamRole: string;
  ResourceType: string;
  Name?: string;
  IPAddress?: string;
  ComputerName?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SSM = 'AmazonSSM';

/** The CLI prints timestamps as received (epoch seconds) or as ISO-8601 text, by its configuration. */
function epochMs(value: number | string): number {
  return typeof value === 'number' ? value * 1000 : Date.parse(value);
}

function newPublicKey(): string {
  return generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
}

void describe('SSM activations and managed instances', () => {
  let t: TestServer;
  /** Added to the server's clock, to move past an activation's expiry without waiting. */
  let skewMs = 0;
  const ssm = (command: string, ...args: string[]): string[] => ['ssm', command, ...args];

  const createActivation = async (...args: string[]) =>
    t.awsJson<{ ActivationId: string; ActivationCode: string }>(
      ssm('create-activation', '--iam-role', 'ecsAnywhereRole', ...args),
    );
  const describeActivation = async (id: string): Promise<Activation> => {
    const out = await t.awsJson<{ ActivationList: Activation[] }>(
      ssm('describe-activations', '--filters', `FilterKey=ActivationIds,FilterValues=${id}`),
    );
    assert.equal(out.ActivationList.length, 1);
    return out.ActivationList[0] as Activation;
  };
  const instances = async (...args: string[]): Promise<InstanceInformation[]> =>
    (
      await t.awsJson<{ InstanceInformationList: InstanceInformation[] }>(
        ssm('describe-instance-information', ...args),
      )
    ).InstanceInformationList;
  const register = (activationId: string, activationCode: string, publicKey = newPublicKey()) =>
    registerManagedInstance(t.url, {
      activationId,
      activationCode,
      publicKey,
      fingerprint: 'fp-1',
      host: {
        hostname: 'edge-1',
        platformName: 'Debian GNU/Linux',
        platformVersion: '12',
        ipAddress: '10.0.0.7',
      },
    });

  before(async () => {
    t = await startTestServer({ now: () => new Date(Date.now() + skewMs) });
  });
  after(async () => {
    await t.stop();
  });

  void it('creates an activation with aws ssm create-activation and describes it, without its code', async () => {
    const created = await createActivation(
      '--registration-limit',
      '2',
      '--default-instance-name',
      'edge',
      '--description',
      'Lyon store',
      '--tags',
      'Key=site,Value=lyon-3',
    );
    assert.match(created.ActivationId, UUID);
    assert.match(created.ActivationCode, /^[A-Za-z0-9]{20,}$/);
    const a = await describeActivation(created.ActivationId);
    assert.equal(a.IamRole, 'ecsAnywhereRole');
    assert.equal(a.RegistrationLimit, 2);
    assert.equal(a.RegistrationsCount, 0);
    assert.equal(a.Expired, false);
    assert.equal(a.DefaultInstanceName, 'edge');
    assert.equal(a.Description, 'Lyon store');
    assert.deepEqual(a.Tags, [{ Key: 'site', Value: 'lyon-3' }]);
    const lifetimeHours = (epochMs(a.ExpirationDate) - epochMs(a.CreatedDate)) / 3_600_000;
    assert.equal(Math.round(lifetimeHours), 24);
    assert.ok(!JSON.stringify(a).includes(created.ActivationCode));
  });

  void it('registers up to the limit, then refuses and creates nothing', async () => {
    const { ActivationId: id, ActivationCode: code } = await createActivation(
      '--registration-limit',
      '2',
      '--default-instance-name',
      'edge',
    );
    const first = await register(id, code);
    const second = await register(id, code);
    assert.match(first.instanceId, /^mi-[0-9a-f]{17}$/);
    assert.notEqual(first.instanceId, second.instanceId);
    assert.equal(first.region, t.region);
    const before = (await instances()).length;
    await failure(register(id, code), 'RegistrationError', `has reached its registration limit of 2`);
    assert.equal((await describeActivation(id)).RegistrationsCount, 2);
    assert.equal((await instances()).length, before);

    const [info] = await instances('--filters', `Key=InstanceIds,Values=${first.instanceId}`);
    assert.deepEqual(
      { ...info, LastPingDateTime: undefined },
      {
        ...info,
        InstanceId: first.instanceId,
        PingStatus: 'ConnectionLost',
        PlatformType: 'Linux',
        PlatformName: 'Debian GNU/Linux',
        ActivationId: id,
        IamRole: 'ecsAnywhereRole',
        ResourceType: 'ManagedInstance',
        Name: 'edge',
        IPAddress: '10.0.0.7',
        ComputerName: 'edge-1',
        LastPingDateTime: undefined,
      },
    );
  });

  void it('answers a retried registration (same key) with the same instance, counting it once', async () => {
    const { ActivationId: id, ActivationCode: code } = await createActivation('--registration-limit', '1');
    const key = newPublicKey();
    const first = await register(id, code, key);
    const again: Registration = await register(id, code, key);
    assert.equal(again.instanceId, first.instanceId);
    assert.equal((await describeActivation(id)).RegistrationsCount, 1);
  });

  void it('refuses a wrong code, an expired activation and a deleted one, counting nothing', async () => {
    const { ActivationId: id, ActivationCode: code } = await createActivation('--registration-limit', '5');
    const count = (await instances()).length;
    await failure(
      register(id, `${code.slice(0, -1)}x`),
      'RegistrationError',
      'Activation id or code is not valid',
    );
    await failure(
      register('00000000-0000-4000-8000-000000000000', code),
      'RegistrationError',
      'Activation id or code is not valid',
    );

    const soon = new Date(Date.now() + 60_000).toISOString();
    const expiring = await createActivation('--expiration-date', soon);
    skewMs = 2 * 60_000;
    try {
      await failure(
        register(expiring.ActivationId, expiring.ActivationCode),
        'RegistrationError',
        'has expired',
      );
      const described = await describeActivation(expiring.ActivationId);
      assert.equal(described.Expired, true);
      assert.equal(described.RegistrationsCount, 0);
    } finally {
      skewMs = 0;
    }

    const kept = await register(id, code);
    await t.awsJson(ssm('delete-activation', '--activation-id', id));
    await failure(register(id, code), 'RegistrationError', 'Activation id or code is not valid');
    const left = await t.aws(
      ssm('describe-activations', '--filters', `FilterKey=ActivationIds,FilterValues=${id}`),
    );
    assert.deepEqual(JSON.parse(left.stdout), { ActivationList: [] });
    // Instances registered before the deletion stay, as in SSM.
    assert.equal(
      (await instances('--filters', `Key=ActivationIds,Values=${id}`))[0]?.InstanceId,
      kept.instanceId,
    );
    assert.equal((await instances()).length, count + 1);

    const again = await t.aws(ssm('delete-activation', '--activation-id', id));
    assert.match(again.stderr, /InvalidActivationId/);
  });

  void it('filters instances by ping status, activation, platform and id, and pages', async () => {
    const { ActivationId: id, ActivationCode: code } = await createActivation('--registration-limit', '6');
    const registered: string[] = [];
    for (let i = 0; i < 6; i++) registered.push((await register(id, code)).instanceId);
    registered.sort();
    const byActivation = `Key=ActivationIds,Values=${id}`;
    const online = registered[2] ?? '';
    await markInstancePing(t.server.store, online, new Date());
    const [pinged] = await instances('--filters', `Key=InstanceIds,Values=${online}`);
    assert.equal(pinged?.PingStatus, 'Online');
    assert.ok(pinged?.LastPingDateTime !== undefined);
    assert.deepEqual(
      (await instances('--filters', byActivation, 'Key=PingStatus,Values=Online')).map((i) => i.InstanceId),
      [online],
    );
    assert.equal(
      (await instances('--filters', byActivation, 'Key=PingStatus,Values=ConnectionLost')).length,
      5,
    );
    assert.equal((await instances('--filters', byActivation, 'Key=PlatformTypes,Values=Windows')).length, 0);
    assert.equal(
      (await instances('--filters', byActivation, 'Key=ResourceType,Values=ManagedInstance')).length,
      6,
    );
    assert.equal(
      (await instances('--instance-information-filter-list', `key=ActivationIds,valueSet=${id}`)).length,
      6,
    );

    const page = await t.awsJson<{ InstanceInformationList: InstanceInformation[]; NextToken?: string }>(
      ssm('describe-instance-information', '--filters', byActivation, '--max-items', '5', '--page-size', '5'),
    );
    assert.equal(page.InstanceInformationList.length, 5);
    assert.ok(page.NextToken);
    const all = await instances('--filters', byActivation, '--page-size', '5');
    assert.deepEqual(
      all.map((i) => i.InstanceId),
      registered,
    );

    const badKey = await t.aws(ssm('describe-instance-information', '--filters', 'Key=tag:site,Values=x'));
    assert.match(badKey.stderr, /InvalidFilterKey/);
    const badId = await t.aws(
      ssm('describe-instance-information', '--filters', 'Key=InstanceIds,Values=mi-1'),
    );
    assert.match(badId.stderr, /InvalidInstanceInformationFilterValue/);
    const badPing = await t.aws(
      ssm('describe-instance-information', '--filters', 'Key=PingStatus,Values=Up'),
    );
    assert.match(badPing.stderr, /InvalidInstanceInformationFilterValue.*'Up' is not a valid PingStatus/);
    const token = await rawAwsCall(
      t,
      `${SSM}.DescribeInstanceInformation`,
      { NextToken: 'garbage' },
      { service: 'ssm' },
    );
    assert.equal(token.type, 'InvalidNextToken');
    const small = await rawAwsCall(
      t,
      `${SSM}.DescribeInstanceInformation`,
      { MaxResults: 4 },
      { service: 'ssm' },
    );
    assert.equal(small.status, 400);
    assert.match(small.message, /MaxResults/);
  });

  void it('deregisters a managed instance once, and tells the process', async () => {
    const { ActivationId: id, ActivationCode: code } = await createActivation();
    const { instanceId } = await register(id, code);
    const heard: string[] = [];
    const unsubscribe = t.server.changes.on('instanceDeregistered', (i) => heard.push(i));
    try {
      await t.awsJson(ssm('deregister-managed-instance', '--instance-id', instanceId));
    } finally {
      unsubscribe();
    }
    assert.deepEqual(heard, [instanceId]);
    assert.deepEqual(await instances('--filters', `Key=InstanceIds,Values=${instanceId}`), []);
    const again = await t.aws(ssm('deregister-managed-instance', '--instance-id', instanceId));
    assert.match(again.stderr, /InvalidInstanceId.*is not a registered managed instance/);
    const unknown = await t.aws(ssm('deregister-managed-instance', '--instance-id', 'mi-00000000000000000'));
    assert.match(unknown.stderr, /InvalidInstanceId/);
    const malformed = await rawAwsCall(
      t,
      `${SSM}.DeregisterManagedInstance`,
      { InstanceId: 'i-0123' },
      { service: 'ssm' },
    );
    assert.equal(malformed.type, 'InvalidInstanceId');
    assert.match(malformed.message, /mi- followed by 17 hexadecimal digits/);
  });

  void it('tags managed instances', async () => {
    const { ActivationId: id, ActivationCode: code } = await createActivation();
    const { instanceId } = await register(id, code);
    const target = ['--resource-type', 'ManagedInstance', '--resource-id', instanceId];
    await t.awsJson(ssm('add-tags-to-resource', ...target, '--tags', 'Key=rack,Value=r1', 'Key=row,Value=2'));
    await t.awsJson(ssm('remove-tags-from-resource', ...target, '--tag-keys', 'row'));
    const listed = await t.awsJson<{ TagList: unknown[] }>(ssm('list-tags-for-resource', ...target));
    assert.deepEqual(listed.TagList, [{ Key: 'rack', Value: 'r1' }]);
    const doc = await t.aws(
      ssm('list-tags-for-resource', '--resource-type', 'Document', '--resource-id', 'x'),
    );
    assert.match(doc.stderr, /InvalidResourceType/);
    const missing = await t.aws(
      ssm(
        'list-tags-for-resource',
        '--resource-type',
        'ManagedInstance',
        '--resource-id',
        'mi-00000000000000000',
      ),
    );
    assert.match(missing.stderr, /InvalidResourceId/);
  });

  void it('refuses bad CreateActivation, DescribeActivations and DeleteActivation input', async () => {
    const call = (op: string, body: unknown) => rawAwsCall(t, `${SSM}.${op}`, body, { service: 'ssm' });
    const expect = async (op: string, body: unknown, type: string, message: RegExp) => {
      const r = await call(op, body);
      assert.equal(r.type, type, `${op} ${JSON.stringify(body)}: ${r.text}`);
      assert.match(r.message, message);
    };
    const day = 24 * 3600;
    const nowSeconds = Date.now() / 1000;
    await expect('CreateActivation', {}, 'InvalidParameterException', /Missing required parameter 'IamRole'/);
    await expect('CreateActivation', { IamRole: ' ' }, 'InvalidParameters', /IamRole must name/);
    await expect(
      'CreateActivation',
      { IamRole: 'arn:aws:iam::123456789012:role/ecsAnywhereRole' },
      'InvalidParameters',
      /not its ARN/,
    );
    await expect(
      'CreateActivation',
      { IamRole: 'r', RegistrationLimit: 0 },
      'InvalidParameterException',
      /1 and 1000/,
    );
    await expect(
      'CreateActivation',
      { IamRole: 'r', RegistrationLimit: 1001 },
      'InvalidParameterException',
      /1000/,
    );
    await expect(
      'CreateActivation',
      { IamRole: 'r', ExpirationDate: nowSeconds - 60 },
      'InvalidParameters',
      /in the past/,
    );
    await expect(
      'CreateActivation',
      { IamRole: 'r', ExpirationDate: nowSeconds + 31 * day },
      'InvalidParameters',
      /at most 30 days/,
    );
    const limit = await call('CreateActivation', { IamRole: 'r', ExpirationDate: nowSeconds + 29 * day });
    assert.equal(limit.status, 200, limit.text);

    await expect('DescribeActivations', { MaxResults: 51 }, 'InvalidParameterException', /MaxResults/);
    await expect('DescribeActivations', { NextToken: 'nope' }, 'InvalidNextToken', /NextToken/);
    await expect('DescribeActivations', { Filters: [{ FilterValues: ['x'] }] }, 'InvalidFilter', /FilterKey/);
    await expect(
      'DescribeActivations',
      { Filters: [{ FilterKey: 'IamRole', FilterValues: [] }] },
      'InvalidFilter',
      /at least one value/,
    );
    await expect(
      'DescribeActivations',
      { Filters: [{ FilterKey: 'Name' }] },
      'InvalidParameterException',
      /FilterKey/,
    );
    await expect(
      'DeleteActivation',
      { ActivationId: 'not-a-uuid' },
      'InvalidParameterException',
      /ActivationId/,
    );
    await expect(
      'DeleteActivation',
      { ActivationId: '00000000-0000-4000-8000-000000000000' },
      'InvalidActivationId',
      /does not exist/,
    );
  });

  void it('refuses bad RegisterManagedInstance input before looking at the activation', async () => {
    const { ActivationId: id, ActivationCode: code } = await createActivation();
    const body = {
      ActivationId: id,
      ActivationCode: code,
      PublicKey: newPublicKey(),
      PublicKeyType: 'Ed25519',
      Fingerprint: 'f',
    };
    const call = (b: unknown) => rawAwsCall(t, `${SSM}.RegisterManagedInstance`, b, { unsigned: true });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      format: 'der',
      type: 'spki',
    });
    const wrongKey = await call({ ...body, PublicKey: rsa.toString('base64') });
    assert.equal(wrongKey.type, 'InvalidParameters');
    assert.match(wrongKey.message, /Ed25519/);
    assert.equal((await call({ ...body, PublicKeyType: 'Rsa' })).type, 'InvalidParameterException');
    const short = await call({ ...body, ActivationCode: 'short' });
    assert.equal(short.type, 'InvalidParameterException');
    assert.ok(!short.message.includes('short'), 'the code is never echoed');
    assert.equal((await call({ ...body, Fingerprint: undefined })).type, 'InvalidParameterException');
    assert.equal((await describeActivation(id)).RegistrationsCount, 0);
    const ok = await call(body);
    assert.equal(ok.status, 200, ok.text);
  });

  void it('keeps SigV4 for administrator operations and unknown targets', async () => {
    const unsigned = await rawAwsCall(t, `${SSM}.CreateActivation`, { IamRole: 'r' }, { unsigned: true });
    assert.equal(unsigned.type, 'MissingAuthenticationTokenException');
    const unknown = await rawAwsCall(t, `${SSM}.SendCommand`, {}, { unsigned: true });
    assert.equal(unknown.type, 'MissingAuthenticationTokenException');
    const signedUnknown = await rawAwsCall(t, `${SSM}.SendCommand`, {}, { service: 'ssm' });
    assert.equal(signedUnknown.type, 'UnknownOperationException');
    const adminToken = await rawAwsCall(
      t,
      `${SSM}.RequestManagedInstanceRoleToken`,
      { Fingerprint: 'f' },
      { service: 'ssm' },
    );
    assert.equal(adminToken.type, 'IncompleteSignatureException');
    assert.match(adminToken.message, /managed instance's key/);
    const unsignedToken = await rawAwsCall(
      t,
      `${SSM}.RequestManagedInstanceRoleToken`,
      { Fingerprint: 'f' },
      { unsigned: true },
    );
    assert.equal(unsignedToken.type, 'MissingAuthenticationTokenException');
  });
});

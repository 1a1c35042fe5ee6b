/**
 * Cross-implementation check: requests signed by botocore (the AWS CLI v1 and boto3) verify in Berth.
 * botocore canonicalises on its own (Python), so this catches any place where Berth's use of
 * @smithy/signature-v4 differs from what another real signer does.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { SecretLookup, SignedRequest, SigningSecret } from './sigv4.js';
import { verifySigV4 } from './sigv4.js';
import { assertApiError } from '../ecs/testing/api-error.js';
import type { BotocoreSpec } from './testing/botocore-sign.js';
import { botocoreSign } from './testing/botocore-sign.js';

const AKID = 'AKIDBOTOCORE00000001';
const SECRET = 'botocore/Secret+Key/EXAMPLE000000000000000';
const TEMP_AKID = 'ASIABOTOCORE00000002';
const TEMP_SECRET = 'temporary/Secret+Key/EXAMPLE00000000000000';
const TOKEN = 'IQoJb3JpZ2luX2VjEBotocore/session+token==';

const KEYS = new Map<string, SigningSecret>([
  [AKID, { secretAccessKey: SECRET }],
  [TEMP_AKID, { secretAccessKey: TEMP_SECRET, sessionToken: TOKEN }],
]);
const lookup: SecretLookup = (id) => Promise.resolve(KEYS.get(id));

const NOW = new Date('2024-01-01T00:15:00Z');
const LONG_TERM = {
  accessKeyId: AKID,
  secretAccessKey: SECRET,
  region: 'us-east-1',
  signingDate: '2024-01-01T00:15:00Z',
};
const TEMPORARY = { ...LONG_TERM, accessKeyId: TEMP_AKID, secretAccessKey: TEMP_SECRET, sessionToken: TOKEN };

// What `aws ecs list-clusters --endpoint-url http://127.0.0.1:4566` sends.
const ECS_CALL = {
  method: 'POST',
  url: 'http://127.0.0.1:4566/',
  headers: {
    'X-Amz-Target': 'AmazonEC2ContainerServiceV20141113.ListClusters',
    'Content-Type': 'application/x-amz-json-1.1',
  },
  body: '{"maxResults": 10}',
  service: 'ecs',
};
// An agent's websocket upgrade: a GET with an ARN in the query.
const AGENT_UPGRADE = {
  method: 'GET',
  url:
    'http://berth.example.com:8443/ws?clusterArn=arn%3Aaws%3Aecs%3Aus-east-1%3A123456789012%3Acluster%2Fedge%20sites' +
    '&sendCredentials=true&seqNum=1',
  service: 'ecs',
};

const CASES = {
  header: { ...ECS_CALL, ...LONG_TERM },
  headerWithToken: { ...ECS_CALL, ...TEMPORARY },
  headerDefaultHttpsPort: { ...ECS_CALL, ...LONG_TERM, url: 'https://berth.example.com/', service: 'ssm' },
  headerAgentUpgrade: { ...AGENT_UPGRADE, ...LONG_TERM },
  query: { ...AGENT_UPGRADE, ...LONG_TERM, presignExpires: 300 },
  queryWithToken: { ...AGENT_UPGRADE, ...TEMPORARY, presignExpires: 300 },
  // SigV4QueryAuth moves a flat JSON body into the query; the JSON headers stay signed headers.
  queryEcsCall: { ...ECS_CALL, ...TEMPORARY, presignExpires: 60 },
  wrongSecret: { ...ECS_CALL, ...LONG_TERM, secretAccessKey: 'not/the/secret' },
  queryWrongSecret: {
    ...AGENT_UPGRADE,
    ...LONG_TERM,
    secretAccessKey: 'not/the/secret',
    presignExpires: 300,
  },
  wrongToken: { ...ECS_CALL, ...TEMPORARY, sessionToken: 'IQoJb3JpZ2luX2VjEBstale' },
} satisfies Record<string, BotocoreSpec>;

type CaseName = keyof typeof CASES;

describe('verifySigV4 on requests signed by botocore (AWS CLI v1, boto3)', () => {
  const signed = new Map<CaseName, SignedRequest>();

  before(() => {
    const names = Object.keys(CASES) as CaseName[];
    botocoreSign(names.map((n) => CASES[n])).forEach((req, i) => signed.set(names[i]!, req));
  });

  function request(name: CaseName): SignedRequest {
    const req = signed.get(name);
    assert.ok(req, name);
    return req;
  }

  it('accepts the header form, with the port in host and the JSON headers signed', async () => {
    const req = request('header');
    assert.equal(req.headers.host, '127.0.0.1:4566');
    assert.match(
      String(req.headers.authorization),
      /SignedHeaders=content-type;host;x-amz-date;x-amz-target,/,
    );
    const caller = await verifySigV4(req, lookup, { now: NOW, services: ['ecs', 'ssm', 'logs'] });
    assert.deepEqual(caller, { accessKeyId: AKID, region: 'us-east-1', service: 'ecs', signedAt: NOW });
  });

  it('accepts the header form with a session token', async () => {
    const req = request('headerWithToken');
    assert.equal(req.headers['x-amz-security-token'], TOKEN);
    assert.equal((await verifySigV4(req, lookup, { now: NOW })).accessKeyId, TEMP_AKID);
  });

  it('accepts a default port, which botocore leaves out of host', async () => {
    const req = request('headerDefaultHttpsPort');
    assert.equal(req.headers.host, 'berth.example.com');
    assert.equal((await verifySigV4(req, lookup, { now: NOW, services: ['ssm'] })).service, 'ssm');
  });

  it('accepts a GET with a percent-encoded query', async () => {
    await verifySigV4(request('headerAgentUpgrade'), lookup, { now: NOW });
  });

  it('accepts SigV4QueryAuth presigned URLs, with and without a session token', async () => {
    const plain = request('query');
    assert.match(plain.url, /X-Amz-Expires=300/);
    await verifySigV4(plain, lookup, { now: new Date(NOW.getTime() + 299_000) });
    await verifySigV4(request('queryWithToken'), lookup, { now: NOW });
    const ecs = request('queryEcsCall');
    assert.match(ecs.url, /maxResults=10/);
    await verifySigV4(ecs, lookup, { now: NOW, services: ['ecs'] });
  });

  it('rejects a presigned URL past X-Amz-Expires', async () => {
    await assertApiError(
      verifySigV4(request('query'), lookup, { now: new Date(NOW.getTime() + 301_000) }),
      'InvalidSignatureException',
      /^Signature expired: 20240101T001500Z is now earlier than/,
    );
  });

  it('rejects a botocore signature made with the wrong secret, in both forms', async () => {
    for (const name of ['wrongSecret', 'queryWrongSecret'] as const) {
      await assertApiError(
        verifySigV4(request(name), lookup, { now: NOW }),
        'InvalidSignatureException',
        /^The request signature we calculated does not match the signature you provided\./,
        [SECRET],
      );
    }
  });

  it('rejects a botocore request whose body or signed header changed on the way', async () => {
    const req = request('header');
    const body = new TextEncoder().encode('{"maxResults": 11}');
    await assertApiError(
      verifySigV4({ ...req, body }, lookup, { now: NOW }),
      'InvalidSignatureException',
      /does not match/,
    );
    const target = { ...req.headers, 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.DeleteCluster' };
    await assertApiError(
      verifySigV4({ ...req, headers: target }, lookup, { now: NOW }),
      'InvalidSignatureException',
      /does not match/,
    );
  });

  it('rejects a stale session token', async () => {
    await assertApiError(
      verifySigV4(request('wrongToken'), lookup, { now: NOW }),
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
      [TOKEN, TEMP_SECRET],
    );
  });
});

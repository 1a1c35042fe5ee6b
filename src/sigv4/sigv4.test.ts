import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SecretLookup, SignedRequest, SigningSecret, VerifyOptions } from './sigv4.js';
import { verifySigV4 } from './sigv4.js';
import { assertApiError } from '../ecs/testing/api-error.js';
import type { PlainRequest, SigningSpec, TestCredentials } from './testing/smithy-sign.js';
import { smithySign } from './testing/smithy-sign.js';

const LONG_TERM: TestCredentials = {
  accessKeyId: 'AKIDBERTHTEST0000001',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const OTHER: TestCredentials = {
  accessKeyId: 'AKIDBERTHTEST0000009',
  secretAccessKey: 'another/secret+key0000000000000000000000',
};
const TEMPORARY: TestCredentials = {
  accessKeyId: 'ASIABERTHTEST0000002',
  secretAccessKey: 'tempSecret/with+symbols=000000000000000',
  sessionToken: 'IQoJb3JpZ2luX2VjEBerth/session+token==',
};
const SECRETS = [
  LONG_TERM.secretAccessKey,
  OTHER.secretAccessKey,
  TEMPORARY.secretAccessKey,
  'IQoJb3JpZ2luX2VjEB',
];

const KEYS = new Map<string, SigningSecret>(
  [LONG_TERM, OTHER, TEMPORARY].map((c) => [
    c.accessKeyId,
    c.sessionToken === undefined
      ? { secretAccessKey: c.secretAccessKey }
      : { secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken },
  ]),
);
const lookup: SecretLookup = (id) => Promise.resolve(KEYS.get(id));

const T0 = new Date('2024-01-01T00:15:00Z');
const AT_T0: VerifyOptions = { now: T0 };

const LIST_CLUSTERS: PlainRequest = {
  method: 'POST',
  host: '127.0.0.1:4566',
  path: '/',
  headers: {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters',
  },
  body: '{"maxResults":10}',
};

const AGENT_UPGRADE: PlainRequest = {
  method: 'GET',
  host: 'berth.example.com:8443',
  path: '/ws',
  query: {
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge sites',
    containerInstanceArn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/edge/0a1b',
    sendCredentials: 'true',
    seqNum: '1',
  },
};

function spec(credentials: TestCredentials, overrides: Partial<SigningSpec> = {}): SigningSpec {
  return { credentials, region: 'us-east-1', service: 'ecs', signingDate: T0, ...overrides };
}

function withHeaders(req: SignedRequest, headers: Record<string, string | undefined>): SignedRequest {
  const merged: Record<string, string | string[] | undefined> = { ...req.headers, ...headers };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return { ...req, headers: merged };
}

function authorization(req: SignedRequest): string {
  const value = req.headers.authorization;
  assert.equal(typeof value, 'string');
  return value as string;
}

describe('verifySigV4, header form signed by @smithy/signature-v4', () => {
  it('accepts a correctly signed ECS call and names the caller', async () => {
    const req = await smithySign(LIST_CLUSTERS, spec(LONG_TERM));
    const caller = await verifySigV4(req, lookup, { ...AT_T0, services: ['ecs', 'ssm', 'logs'] });
    assert.deepEqual(caller, {
      accessKeyId: LONG_TERM.accessKeyId,
      region: 'us-east-1',
      service: 'ecs',
      signedAt: T0,
    });
  });

  it('accepts temporary credentials with their session token', async () => {
    const req = await smithySign(LIST_CLUSTERS, spec(TEMPORARY));
    assert.equal(req.headers['x-amz-security-token'], TEMPORARY.sessionToken);
    const caller = await verifySigV4(req, lookup, AT_T0);
    assert.equal(caller.accessKeyId, TEMPORARY.accessKeyId);
  });

  it('ignores headers that are not in SignedHeaders', async () => {
    const req = await smithySign(LIST_CLUSTERS, spec(LONG_TERM));
    const withProxyHeaders = withHeaders(req, {
      'user-agent': 'aws-cli/1.45.11',
      'x-forwarded-for': '10.0.0.7',
      'content-length': '17',
      connection: 'keep-alive',
    });
    await verifySigV4(withProxyHeaders, lookup, AT_T0);
  });

  it('accepts a GET with an encoded path and query (the agent websocket upgrade)', async () => {
    const req = await smithySign({ ...AGENT_UPGRADE, path: '/ws/edge%20site/./x' }, spec(LONG_TERM));
    await verifySigV4(req, lookup, AT_T0);
  });

  it('accepts the session token as an unsigned header, as AWS does', async () => {
    const req = await smithySign(LIST_CLUSTERS, spec({ ...TEMPORARY, sessionToken: undefined }));
    const late = withHeaders(req, { 'x-amz-security-token': TEMPORARY.sessionToken });
    await verifySigV4(late, lookup, AT_T0);
  });

  it('rejects a tampered body', async () => {
    const req = await smithySign(LIST_CLUSTERS, spec(LONG_TERM));
    const body = new TextEncoder().encode('{"maxResults":99}');
    // smithy sends x-amz-content-sha256, so the tampering is caught against that header first...
    await assertApiError(
      verifySigV4({ ...req, body }, lookup, AT_T0),
      'InvalidSignatureException',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
    // ...and without it, by the signature itself.
    const bare = withHeaders(req, { 'x-amz-content-sha256': undefined });
    await assertApiError(
      verifySigV4({ ...bare, body }, lookup, AT_T0),
      'InvalidSignatureException',
      /^The request signature we calculated does not match/,
    );
  });

  it('rejects a tampered signed header, path, query or method', async () => {
    const req = await smithySign(AGENT_UPGRADE, spec(LONG_TERM, { region: 'us-east-1' }));
    const post = await smithySign(LIST_CLUSTERS, spec(LONG_TERM));
    const tampered: SignedRequest[] = [
      withHeaders(post, { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.DeleteCluster' }),
      withHeaders(post, { host: '127.0.0.1:4567' }),
      { ...post, url: '/admin' },
      { ...req, url: req.url.replace('seqNum=1', 'seqNum=2') },
      { ...req, url: `${req.url}&extra=1` },
      { ...req, method: 'POST' },
    ];
    for (const t of tampered) {
      await assertApiError(
        verifySigV4(t, lookup, AT_T0),
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. ' +
          'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        SECRETS,
      );
    }
  });

  it('rejects a tampered X-Amz-Date', async () => {
    const req = await smithySign(LIST_CLUSTERS, spec(LONG_TERM));
    const later = withHeaders(req, { 'x-amz-date': '20240101T001501Z' });
    await assertApiError(
      verifySigV4(later, lookup, AT_T0),
      'InvalidSignatureException',
      /does not match the signature/,
    );
  });

  it('requires the credential scope date to be the date of X-Amz-Date', async () => {
    const signedAt = new Date('2024-01-01T23:59:59Z');
    const req = await smithySign(LIST_CLUSTERS, spec(LONG_TERM, { signingDate: signedAt }));
    const nextDay = withHeaders(req, { 'x-amz-date': '20240102T000001Z' });
    await assertApiError(
      verifySigV4(nextDay, lookup, { now: new Date('2024-01-02T00:00:00Z') }),
      'InvalidSignatureException',
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240101' != '20240102', from '20240102T000001Z'.",
    );
  });

  it('rejects a wrong secret, and a key id swapped for another known one', async () => {
    const wrongSecret = await smithySign(LIST_CLUSTERS, spec({ ...LONG_TERM, secretAccessKey: 'nope' }));
    await assertApiError(
      verifySigV4(wrongSecret, lookup, AT_T0),
      'InvalidSignatureException',
      /does not match/,
      SECRETS,
    );
    const req = await smithySign(LIST_CLUSTERS, spec(LONG_TERM));
    const swapped = withHeaders(req, {
      authorization: authorization(req).replace(LONG_TERM.accessKeyId, OTHER.accessKeyId),
    });
    await assertApiError(
      verifySigV4(swapped, lookup, AT_T0),
      'InvalidSignatureException',
      /does not match/,
      SECRETS,
    );
  });

  it('rejects an unknown access key', async () => {
    const req = await smithySign(LIST_CLUSTERS, spec({ ...LONG_TERM, accessKeyId: 'AKIDUNKNOWN000000000' }));
    await assertApiError(
      verifySigV4(req, lookup, AT_T0),
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
  });

  it('rejects temporary credentials without, or with the wrong, session token', async () => {
    const missing = await smithySign(LIST_CLUSTERS, spec({ ...TEMPORARY, sessionToken: undefined }));
    const wrong = await smithySign(
      LIST_CLUSTERS,
      spec({ ...TEMPORARY, sessionToken: 'IQoJb3JpZ2luX2VjEBstale' }),
    );
    const extra = await smithySign(
      LIST_CLUSTERS,
      spec({ ...LONG_TERM, sessionToken: 'IQoJb3JpZ2luX2VjEBextra' }),
    );
    for (const req of [missing, wrong, extra]) {
      await assertApiError(
        verifySigV4(req, lookup, AT_T0),
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
        SECRETS,
      );
    }
  });
});

describe('verifySigV4, query form presigned by @smithy/signature-v4', () => {
  it('accepts a presigned request, with and without a session token', async () => {
    const plain = await smithySign(AGENT_UPGRADE, spec(LONG_TERM, { presignExpiresIn: 300 }));
    assert.match(plain.url, /X-Amz-Signature=/);
    assert.equal(plain.headers.authorization, undefined);
    assert.equal((await verifySigV4(plain, lookup, AT_T0)).accessKeyId, LONG_TERM.accessKeyId);
    const temp = await smithySign(AGENT_UPGRADE, spec(TEMPORARY, { presignExpiresIn: 300 }));
    assert.match(temp.url, /X-Amz-Security-Token=/);
    assert.equal((await verifySigV4(temp, lookup, AT_T0)).accessKeyId, TEMPORARY.accessKeyId);
  });

  it('accepts a presigned POST whose x-amz-* headers were hoisted into the query', async () => {
    const req = await smithySign(LIST_CLUSTERS, spec(LONG_TERM, { presignExpiresIn: 60 }));
    assert.match(req.url, /x-amz-target=AmazonEC2ContainerServiceV20141113.ListClusters/);
    await verifySigV4(req, lookup, AT_T0);
  });

  it('stays valid for X-Amz-Expires, beyond the clock skew, and not a second longer', async () => {
    const req = await smithySign(AGENT_UPGRADE, spec(LONG_TERM, { presignExpiresIn: 3600 }));
    await verifySigV4(req, lookup, { now: new Date(T0.getTime() + 3600_000) });
    await assertApiError(
      verifySigV4(req, lookup, { now: new Date(T0.getTime() + 3601_000) }),
      'InvalidSignatureException',
      'Signature expired: 20240101T001500Z is now earlier than 20240101T001501Z (20240101T011501Z - 60 min.)',
    );
  });

  it('rejects tampering with the query, including a longer X-Amz-Expires', async () => {
    const req = await smithySign(AGENT_UPGRADE, spec(TEMPORARY, { presignExpiresIn: 60 }));
    const tampered = [
      req.url.replace('X-Amz-Expires=60', 'X-Amz-Expires=3600'),
      req.url.replace('sendCredentials=true', 'sendCredentials=false'),
      req.url.replace(/X-Amz-Security-Token=[^&]+/, 'X-Amz-Security-Token=other'),
    ];
    for (const url of tampered) {
      assert.notEqual(url, req.url);
      await assertApiError(
        verifySigV4({ ...req, url }, lookup, AT_T0),
        'InvalidSignatureException',
        /does not match/,
      );
    }
  });

  it('reports every missing query parameter at once', async () => {
    const req: SignedRequest = {
      method: 'GET',
      url: '/ws?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240101T001500Z',
      headers: { host: '127.0.0.1:4566' },
      body: new Uint8Array(),
    };
    await assertApiError(
      verifySigV4(req, lookup, AT_T0),
      'IncompleteSignatureException',
      "AWS query-string parameters must include 'X-Amz-Credential'. " +
        "AWS query-string parameters must include 'X-Amz-Signature'. " +
        "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.",
    );
  });

  it('refuses X-Amz-Expires beyond a week', async () => {
    const req = await smithySign(AGENT_UPGRADE, spec(LONG_TERM, { presignExpiresIn: 60 }));
    const url = req.url.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801');
    await assertApiError(
      verifySigV4({ ...req, url }, lookup, AT_T0),
      'IncompleteSignatureException',
      'X-Amz-Expires must be less than a week (in seconds) that is 604800',
    );
  });
});

describe('verifySigV4, timing', () => {
  it('words a stale request as AWS does', async () => {
    const req = await smithySign(
      LIST_CLUSTERS,
      spec(LONG_TERM, { signingDate: new Date('2024-01-01T00:00:00Z') }),
    );
    await assertApiError(
      verifySigV4(req, lookup, AT_T0),
      'InvalidSignatureException',
      'Signature expired: 20240101T000000Z is now earlier than 20240101T001000Z (20240101T001500Z - 5 min.)',
    );
  });

  it('words a request from the future as AWS does', async () => {
    const req = await smithySign(
      LIST_CLUSTERS,
      spec(LONG_TERM, { signingDate: new Date('2024-01-01T00:21:00Z') }),
    );
    await assertApiError(
      verifySigV4(req, lookup, AT_T0),
      'InvalidSignatureException',
      'Signature not yet current: 20240101T002100Z is still later than 20240101T002000Z (20240101T001500Z + 5 min.)',
    );
  });

  it('accepts exactly the skew, rejects one second more, and honours maxClockSkewMs', async () => {
    const req = await smithySign(LIST_CLUSTERS, spec(LONG_TERM));
    await verifySigV4(req, lookup, { now: new Date(T0.getTime() + 300_000) });
    await verifySigV4(req, lookup, { now: new Date(T0.getTime() - 300_000) });
    await assertApiError(
      verifySigV4(req, lookup, { now: new Date(T0.getTime() + 301_000) }),
      'InvalidSignatureException',
      /^Signature expired/,
    );
    await verifySigV4(req, lookup, { now: new Date(T0.getTime() + 900_000), maxClockSkewMs: 900_000 });
    await assertApiError(
      verifySigV4(req, lookup, { now: new Date(T0.getTime() + 901_000), maxClockSkewMs: 900_000 }),
      'InvalidSignatureException',
      'Signature expired: 20240101T001500Z is now earlier than 20240101T001501Z (20240101T003001Z - 15 min.)',
    );
  });

  it('refuses an X-Amz-Date that is not ISO 8601 basic format, or not a date', async () => {
    const req = await smithySign(LIST_CLUSTERS, spec(LONG_TERM));
    for (const date of ['2024-01-01T00:15:00Z', '20240230T001500Z', '20240101T001500']) {
      await assertApiError(
        verifySigV4(withHeaders(req, { 'x-amz-date': date }), lookup, AT_T0),
        'IncompleteSignatureException',
        `Date must be in ISO-8601 'basic format'. Got '${date}'. See http://en.wikipedia.org/wiki/ISO_8601`,
      );
    }
  });
});

describe('verifySigV4, malformed or missing authentication', () => {
  const unsigned: SignedRequest = {
    method: 'POST',
    url: '/',
    headers: { host: '127.0.0.1:4566', 'content-type': 'application/x-amz-json-1.1' },
    body: new TextEncoder().encode('{}'),
  };

  it('says Missing Authentication Token when there is no SigV4 at all', async () => {
    for (const req of [unsigned, withHeaders(unsigned, { authorization: 'Bearer abc.def' })]) {
      await assertApiError(
        verifySigV4(req, lookup, AT_T0),
        'MissingAuthenticationTokenException',
        'Missing Authentication Token',
      );
    }
  });

  it('names every missing part of the Authorization header', async () => {
    const req = withHeaders(unsigned, {
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDBERTHTEST0000001/20240101/us-east-1/ecs/aws4_request',
    });
    await assertApiError(
      verifySigV4(req, lookup, AT_T0),
      'IncompleteSignatureException',
      "Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. " +
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  });

  it('refuses another algorithm, and a credential that is not five elements', async () => {
    const req = await smithySign(LIST_CLUSTERS, spec(LONG_TERM));
    const auth = authorization(req);
    await assertApiError(
      verifySigV4(
        withHeaders(req, { authorization: auth.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512') }),
        lookup,
        AT_T0,
      ),
      'IncompleteSignatureException',
      "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now).",
    );
    await assertApiError(
      verifySigV4(withHeaders(req, { authorization: auth.replace('/ecs/', '/') }), lookup, AT_T0),
      'IncompleteSignatureException',
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDBERTHTEST0000001/20240101/us-east-1/aws4_request'",
    );
  });

  it('requires host to be signed', async () => {
    const req = await smithySign(LIST_CLUSTERS, spec(LONG_TERM));
    const auth = authorization(req).replace(
      'SignedHeaders=content-type;host;',
      'SignedHeaders=content-type;',
    );
    assert.notEqual(auth, authorization(req));
    await assertApiError(
      verifySigV4(withHeaders(req, { authorization: auth }), lookup, AT_T0),
      'InvalidSignatureException',
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  });

  it('checks the scope against the allowed services and regions, naming every problem', async () => {
    const req = await smithySign(LIST_CLUSTERS, spec(LONG_TERM));
    await verifySigV4(req, lookup, { ...AT_T0, services: ['ecs'], regions: ['us-east-1'] });
    await assertApiError(
      verifySigV4(req, lookup, { ...AT_T0, services: ['ssm'] }),
      'InvalidSignatureException',
      "Credential should be scoped to correct service: 'ssm'.",
    );
    await assertApiError(
      verifySigV4(req, lookup, { ...AT_T0, regions: ['eu-west-1'] }),
      'InvalidSignatureException',
      "Credential should be scoped to a valid region, not 'us-east-1'.",
    );
    const badScope = withHeaders(req, {
      authorization: authorization(req).replace('/us-east-1/ecs/aws4_request', '/US_EAST/ecs/aws5_request'),
    });
    await assertApiError(
      verifySigV4(badScope, lookup, AT_T0),
      'InvalidSignatureException',
      "Credential should be scoped to a valid region, not 'US_EAST'. " +
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.",
    );
  });

  it('refuses both an Authorization header and a presigned query', async () => {
    const req = await smithySign(LIST_CLUSTERS, spec(LONG_TERM));
    await assertApiError(
      verifySigV4({ ...req, url: '/?X-Amz-Algorithm=AWS4-HMAC-SHA256' }, lookup, AT_T0),
      'InvalidSignatureException',
      "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
    );
  });
});

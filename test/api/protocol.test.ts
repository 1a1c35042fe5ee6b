/**
 * The wire protocol and authentication, end to end against a real server: what the AWS SDKs, the AWS CLI
 * and boto3 (their own calls: test/cli/real-clients.test.ts) rely on when they parse a Berth response (status, content type, request id, `__type` and
 * `x-amzn-errortype`), and how each kind of bad request is refused. Requests are signed by hand with
 * `@smithy/signature-v4` (the SDK's own signer) and sent with fetch, so every header is under the test's
 * control.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../src/sigv4/sha256.js';
import { startTestServer, type AdminKeys, type TestServer } from '../rigs/harness.js';

const ECS = 'AmazonEC2ContainerServiceV20141113';
const AMZ_JSON = 'application/x-amz-json-1.1';
/** A well-formed access key id that Berth never issued. */
const UNKNOWN_KEY: AdminKeys = {
  accessKeyId: 'AKIAZZZZZZZZZZZZZZZZ',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

interface RawRequest {
  readonly method?: string;
  readonly path?: string;
  /** Headers to send; `content-type` and `x-amz-target` default to an ECS call unless set (null drops). */
  readonly headers?: Readonly<Record<string, string | null>>;
  readonly target?: string | null;
  readonly body?: string | Buffer;
}

interface Signing {
  readonly keys: AdminKeys;
  readonly region?: string;
  readonly signingDate?: Date;
  /** Sign in the query string (a presigned URL) valid for this many seconds, instead of a header. */
  readonly presignExpiresIn?: number;
}

interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

describe('awsJson1.1 protocol and SigV4 against a running server', () => {
  let t: TestServer;
  let host: string;

  before(async () => {
    t = await startTestServer();
    host = new URL(t.url).host;
  });
  after(() => t.stop());

  /** Builds the request as an SDK would, signs it if asked, and sends it with fetch. */
  async function send(req: RawRequest, signing?: Signing): Promise<RawResponse> {
    const method = req.method ?? 'POST';
    const path = req.path ?? '/';
    const headers: Record<string, string> = { 'content-type': AMZ_JSON };
    const target = req.target === undefined ? `${ECS}.ListClusters` : req.target;
    if (target !== null) headers['x-amz-target'] = target;
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      if (value === null) delete headers[name];
      else headers[name] = value;
    }
    const body = req.body ?? (method === 'POST' ? '{}' : undefined);
    let query: Record<string, string | string[] | null> = {};
    if (signing !== undefined) {
      const signer = new SignatureV4({
        credentials: signing.keys,
        region: signing.region ?? t.region,
        service: 'ecs',
        sha256: Sha256,
      });
      // fetch sends `Host: 127.0.0.1:PORT` on its own; the signer must see exactly that value.
      const request = {
        method,
        protocol: 'http:',
        hostname: '127.0.0.1',
        path,
        query: {},
        headers: { ...headers, host },
        ...(body === undefined ? {} : { body }),
      };
      const signingDate = signing.signingDate ?? new Date();
      const signed =
        signing.presignExpiresIn === undefined
          ? await signer.sign(request, { signingDate })
          : await signer.presign(request, { signingDate, expiresIn: signing.presignExpiresIn });
      for (const [name, value] of Object.entries(signed.headers)) {
        if (name.toLowerCase() !== 'host') headers[name] = value;
      }
      query = signed.query ?? {};
    }
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === null) continue;
      for (const item of typeof v === 'string' ? [v] : v) search.append(k, item);
    }
    const qs = search.size > 0 ? `?${search.toString()}` : '';
    const res = await fetch(`${t.url}${path}${qs}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  const admin = (): Signing => ({ keys: t.keys });

  /** Asserts the error shape every AWS SDK parses, and returns the message for further checks. */
  function assertError(res: RawResponse, code: string, status = 400): string {
    assert.equal(res.status, status, `status for ${code}; body was ${res.text}`);
    assert.equal(res.headers.get('x-amzn-errortype'), code);
    assert.equal(res.headers.get('content-type'), AMZ_JSON);
    assert.ok(res.headers.get('x-amzn-requestid'), 'error responses carry a request id too');
    const body = JSON.parse(res.text) as { __type?: unknown; message?: unknown };
    assert.equal(body.__type, code);
    assert.equal(typeof body.message, 'string');
    assert.notEqual(body.message, '', 'an error says what went wrong');
    return body.message as string;
  }

  describe('successful calls', () => {
    it('answer 200 in application/x-amz-json-1.1 with a request id', async () => {
      const res = await send({ target: `${ECS}.ListClusters`, body: '{}' }, admin());
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers.get('content-type'), AMZ_JSON);
      assert.match(res.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(res.headers.get('x-amzn-errortype'), null);
      assert.deepEqual(JSON.parse(res.text), { clusterArns: [] });
    });

    it('give each request its own request id', async () => {
      const a = await send({}, admin());
      const b = await send({}, admin());
      assert.notEqual(a.headers.get('x-amzn-requestid'), b.headers.get('x-amzn-requestid'));
    });

    it('take an empty body as {} (no input)', async () => {
      const res = await send({ target: `${ECS}.ListClusters`, body: '' }, admin());
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(JSON.parse(res.text), { clusterArns: [] });
    });

    it('work with a presigned (query-string) signature', async () => {
      const res = await send(
        { target: `${ECS}.CreateCluster`, body: JSON.stringify({ clusterName: 'presigned' }) },
        { keys: t.keys, presignExpiresIn: 300 },
      );
      assert.equal(res.status, 200, res.text);
      const out = JSON.parse(res.text) as { cluster: { clusterName: string; status: string } };
      assert.equal(out.cluster.clusterName, 'presigned');
      assert.equal(out.cluster.status, 'ACTIVE');
    });

    it('send timestamps as epoch seconds (numbers), as awsJson1.1 requires', async () => {
      const before = Date.now() / 1000;
      const registered = await send(
        {
          target: `${ECS}.RegisterTaskDefinition`,
          body: JSON.stringify({
            family: 'clock',
            requiresCompatibilities: ['EXTERNAL'],
            containerDefinitions: [{ name: 'c', image: 'busybox', memory: 64, essential: true }],
          }),
        },
        admin(),
      );
      assert.equal(registered.status, 200, registered.text);
      const res = await send(
        { target: `${ECS}.DescribeTaskDefinition`, body: JSON.stringify({ taskDefinition: 'clock' }) },
        admin(),
      );
      assert.equal(res.status, 200, res.text);
      const { registeredAt } = (JSON.parse(res.text) as { taskDefinition: { registeredAt: unknown } })
        .taskDefinition;
      assert.equal(
        typeof registeredAt,
        'number',
        `registeredAt should be a number, got ${String(registeredAt)}`,
      );
      // Seconds, not milliseconds: within a minute of the time of the call.
      assert.ok(Math.abs((registeredAt as number) - before) < 60, `registeredAt ${String(registeredAt)}`);
    });
  });

  describe('requests naming no known operation', () => {
    it('refuse an unknown ECS operation with UnknownOperationException', async () => {
      const message = assertError(
        await send({ target: `${ECS}.Nope` }, admin()),
        'UnknownOperationException',
      );
      assert.match(message, /Nope/);
    });

    it('refuse an unknown service prefix with UnknownOperationException', async () => {
      const res = await send({ target: 'AmazonNotAService_20200101.ListClusters' }, admin());
      assertError(res, 'UnknownOperationException');
    });

    it('refuse a request without X-Amz-Target', async () => {
      const message = assertError(await send({ target: null }, admin()), 'UnknownOperationException');
      assert.match(message, /X-Amz-Target/);
    });

    for (const contentType of ['application/json', 'text/plain']) {
      it(`refuse content type ${contentType} with UnknownOperationException`, async () => {
        const res = await send({ headers: { 'content-type': contentType } }, admin());
        const message = assertError(res, 'UnknownOperationException');
        assert.match(message, /application\/x-amz-json-1\.1/, 'the message names the content type to send');
      });
    }
  });

  describe('bodies that are not a JSON object', () => {
    it('refuse malformed JSON with SerializationException', async () => {
      const res = await send({ target: `${ECS}.CreateCluster`, body: '{"clusterName": ' }, admin());
      assertError(res, 'SerializationException');
    });

    it('refuse a JSON array with SerializationException', async () => {
      const res = await send({ target: `${ECS}.CreateCluster`, body: '[{"clusterName":"x"}]' }, admin());
      assertError(res, 'SerializationException');
    });
  });

  describe('authentication', () => {
    it('refuses an unsigned request with MissingAuthenticationTokenException', async () => {
      assertError(await send({}), 'MissingAuthenticationTokenException');
    });

    it('refuses a key Berth never issued with UnrecognizedClientException', async () => {
      const message = assertError(await send({}, { keys: UNKNOWN_KEY }), 'UnrecognizedClientException');
      assert.equal(message, 'The security token included in the request is invalid.');
    });

    it('refuses a wrong secret with InvalidSignatureException, leaking nothing', async () => {
      const wrong = { accessKeyId: t.keys.accessKeyId, secretAccessKey: UNKNOWN_KEY.secretAccessKey };
      const res = await send({}, { keys: wrong });
      const message = assertError(res, 'InvalidSignatureException');
      assert.match(message, /signature we calculated does not match/);
      assert.ok(!res.text.includes(t.keys.secretAccessKey), 'the real secret never appears');
    });

    it('refuses a signature made 20 minutes ago with "Signature expired"', async () => {
      const res = await send({}, { keys: t.keys, signingDate: new Date(Date.now() - 20 * 60_000) });
      const message = assertError(res, 'InvalidSignatureException');
      assert.match(message, /^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    });

    it('refuses a presigned request past its X-Amz-Expires', async () => {
      const res = await send(
        {},
        { keys: t.keys, signingDate: new Date(Date.now() - 10 * 60_000), presignExpiresIn: 60 },
      );
      const message = assertError(res, 'InvalidSignatureException');
      assert.match(message, /^Signature expired/);
    });

    it('refuses a body changed after signing', async () => {
      const signer = new SignatureV4({
        credentials: t.keys,
        region: t.region,
        service: 'ecs',
        sha256: Sha256,
      });
      const headers = { 'content-type': AMZ_JSON, 'x-amz-target': `${ECS}.CreateCluster` };
      const signed = await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        path: '/',
        query: {},
        headers: { ...headers, host },
        body: '{"clusterName":"signed"}',
      });
      const { host: _host, ...sent } = signed.headers;
      const res = await fetch(`${t.url}/`, { method: 'POST', headers: sent, body: '{"clusterName":"evil"}' });
      assertError(
        { status: res.status, headers: res.headers, text: await res.text() },
        'InvalidSignatureException',
      );
    });
  });

  describe('the HTTP front door', () => {
    it('answers GET /health with 200 JSON, no signature needed', async () => {
      const res = await fetch(`${t.url}/health`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      const body = (await res.json()) as { ok?: unknown };
      assert.equal(body.ok, true);
    });

    it('refuses a body over 2 MiB with 413 before authenticating it', async () => {
      const big = `{"clusterName":"${'x'.repeat(2 * 1024 * 1024)}"}`;
      const res = await send({ target: `${ECS}.CreateCluster`, body: big });
      assertError(res, 'RequestEntityTooLargeException', 413);
    });

    it('answers 404 to other methods and paths', async () => {
      for (const [method, path] of [
        ['GET', '/'],
        ['PUT', '/'],
        ['DELETE', '/'],
        ['POST', '/v1/clusters'],
        ['GET', '/nope'],
      ] as const) {
        const res = await fetch(`${t.url}${path}`, {
          method,
          ...(method === 'GET' ? {} : { body: '{}' }),
        });
        assert.equal(res.status, 404, `${method} ${path}`);
        await res.body?.cancel();
      }
    });
  });
});

/**
 * End to end over real HTTP: the AWS SDK for JavaScript v3 (`ECSClient`) and, when installed, the AWS CLI v1
 * call a node:http server on 127.0.0.1 that runs the verifier on exactly what it receives and answers in
 * awsJson1.1, so the clients' own signing, host/port handling and error parsing are all exercised.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { errorResponse, successResponse } from '../ecs/aws-json.js';
import type { WireResponse } from '../ecs/aws-json.js';
import { ApiError, isApiError } from '../ecs/errors.js';
import type { SecretLookup, SigningSecret, VerifiedCaller, VerifyOptions } from './sigv4.js';
import { verifySigV4 } from './sigv4.js';

const AKID = 'AKIDSDKTEST000000001';
const SECRET = 'sdk/Secret+Key/EXAMPLE00000000000000000';
const TEMP_AKID = 'ASIASDKTEST000000002';
const TEMP_SECRET = 'temp/Secret+Key/EXAMPLE0000000000000000';
const TOKEN = 'IQoJb3JpZ2luX2VjESdk/session+token==';

const KEYS = new Map<string, SigningSecret>([
  [AKID, { secretAccessKey: SECRET }],
  [TEMP_AKID, { secretAccessKey: TEMP_SECRET, sessionToken: TOKEN }],
]);
const lookup: SecretLookup = (id) => Promise.resolve(KEYS.get(id));

const VERIFY: Omit<VerifyOptions, 'now'> = { services: ['ecs', 'ssm', 'logs'], regions: ['us-east-1'] };

describe('verifySigV4 behind a real HTTP server', () => {
  let server: Server;
  let endpoint: string;
  const callers: VerifiedCaller[] = [];

  before(async () => {
    server = createServer((req, res) => handle(req, res, callers));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function listClusters(
    region: string,
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  ) {
    const client = new ECSClient({ region, endpoint, credentials, maxAttempts: 1 });
    try {
      return await client.send(new ListClustersCommand({}));
    } finally {
      client.destroy();
    }
  }

  async function sdkErrorOf(promise: Promise<unknown>): Promise<Error> {
    try {
      await promise;
    } catch (e) {
      assert.ok(e instanceof Error);
      return e;
    }
    assert.fail('the call should have failed');
  }

  it('lets ECSClient with good credentials through, host port and all', async () => {
    callers.length = 0;
    const out = await listClusters('us-east-1', { accessKeyId: AKID, secretAccessKey: SECRET });
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(callers.length, 1);
    assert.equal(callers[0]?.accessKeyId, AKID);
    assert.equal(callers[0]?.service, 'ecs');
    assert.equal(callers[0]?.region, 'us-east-1');
  });

  it('lets ECSClient with temporary credentials and their token through', async () => {
    await listClusters('us-east-1', {
      accessKeyId: TEMP_AKID,
      secretAccessKey: TEMP_SECRET,
      sessionToken: TOKEN,
    });
  });

  it('surfaces InvalidSignatureException to ECSClient for a wrong secret', async () => {
    const e = await sdkErrorOf(
      listClusters('us-east-1', { accessKeyId: AKID, secretAccessKey: 'wrong/secret' }),
    );
    assert.equal(e.name, 'InvalidSignatureException');
    assert.match(
      e.message,
      /^The request signature we calculated does not match the signature you provided\./,
    );
  });

  it('surfaces UnrecognizedClientException for an unknown key or a wrong token', async () => {
    const unknown = await sdkErrorOf(
      listClusters('us-east-1', { accessKeyId: 'AKIDNOSUCHKEY0000000', secretAccessKey: SECRET }),
    );
    assert.equal(unknown.name, 'UnrecognizedClientException');
    const stale = await sdkErrorOf(
      listClusters('us-east-1', {
        accessKeyId: TEMP_AKID,
        secretAccessKey: TEMP_SECRET,
        sessionToken: 'old',
      }),
    );
    assert.equal(stale.name, 'UnrecognizedClientException');
    assert.equal(stale.message, 'The security token included in the request is invalid.');
  });

  it('tells ECSClient which region the scope should have named', async () => {
    const e = await sdkErrorOf(listClusters('eu-west-1', { accessKeyId: AKID, secretAccessKey: SECRET }));
    assert.equal(e.name, 'InvalidSignatureException');
    assert.equal(e.message, "Credential should be scoped to a valid region, not 'eu-west-1'.");
  });

  const cli = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  const skipCli = cli.status === 0 ? false : 'the AWS CLI is not installed';

  it(
    'lets `aws ecs list-clusters --endpoint-url` (AWS CLI v1) through, and refuses a wrong secret',
    { skip: skipCli },
    async () => {
      callers.length = 0;
      const ok = await runAwsCli(endpoint, AKID, SECRET);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(callers[0]?.accessKeyId, AKID);
      const bad = await runAwsCli(endpoint, AKID, 'wrong/secret');
      assert.notEqual(bad.code, 0);
      assert.match(
        bad.stderr,
        /An error occurred \(InvalidSignatureException\) when calling the ListClusters operation/,
      );
    },
  );
});

function handle(req: IncomingMessage, res: ServerResponse, callers: VerifiedCaller[]): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const requestId = randomUUID();
    const signed = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    verifySigV4(signed, lookup, { ...VERIFY, now: new Date() }).then(
      (caller) => {
        callers.push(caller);
        send(res, successResponse(requestId, {}));
      },
      (e: unknown) => {
        const error = isApiError(e) ? e : new ApiError('InternalFailure', 'verification crashed');
        send(res, errorResponse(requestId, error));
      },
    );
  });
}

function send(res: ServerResponse, wire: WireResponse): void {
  res.writeHead(wire.status, wire.headers);
  res.end(wire.body);
}

interface CliRun {
  readonly code: number;
  readonly stderr: string;
}

function runAwsCli(endpoint: string, accessKeyId: string, secretAccessKey: string): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('AWS_')) env[name] = value;
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_MAX_ATTEMPTS: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  return new Promise((resolve) => {
    // Asynchronous: the server answering the CLI runs in this very process.
    execFile(
      'aws',
      ['ecs', 'list-clusters', '--endpoint-url', endpoint, '--output', 'json'],
      { env },
      (error, _out, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stderr });
      },
    );
  });
}

/**
 * End to end over real HTTP: the AWS SDK for JavaScript v3 (`ECSClient`) calls a node:http server on 127.0.0.1
 * that runs the verifier on exactly what it receives and answers in awsJson1.1, so the client's own signing,
 * host/port handling and error parsing are all exercised. The AWS CLI's turn is sigv4-sdk.cli.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import type { VerifiedCaller } from './sigv4.js';
import {
  AKID,
  SECRET,
  startVerifyingServer,
  TEMP_AKID,
  TEMP_SECRET,
  TOKEN,
  type VerifyingServer,
} from './testing/verifying-server.js';

describe('verifySigV4 behind a real HTTP server', () => {
  let server: VerifyingServer;
  let endpoint: string;
  let callers: VerifiedCaller[];

  before(async () => {
    server = await startVerifyingServer();
    ({ endpoint, callers } = server);
  });

  after(() => server.close());

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
});

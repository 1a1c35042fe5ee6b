/**
 * The AWS CLI v1 calling a server that runs the verifier on exactly what it receives (see sigv4-sdk.test.ts
 * for the JavaScript SDK): botocore's own signing, host/port handling and error output.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { AKID, SECRET, startVerifyingServer, type VerifyingServer } from './testing/verifying-server.js';

describe('verifySigV4 behind a real HTTP server, called by the AWS CLI', () => {
  let server: VerifyingServer;
  let endpoint: string;

  before(async () => {
    server = await startVerifyingServer();
    endpoint = server.endpoint;
  });

  after(() => server.close());

  it('lets `aws ecs list-clusters --endpoint-url` (AWS CLI v1) through, and refuses a wrong secret', async () => {
    server.callers.length = 0;
    const ok = await runAwsCli(endpoint, AKID, SECRET);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(server.callers[0]?.accessKeyId, AKID);
    const bad = await runAwsCli(endpoint, AKID, 'wrong/secret');
    assert.notEqual(bad.code, 0);
    assert.match(
      bad.stderr,
      /An error occurred \(InvalidSignatureException\) when calling the ListClusters operation/,
    );
  });
});

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

/**
 * The AWS CLI and boto3 against a real server: wrong credentials surface as the ECS error the CLI prints, and
 * boto3 parses what Berth answers (the wire details themselves: test/api/protocol.test.ts).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type AdminKeys, type TestServer } from '../rigs/harness.js';

const run = promisify(execFile);

/** A well-formed access key id that Berth never issued. */
const UNKNOWN_KEY: AdminKeys = {
  accessKeyId: 'AKIAZZZZZZZZZZZZZZZZ',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

describe('real clients against a running server', () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('the AWS CLI reports wrong credentials as UnrecognizedClientException', async () => {
    let stderr = '';
    let code = 0;
    try {
      await run('aws', ['--endpoint-url', t.url, 'ecs', 'list-clusters'], {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_ACCESS_KEY_ID: UNKNOWN_KEY.accessKeyId,
          AWS_SECRET_ACCESS_KEY: UNKNOWN_KEY.secretAccessKey,
          AWS_DEFAULT_REGION: t.region,
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_MAX_ATTEMPTS: '1',
          AWS_PAGER: '',
        },
      });
    } catch (e) {
      const err = e as { code?: number; stderr?: string };
      code = err.code ?? 1;
      stderr = err.stderr ?? '';
    }
    assert.notEqual(code, 0, 'the command fails');
    assert.match(stderr, /An error occurred \(UnrecognizedClientException\)/);
    assert.match(stderr, /security token included in the request is invalid/);
  });

  it('boto3 creates and describes a cluster, and raises ClientError with the ECS code', async () => {
    const script = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, region, key, secret = sys.argv[1:5]
ecs = boto3.client('ecs', endpoint_url=url, region_name=region,
                 aws_access_key_id=key, aws_secret_access_key=secret)
out = {}
out['created'] = ecs.create_cluster(clusterName='from-boto3', tags=[{'key': 'team', 'value': 'edge'}])['cluster']
out['described'] = ecs.describe_clusters(clusters=['from-boto3'], include=['TAGS'])['clusters']
try:
  ecs.delete_cluster(cluster='no-such-cluster')
  out['error'] = None
except ClientError as e:
  out['error'] = {'code': e.response['Error']['Code'], 'message': e.response['Error']['Message'],
                  'status': e.response['ResponseMetadata']['HTTPStatusCode']}
json.dump(out, sys.stdout, default=str)
`;
    const { stdout } = await run('python3', [
      '-c',
      script,
      t.url,
      t.region,
      t.keys.accessKeyId,
      t.keys.secretAccessKey,
    ]);
    const out = JSON.parse(stdout) as {
      created: { clusterName: string; clusterArn: string; status: string };
      described: { clusterArn: string; tags: { key: string; value: string }[] }[];
      error: { code: string; message: string; status: number } | null;
    };
    assert.equal(out.created.clusterName, 'from-boto3');
    assert.equal(out.created.status, 'ACTIVE');
    assert.equal(out.created.clusterArn, `arn:aws:ecs:${t.region}:123456789012:cluster/from-boto3`);
    assert.equal(out.described.length, 1);
    assert.equal(out.described[0]?.clusterArn, out.created.clusterArn);
    assert.deepEqual(out.described[0]?.tags, [{ key: 'team', value: 'edge' }]);
    assert.deepEqual(out.error, {
      code: 'ClusterNotFoundException',
      message: 'Cluster not found.',
      status: 400,
    });
  });
});

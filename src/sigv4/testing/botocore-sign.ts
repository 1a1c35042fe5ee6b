/**
 * Test helper: signs requests with botocore, the signer inside the AWS CLI v1 and boto3, by running the
 * Python installed on the machine. botocore's clock is pinned to the requested signing time.
 */
import { spawnSync } from 'node:child_process';
import type { SignedRequest } from '../sigv4.js';

export interface BotocoreSpec {
  readonly method: string;
  /** Full URL as botocore's endpoint would build it, e.g. `http://127.0.0.1:4566/`. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly region: string;
  readonly service: string;
  /** ISO 8601 instant, e.g. `2024-01-01T00:15:00Z`. */
  readonly signingDate: string;
  /** Use SigV4QueryAuth (presigned URL) with this expiry, instead of SigV4Auth. */
  readonly presignExpires?: number;
}

const SCRIPT = `
import base64, datetime, json, sys
import botocore.auth
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

out = []
for spec in json.load(sys.stdin):
    when = datetime.datetime.strptime(spec['signingDate'], '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
    botocore.auth.get_current_datetime = lambda: when
    creds = Credentials(spec['accessKeyId'], spec['secretAccessKey'], spec.get('sessionToken'))
    req = AWSRequest(method=spec['method'], url=spec['url'], headers=spec.get('headers') or {}, data=spec.get('body') or '')
    if spec.get('presignExpires') is not None:
        SigV4QueryAuth(creds, spec['service'], spec['region'], expires=spec['presignExpires']).add_auth(req)
    else:
        SigV4Auth(creds, spec['service'], spec['region']).add_auth(req)
    body = req.body or b''
    if isinstance(body, str):
        body = body.encode('utf-8')
    out.append({'method': req.method, 'url': req.url, 'headers': dict(req.headers.items()),
                'body': base64.b64encode(body).decode('ascii')})
json.dump(out, sys.stdout)
`;

interface BotocoreOutput {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Signs every spec in one Python run (botocore takes a while to import) and returns what goes on the wire. */
export function botocoreSign(specs: readonly BotocoreSpec[]): SignedRequest[] {
  const run = spawnSync('python3', ['-c', SCRIPT], { input: JSON.stringify(specs), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`botocore signing failed: ${run.stderr || String(run.error)}`);
  const outputs = JSON.parse(run.stdout) as BotocoreOutput[];
  return outputs.map((o) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(o.headers)) headers[name.toLowerCase()] = value;
    // botocore signs the host derived from the URL (port kept unless default) and leaves the header to the
    // HTTP client, which sends the same value; do what urllib3 does.
    headers.host = new URL(o.url).host;
    return {
      method: o.method,
      url: o.url.replace(/^[a-z]+:\/\/[^/?#]*/i, '') || '/',
      headers,
      body: new Uint8Array(Buffer.from(o.body, 'base64')),
    };
  });
}

/**
 * A signed awsJson1.1 call with the administrator's key, for CLI commands that set things up through the
 * API like any other client would (no back door into the store).
 */
import { SignatureV4 } from '@smithy/signature-v4';
import type { AdminKeys } from '../control-plane/auth/bootstrap.js';
import { Sha256 } from '../sigv4/sha256.js';

const SIGNING_NAMES: Readonly<Record<string, string>> = {
  AmazonEC2ContainerServiceV20141113: 'ecs',
  AmazonSSM: 'ssm',
};

export async function adminCall<T>(
  endpoint: string,
  region: string,
  keys: AdminKeys,
  target: string,
  body: unknown,
): Promise<T> {
  const url = new URL(endpoint);
  const service = SIGNING_NAMES[target.split('.')[0] ?? ''];
  if (service === undefined) throw new Error(`no signing name known for ${target}`);
  const payload = JSON.stringify(body);
  const signer = new SignatureV4({ service, region, credentials: keys, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port !== '' && { port: Number(url.port) }),
    path: '/',
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
    },
    body: payload,
  });
  const response = await fetch(new URL('/', url), { method: 'POST', headers: signed.headers, body: payload });
  const text = await response.text();
  const parsed = (text === '' ? {} : JSON.parse(text)) as { __type?: string; message?: string };
  if (!response.ok)
    throw new Error(`${target} failed: ${parsed.__type ?? response.status}: ${parsed.message ?? text}`);
  return parsed as T;
}

/**
 * Test helpers for calls no SDK would send: any JSON body, signed with the administrator's keys the way the
 * JavaScript SDK signs (`@smithy/signature-v4`), so a test can send wrong types and missing members and see
 * exactly what the server answers.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../src/sigv4/sha256.js';
import type { TestServer } from './harness.js';

const ECS_TARGET = 'AmazonEC2ContainerServiceV20141113';

export interface RawResult {
  readonly status: number;
  /** `__type` of an error response; undefined on success. */
  readonly type: string | undefined;
  readonly message: string;
  readonly text: string;
}

export async function rawCall(t: TestServer, operation: string, body: unknown): Promise<RawResult> {
  return rawAwsCall(t, `${ECS_TARGET}.${operation}`, body);
}

export interface RawCallOptions {
  /** Signing name. @default 'ecs' */
  readonly service?: string;
  /** Keys to sign with. @default the administrator's */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Send no signature at all. */
  readonly unsigned?: boolean;
  /** Extra headers (signed with the rest), e.g. `x-berth-log-batch`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Any target (`AmazonSSM.CreateActivation`), signed with any keys, or not signed. */
export async function rawAwsCall(
  t: Pick<TestServer, 'url' | 'keys' | 'region'>,
  target: string,
  body: unknown,
  options: RawCallOptions = {},
): Promise<RawResult> {
  const url = new URL(t.url);
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const request = {
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    path: '/',
    query: {},
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
      ...options.headers,
    },
    body: text,
  };
  const signer = new SignatureV4({
    credentials: options.credentials ?? t.keys,
    region: t.region,
    service: options.service ?? 'ecs',
    sha256: Sha256,
  });
  const signed = options.unsigned === true ? request : await signer.sign(request);
  const headers = Object.fromEntries(
    Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host'),
  );
  const res = await fetch(t.url, { method: 'POST', headers, body: text });
  const answer = await res.text();
  let parsed: { __type?: unknown; message?: unknown } = {};
  try {
    parsed = JSON.parse(answer) as typeof parsed;
  } catch {
    // Not JSON: the assertions on status and type report it.
  }
  return {
    status: res.status,
    type: typeof parsed.__type === 'string' ? parsed.__type : undefined,
    message: typeof parsed.message === 'string' ? parsed.message : '',
    text: answer,
  };
}

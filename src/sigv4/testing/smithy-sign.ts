/**
 * Test helper: signs a request the way the AWS SDK for JavaScript v3 does, with `@smithy/signature-v4`'s
 * public `sign` (header form) or `presign` (query form), and returns it as node:http would hand it to
 * Berth: lower-case header names, raw `path?query`, body bytes.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../sha256.js';
import type { SignedRequest } from '../sigv4.js';

export interface TestCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface PlainRequest {
  readonly method: string;
  /** Host header value, with the port when not the default, e.g. `127.0.0.1:4566`. */
  readonly host: string;
  /** Path as sent on the wire (already percent-encoded). */
  readonly path: string;
  /** Decoded query parameters. */
  readonly query?: Readonly<Record<string, string | string[]>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface SigningSpec {
  readonly credentials: TestCredentials;
  readonly region: string;
  readonly service: string;
  readonly signingDate: Date;
  /** Presign (query form) valid for this many seconds, instead of an Authorization header. */
  readonly presignExpiresIn?: number;
}

export async function smithySign(req: PlainRequest, spec: SigningSpec): Promise<SignedRequest> {
  const signer = new SignatureV4({
    credentials: spec.credentials,
    region: spec.region,
    service: spec.service,
    sha256: Sha256,
  });
  const request = {
    method: req.method,
    protocol: 'http:',
    hostname: req.host.split(':')[0] ?? req.host,
    path: req.path,
    query: { ...req.query },
    headers: { ...req.headers, host: req.host },
    ...(req.body === undefined ? {} : { body: req.body }),
  };
  const signed =
    spec.presignExpiresIn === undefined
      ? await signer.sign(request, { signingDate: spec.signingDate })
      : await signer.presign(request, { signingDate: spec.signingDate, expiresIn: spec.presignExpiresIn });
  return {
    method: signed.method,
    url: signed.path + queryString(signed.query ?? {}),
    headers: Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: new TextEncoder().encode(req.body ?? ''),
  };
}

/** Serialises query parameters the way the SDKs put them on the wire (RFC 3986 percent-encoding). */
export function queryString(query: Readonly<Record<string, string | readonly string[] | null>>): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === null) continue;
    for (const v of typeof value === 'string' ? [value] : value) pairs.push(`${rfc3986(key)}=${rfc3986(v)}`);
  }
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

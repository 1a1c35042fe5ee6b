/**
 * Test helper: signs a request the way the stock ECS agent's Go SDK signs its ACS and TCS handshakes (and
 * each TCS frame): the canonical query is Go's `url.Values.Encode()` with `+` replaced by `%20`, while the URL
 * that is dialled keeps Encode's `+` for every space. Written from the SigV4 specification in Go's order,
 * independently of the verifier and of @smithy/signature-v4, so the two sides can only agree if the verifier
 * reads `+` as Go does.
 */
import { createHash, createHmac } from 'node:crypto';
import type { SignedRequest } from '../sigv4.js';

export interface GoCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface GoSignSpec {
  readonly credentials: GoCredentials;
  /** Host header value, with the port, e.g. `127.0.0.1:4650`. */
  readonly host: string;
  readonly path: string;
  /** Decoded query parameters; encoded with Go's `url.Values.Encode`. */
  readonly query: Readonly<Record<string, string>>;
  readonly date: Date;
  /** @default us-east-1 */
  readonly region?: string;
  /** @default ecs */
  readonly service?: string;
  /** The payload the signature covers (a TCS frame's envelope). @default empty */
  readonly body?: string;
}

/** Go's url.QueryEscape: unreserved characters stay, space becomes `+`, everything else `%XX` (upper case). */
export function goQueryEscape(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((b) => {
      const c = String.fromCharCode(b);
      if (/[A-Za-z0-9\-_.~]/.test(c)) return c;
      if (c === ' ') return '+';
      return `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** Go's url.Values.Encode: keys sorted, values in order, `key=value` joined by `&`. */
export function goEncode(values: Readonly<Record<string, string>>): string {
  return Object.keys(values)
    .sort()
    .map((k) => `${goQueryEscape(k)}=${goQueryEscape(values[k] ?? '')}`)
    .join('&');
}

const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A GET signed as the Go SDK signs it, as node:http hands it to Berth (lower-case header names). */
export function goSign(spec: GoSignSpec): SignedRequest {
  const amzDate = spec.date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const region = spec.region ?? 'us-east-1';
  const service = spec.service ?? 'ecs';
  const scope = `${day}/${region}/${service}/aws4_request`;
  const encoded = goEncode(spec.query);
  const token = spec.credentials.sessionToken;
  const canonicalHeaders =
    `host:${spec.host}\nx-amz-date:${amzDate}\n` +
    (token === undefined ? '' : `x-amz-security-token:${token}\n`);
  const signedHeaders = token === undefined ? 'host;x-amz-date' : 'host;x-amz-date;x-amz-security-token';
  const body = spec.body ?? '';
  const canonicalRequest = [
    'GET',
    spec.path,
    encoded.replaceAll('+', '%20'),
    canonicalHeaders,
    signedHeaders,
    sha256(body),
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${spec.credentials.secretAccessKey}`, day);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return {
    method: 'GET',
    url: `${spec.path}?${encoded}`,
    headers: {
      host: spec.host,
      'x-amz-date': amzDate,
      ...(token !== undefined && { 'x-amz-security-token': token }),
      authorization:
        `AWS4-HMAC-SHA256 Credential=${spec.credentials.accessKeyId}/${scope}, ` +
        `SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
    body: new TextEncoder().encode(body),
  };
}

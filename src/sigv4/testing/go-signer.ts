/**
 * SigV4 as the stock ECS agent's aws-sdk-go-v2 signer applies it, written from the SigV4 specification in Go's
 * order, independently of Berth's verifier and of @smithy/signature-v4, so the two sides can only agree if
 * the verifier reads a request as AWS does. Two Go habits matter:
 *
 * - the websocket handshake's query is Go's `url.Values.Encode()` (keys sorted, space as `+`); the signer
 *   canonicalises it with `+` replaced by `%20`, and the agent then dials the URL as Encode wrote it;
 * - every header is signed except Go's ignore list (Authorization, User-Agent, X-Amzn-Trace-Id, Expect,
 *   Transfer-Encoding), so SDK headers such as `Amz-Sdk-Invocation-Id` are signed too.
 *
 * For tests only.
 */
import { createHash, createHmac } from 'node:crypto';
import type { SignedRequest } from '../sigv4.js';

export interface GoCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface GoSigningOptions {
  readonly region: string;
  /** The SigV4 service name: `ecs` for the ECS API and the ACS/TCS handshakes. */
  readonly service: string;
  readonly now: Date;
}

export interface GoRequest {
  readonly method: string;
  /** The path, e.g. `/` or `/ws`. */
  readonly path: string;
  /** The query as Go's `url.Values.Encode()` wrote it (see `goEncode`), without `?`; '' for none. */
  readonly query: string;
  /** Headers as sent, `host` included; names in any case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const IGNORED_HEADERS = new Set([
  'authorization',
  'user-agent',
  'x-amzn-trace-id',
  'expect',
  'transfer-encoding',
]);

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

/** The headers the Go signer adds: `X-Amz-Date`, `X-Amz-Security-Token` (with a session token), `Authorization`. */
export function goSign(
  req: GoRequest,
  credentials: GoCredentials,
  o: GoSigningOptions,
): Record<string, string> {
  const amzDate = o.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${o.region}/${o.service}/aws4_request`;
  const added: Record<string, string> = {
    'X-Amz-Date': amzDate,
    ...(credentials.sessionToken !== undefined && { 'X-Amz-Security-Token': credentials.sessionToken }),
  };
  const signed = new Map<string, string>();
  for (const [name, value] of Object.entries({ ...req.headers, ...added })) {
    const lower = name.toLowerCase();
    if (!IGNORED_HEADERS.has(lower)) signed.set(lower, value.trim().replace(/\s+/g, ' '));
  }
  const names = [...signed.keys()].sort();
  const canonicalRequest = [
    req.method,
    req.path,
    req.query.replaceAll('+', '%20'),
    names.map((n) => `${n}:${signed.get(n) ?? ''}\n`).join(''),
    names.join(';'),
    sha256(req.body),
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [o.region, o.service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return {
    ...added,
    Authorization:
      `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
      `SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

export interface GoGetSpec {
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

/**
 * A GET as the agent sends its ACS and TCS handshakes (and signs each TCS frame), as node:http hands it to
 * Berth: lower-case header names, the query as Go's Encode wrote it.
 */
export function goSignedGet(spec: GoGetSpec): SignedRequest {
  const query = goEncode(spec.query);
  const body = spec.body ?? '';
  const added = goSign(
    { method: 'GET', path: spec.path, query, headers: { host: spec.host }, body },
    spec.credentials,
    { region: spec.region ?? 'us-east-1', service: spec.service ?? 'ecs', now: spec.date },
  );
  const headers: Record<string, string> = { host: spec.host };
  for (const [name, value] of Object.entries(added)) headers[name.toLowerCase()] = value;
  return { method: 'GET', url: `${spec.path}?${query}`, headers, body: new TextEncoder().encode(body) };
}

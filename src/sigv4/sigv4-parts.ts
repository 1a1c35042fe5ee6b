/**
 * Finds the SigV4 authentication parameters of a request, in either of its two forms:
 *
 * - header form: `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ecs/aws4_request,
 *   SignedHeaders=host;x-amz-date, Signature=<hex>` with an `X-Amz-Date` header;
 * - query form (presigned): `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-SignedHeaders`,
 *   `X-Amz-Signature` and optionally `X-Amz-Expires` in the query string.
 *
 * Only the structure is checked here; the values are judged by the caller. Missing pieces are reported all
 * at once, the way AWS does.
 */
import { incompleteSignature, invalidSignature, missingAuthenticationToken } from './sigv4-errors.js';
import type { QueryParameters } from './received-request.js';
import { queryValue } from './received-request.js';

export interface SignatureParts {
  readonly form: 'header' | 'query';
  readonly algorithm: string;
  /** `AKID/yyyymmdd/region/service/aws4_request`, not yet split. */
  readonly credential: string;
  /** Lower-case header names, in the order given. */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly amzDate: string;
  /** X-Amz-Expires of a presigned request, unparsed. */
  readonly expires?: string;
}

export function findSignatureParts(
  headers: ReadonlyMap<string, string>,
  query: QueryParameters,
): SignatureParts {
  const authorization = headers.get('authorization');
  const presigned =
    queryValue(query, 'X-Amz-Algorithm') !== undefined || queryValue(query, 'X-Amz-Signature') !== undefined;
  if (authorization !== undefined && presigned) {
    throw invalidSignature(
      "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
    );
  }
  if (presigned) return fromQuery(query);
  // AWS treats an Authorization header of another scheme (Basic, Bearer, SigV2) as no authentication at all.
  if (authorization === undefined || !authorization.trim().startsWith('AWS4-'))
    throw missingAuthenticationToken();
  return fromHeader(authorization, headers);
}

/**
 * Parses `Authorization: <algorithm> Credential=..., SignedHeaders=..., Signature=...` (with X-Amz-Date) of
 * any algorithm; exported for signature schemes that share SigV4's header layout (`instance-key.ts`).
 */
export function fromHeader(authorization: string, headers: ReadonlyMap<string, string>): SignatureParts {
  const trimmed = authorization.trim();
  const space = trimmed.search(/\s/);
  const algorithm = space === -1 ? trimmed : trimmed.slice(0, space);
  const params = new Map<string, string>();
  for (const item of (space === -1 ? '' : trimmed.slice(space)).split(/[\s,]+/)) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) {
      throw incompleteSignature(
        `'${eq === 0 ? item.slice(1) : item}' not a valid key=value pair (missing equal-sign) in Authorization header.`,
      );
    }
    const key = item.slice(0, eq);
    if (!params.has(key)) params.set(key, item.slice(eq + 1));
  }
  const problems: string[] = [];
  for (const name of ['Credential', 'Signature', 'SignedHeaders']) {
    if (!params.get(name)) problems.push(`Authorization header requires '${name}' parameter.`);
  }
  const amzDate = headers.get('x-amz-date');
  if (!amzDate) {
    problems.push(
      headers.has('date')
        ? // AWS also accepts a Date header here; no AWS SDK or CLI sends one instead of X-Amz-Date, so Berth
          // keeps to the one header and says so.
          "Authorization header requires an 'X-Amz-Date' header; Berth does not accept 'Date' in its place."
        : "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  if (problems.length > 0) throw incompleteSignature(problems.join(' '));
  return {
    form: 'header',
    algorithm,
    credential: params.get('Credential') ?? '',
    signedHeaders: splitSignedHeaders(params.get('SignedHeaders') ?? ''),
    signature: params.get('Signature') ?? '',
    amzDate: amzDate ?? '',
  };
}

const REQUIRED_QUERY_PARAMETERS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Signature',
  'X-Amz-SignedHeaders',
  'X-Amz-Date',
] as const;

function fromQuery(query: QueryParameters): SignatureParts {
  const missing = REQUIRED_QUERY_PARAMETERS.filter((name) => !queryValue(query, name));
  if (missing.length > 0) {
    throw incompleteSignature(
      missing.map((name) => `AWS query-string parameters must include '${name}'.`).join(' ') +
        ' Re-examine the query-string parameters.',
    );
  }
  const expires = queryValue(query, 'X-Amz-Expires');
  return {
    form: 'query',
    algorithm: queryValue(query, 'X-Amz-Algorithm') ?? '',
    credential: queryValue(query, 'X-Amz-Credential') ?? '',
    signedHeaders: splitSignedHeaders(queryValue(query, 'X-Amz-SignedHeaders') ?? ''),
    signature: queryValue(query, 'X-Amz-Signature') ?? '',
    amzDate: queryValue(query, 'X-Amz-Date') ?? '',
    ...(expires === undefined ? {} : { expires }),
  };
}

function splitSignedHeaders(value: string): string[] {
  return value
    .split(';')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
}

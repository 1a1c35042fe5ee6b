/**
 * AWS Signature Version 4 verification for incoming requests, so that the AWS CLI, boto3 and the AWS SDKs can
 * call Berth with `--endpoint-url` and the keys Berth issued.
 *
 * The checks run in the order AWS runs them, so a request with several faults gets the error AWS would give:
 * structure, date format, freshness, `host` signed, algorithm, credential scope, access key, signature, and
 * last the session token. Nothing secret is logged or put into an error.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ALGORITHM_IDENTIFIER } from '@smithy/signature-v4';
import { checkCredentialScope, parseCredentialScope } from './credential-scope.js';
import { expectedSignature } from './expected-signature.js';
import { lowerCaseHeaders, parseReceivedUrl, queryValue } from './received-request.js';
import type { QueryParameters } from './received-request.js';
import {
  incompleteSignature,
  invalidSignature,
  signatureMismatch,
  unrecognizedClient,
} from './sigv4-errors.js';
import { findSignatureParts } from './sigv4-parts.js';
import { checkFreshness, parseAmzDate, parseExpires } from './sigv4-time.js';

export interface SignedRequest {
  readonly method: string;
  /** Raw path and query as received, e.g. `/?X-Amz-Algorithm=...`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
}

export interface SigningSecret {
  readonly secretAccessKey: string;
  /** Set for temporary credentials: the request must then present exactly this token. */
  readonly sessionToken?: string;
}

export type SecretLookup = (accessKeyId: string) => Promise<SigningSecret | undefined>;

export interface VerifiedCaller {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
  readonly signedAt: Date;
}

export interface VerifyOptions {
  readonly now: Date;
  /** How far X-Amz-Date may be from `now`; default 5 minutes, as AWS. */
  readonly maxClockSkewMs?: number;
  /** Allowed signing names, e.g. `['ecs', 'ssm', 'logs']`; undefined allows any. */
  readonly services?: readonly string[];
  /** Allowed scope regions, e.g. the one region Berth is configured with; undefined allows any well-formed. */
  readonly regions?: readonly string[];
}

export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export async function verifySigV4(
  req: SignedRequest,
  lookup: SecretLookup,
  options: VerifyOptions,
): Promise<VerifiedCaller> {
  const url = parseReceivedUrl(req.url);
  const headers = lowerCaseHeaders(req.headers);
  const parts = findSignatureParts(headers, url.query);

  const signedAt = parseAmzDate(parts.amzDate);
  const expiresSeconds = parts.expires === undefined ? undefined : parseExpires(parts.expires);
  checkFreshness(signedAt, parts.amzDate, {
    now: options.now,
    maxClockSkewMs: options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS,
    ...(expiresSeconds === undefined ? {} : { expiresSeconds }),
  });
  if (!parts.signedHeaders.includes('host')) {
    throw invalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (parts.algorithm !== ALGORITHM_IDENTIFIER) {
    throw incompleteSignature(
      `Unsupported AWS 'algorithm': '${parts.algorithm}' (only ${ALGORITHM_IDENTIFIER} for now).`,
    );
  }
  const scope = parseCredentialScope(parts.credential);
  checkCredentialScope(scope, {
    amzDate: parts.amzDate,
    ...(options.services === undefined ? {} : { services: options.services }),
    ...(options.regions === undefined ? {} : { regions: options.regions }),
  });

  const secret = await lookup(scope.accessKeyId);
  if (secret === undefined) throw unrecognizedClient();

  const payloadHash = createHash('sha256').update(req.body).digest('hex');
  // The library (like every signer) takes a present x-amz-content-sha256 as the payload hash, so a client
  // could sign a hash and send another body; the header must therefore describe the body that arrived.
  const claimedHash = headers.get('x-amz-content-sha256');
  if (claimedHash !== undefined && claimedHash !== payloadHash) {
    throw invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const expected = await expectedSignature(
    {
      method: req.method,
      path: url.path,
      query: url.query,
      headers,
      signedHeaders: parts.signedHeaders,
      payloadHash,
    },
    {
      accessKeyId: scope.accessKeyId,
      secretAccessKey: secret.secretAccessKey,
      signedAt,
      amzDate: parts.amzDate,
      region: scope.region,
      service: scope.service,
    },
  );
  if (!constantTimeEqual(expected, parts.signature)) throw signatureMismatch();

  checkSessionToken(presentedToken(headers, url.query), secret.sessionToken);
  return { accessKeyId: scope.accessKeyId, region: scope.region, service: scope.service, signedAt };
}

/** The token may travel as a header (header form) or a query parameter (presigned); two different is wrong. */
function presentedToken(headers: ReadonlyMap<string, string>, query: QueryParameters): string | undefined {
  const fromQuery = queryValue(query, 'X-Amz-Security-Token');
  const fromHeader = headers.get('x-amz-security-token');
  if (fromQuery !== undefined && fromHeader !== undefined && fromQuery !== fromHeader) {
    throw unrecognizedClient();
  }
  return fromQuery ?? fromHeader;
}

/** Temporary keys need their own token; long-term keys take none. */
function checkSessionToken(presented: string | undefined, expected: string | undefined): void {
  if (presented === undefined && expected === undefined) return;
  if (presented === undefined || expected === undefined || !constantTimeEqual(presented, expected)) {
    throw unrecognizedClient();
  }
}

/** Compares digests of both sides, so neither the content nor the length of the secret side leaks by timing. */
function constantTimeEqual(a: string, b: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

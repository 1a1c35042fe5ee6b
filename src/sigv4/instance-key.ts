/**
 * Proof of possession of a managed instance's private key, the way SSM's agent proves it: a request is signed
 * exactly as SigV4 would sign it (canonical request, credential scope `<date>/<region>/ssm/aws4_request`,
 * `X-Amz-Date`), but the HMAC is replaced by an Ed25519 signature of the string to sign, and the "access key
 * id" in the scope is the instance id:
 *
 *   Authorization: BERTH-ED25519 Credential=mi-0123456789abcdef0/20240101/us-east-1/ssm/aws4_request,
 *                  SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=<base64>
 *
 * SSM uses RSA here; Berth uses Ed25519 (small keys, fast, no padding choices to get wrong). The algorithm
 * name is also the first line of the string to sign, so such a signature can never be mistaken for one over
 * a SigV4 string to sign. Canonicalisation, time and scope rules are SigV4's own code, not a copy.
 *
 * Replays: like SigV4, a captured request stays valid for the clock-skew window. It only yields credentials
 * to whoever can read the response, which over TLS is the agent alone.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { checkCredentialScope, parseCredentialScope } from './credential-scope.js';
import { stringToSign, type CanonicalInput } from './expected-signature.js';
import { lowerCaseHeaders, parseReceivedUrl } from './received-request.js';
import {
  incompleteSignature,
  invalidSignature,
  missingAuthenticationToken,
  signatureMismatch,
  unrecognizedClient,
} from './sigv4-errors.js';
import { fromHeader } from './sigv4-parts.js';
import { checkFreshness, formatAmzDate, parseAmzDate } from './sigv4-time.js';
import { DEFAULT_MAX_CLOCK_SKEW_MS, type SignedRequest } from './sigv4.js';

export const INSTANCE_KEY_ALGORITHM = 'BERTH-ED25519';
/** The `PublicKeyType` a registration names. */
export const INSTANCE_KEY_TYPE = 'Ed25519';
/** SSM's managed instance ids: `mi-` and 17 lower-case hex digits. */
export const MANAGED_INSTANCE_ID = /^mi-[0-9a-f]{17}$/;
/** Instance keys sign requests for SSM's agent APIs, under SSM's signing name. */
export const INSTANCE_KEY_SERVICE = 'ssm';

const ED25519_SIGNATURE_BYTES = 64;

export interface OutgoingRequest {
  readonly method: string;
  /** Absolute URL, e.g. `http://127.0.0.1:4650/`. */
  readonly url: string;
  /** Headers to send and sign, e.g. content-type and x-amz-target. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface InstanceSigningKey {
  readonly instanceId: string;
  readonly privateKey: KeyObject;
  readonly region: string;
}

/**
 * The headers to send with `req`: the given ones plus `x-amz-date` and `authorization`. `host` is signed as
 * the URL's host but not returned, because fetch sends that itself (and refuses to be told otherwise).
 */
export async function signWithInstanceKey(
  req: OutgoingRequest,
  key: InstanceSigningKey,
  now: Date,
): Promise<Record<string, string>> {
  const url = new URL(req.url);
  const amzDate = formatAmzDate(now);
  const headers = new Map<string, string>(
    Object.entries(req.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  headers.set('host', url.host);
  headers.set('x-amz-date', amzDate);
  const signedHeaders = [...headers.keys()].sort();
  const received = parseReceivedUrl(url.pathname + url.search);
  const input: CanonicalInput = {
    method: req.method,
    path: received.path,
    query: received.query,
    headers,
    signedHeaders,
    payloadHash: createHash('sha256').update(req.body, 'utf8').digest('hex'),
  };
  const scope = { amzDate, region: key.region, service: INSTANCE_KEY_SERVICE };
  const text = await stringToSign(input, { ...scope, algorithm: INSTANCE_KEY_ALGORITHM });
  const signature = sign(null, Buffer.from(text, 'utf8'), key.privateKey).toString('base64');
  const credential = `${key.instanceId}/${amzDate.slice(0, 8)}/${key.region}/${INSTANCE_KEY_SERVICE}/aws4_request`;
  headers.delete('host');
  return {
    ...Object.fromEntries(headers),
    authorization: `${INSTANCE_KEY_ALGORITHM} Credential=${credential}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
  };
}

/** Finds the public key of a managed instance (registered or not); undefined when there is none. */
export type PublicKeyLookup = (instanceId: string) => Promise<KeyObject | undefined>;

export interface InstanceVerifyOptions {
  readonly now: Date;
  /** How far X-Amz-Date may be from `now`; default 5 minutes, as SigV4. */
  readonly maxClockSkewMs?: number;
  /** Allowed scope regions; undefined allows any well-formed region. */
  readonly regions?: readonly string[];
}

export interface VerifiedInstance {
  readonly instanceId: string;
  readonly region: string;
  readonly signedAt: Date;
}

/**
 * Checks an instance-key signature, in SigV4's order and with its errors: structure, date, freshness, `host`
 * signed, algorithm, scope, instance, signature. Nothing secret goes into an error.
 */
export async function verifyInstanceKeySignature(
  req: SignedRequest,
  lookup: PublicKeyLookup,
  options: InstanceVerifyOptions,
): Promise<VerifiedInstance> {
  const url = parseReceivedUrl(req.url);
  const headers = lowerCaseHeaders(req.headers);
  const authorization = headers.get('authorization')?.trim();
  if (authorization === undefined || authorization === '') throw missingAuthenticationToken();
  const parts = fromHeader(authorization, headers);
  const signedAt = parseAmzDate(parts.amzDate);
  checkFreshness(signedAt, parts.amzDate, {
    now: options.now,
    maxClockSkewMs: options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS,
  });
  if (!parts.signedHeaders.includes('host')) {
    throw invalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (parts.algorithm !== INSTANCE_KEY_ALGORITHM) {
    throw incompleteSignature(
      `This operation must be signed with the managed instance's key (algorithm ${INSTANCE_KEY_ALGORITHM}), ` +
        `not '${parts.algorithm}'.`,
    );
  }
  const scope = parseCredentialScope(parts.credential);
  checkCredentialScope(scope, {
    amzDate: parts.amzDate,
    services: [INSTANCE_KEY_SERVICE],
    ...(options.regions === undefined ? {} : { regions: options.regions }),
  });
  const publicKey = MANAGED_INSTANCE_ID.test(scope.accessKeyId) ? await lookup(scope.accessKeyId) : undefined;
  if (publicKey === undefined) throw unrecognizedClient();

  const payloadHash = createHash('sha256').update(req.body).digest('hex');
  const claimedHash = headers.get('x-amz-content-sha256');
  if (claimedHash !== undefined && claimedHash !== payloadHash) {
    throw invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const text = await stringToSign(
    {
      method: req.method,
      path: url.path,
      query: url.query,
      headers,
      signedHeaders: parts.signedHeaders,
      payloadHash,
    },
    {
      amzDate: parts.amzDate,
      region: scope.region,
      service: scope.service,
      algorithm: INSTANCE_KEY_ALGORITHM,
    },
  );
  const signature = Buffer.from(parts.signature, 'base64');
  if (
    signature.length !== ED25519_SIGNATURE_BYTES ||
    !verify(null, Buffer.from(text, 'utf8'), publicKey, signature)
  ) {
    throw signatureMismatch();
  }
  return { instanceId: scope.accessKeyId, region: scope.region, signedAt };
}

/** The KeyObject of a base64 DER SubjectPublicKeyInfo Ed25519 key, or undefined when it is not one. */
export function parseInstancePublicKey(base64Der: string): KeyObject | undefined {
  try {
    const key = createPublicKey({ key: Buffer.from(base64Der, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

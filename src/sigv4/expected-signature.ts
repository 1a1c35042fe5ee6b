/**
 * Recomputes the SigV4 signature a request should carry, with `@smithy/signature-v4` doing all of the
 * canonicalisation (path double-encoding and normalisation, query encoding and sorting, header trimming),
 * the string to sign, the signing-key derivation and the HMAC.
 *
 * Why a subclass rather than the public `sign(request)` / `presign(request)`: those *produce* authentication,
 * and so rewrite the request on the way. `sign` deletes any `date` header and stamps a fresh `x-amz-date`,
 * adds `x-amz-security-token` whenever the credentials carry a token (signed or not by the client), and
 * trusts a client-supplied `x-amz-content-sha256` as the payload hash; `presign` also hoists every `x-amz-*`
 * header into the query and re-serialises `X-Amz-Expires`. A verifier must hash exactly what arrived, so it
 * calls the class's own canonical-request and string-to-sign steps (protected, hence the subclass) on the
 * received request, restricted to the headers the client listed, and the public `sign(stringToSign)` for
 * the key derivation and HMAC.
 */
import { ALGORITHM_IDENTIFIER, SignatureV4, createScope, getCanonicalHeaders } from '@smithy/signature-v4';
import type { QueryParameters } from './received-request.js';
import { Sha256 } from './sha256.js';

type SmithyRequest = Parameters<SignatureV4['presign']>[0];

export interface CanonicalInput {
  readonly method: string;
  /** Raw path as received, still percent-encoded. */
  readonly path: string;
  readonly query: QueryParameters;
  /** All received headers, lower-case names. */
  readonly headers: ReadonlyMap<string, string>;
  /** Lower-case names of the headers the client signed. */
  readonly signedHeaders: readonly string[];
  /** Hex SHA-256 of the body, as the verifier computed it. */
  readonly payloadHash: string;
}

export interface SigningContext {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly signedAt: Date;
  readonly amzDate: string;
  readonly region: string;
  readonly service: string;
}

/** What the string to sign depends on besides the request: the scope and the algorithm's name. */
export interface StringToSignContext {
  readonly amzDate: string;
  readonly region: string;
  readonly service: string;
  /** First line of the string to sign; SigV4's `AWS4-HMAC-SHA256` unless a variant names its own. */
  readonly algorithm?: string;
}

class ReceivedRequestSigner extends SignatureV4 {
  async stringToSignOf(input: CanonicalInput, context: StringToSignContext): Promise<string> {
    const signed = new Set(input.signedHeaders);
    const request: SmithyRequest = {
      method: input.method,
      protocol: 'http:',
      hostname: input.headers.get('host') ?? '',
      path: input.path,
      query: { ...input.query },
      // Only the signed headers take part; fromEntries keeps a header named `__proto__` an own property.
      headers: Object.fromEntries([...input.headers].filter(([name]) => signed.has(name))),
    };
    // Passing the signed names as signableHeaders keeps headers the library would otherwise never sign
    // (user-agent, expect, ...) when a client did sign them.
    const canonicalHeaders = getCanonicalHeaders(request, undefined, signed);
    const canonicalRequest = this.createCanonicalRequest(request, canonicalHeaders, input.payloadHash);
    const scope = createScope(context.amzDate.slice(0, 8), context.region, context.service);
    return this.createStringToSign(
      context.amzDate,
      scope,
      canonicalRequest,
      context.algorithm ?? ALGORITHM_IDENTIFIER,
    );
  }

  async signatureOf(input: CanonicalInput, context: SigningContext): Promise<string> {
    const stringToSign = await this.stringToSignOf(input, context);
    return this.sign(stringToSign, {
      signingDate: context.signedAt,
      signingRegion: context.region,
      signingService: context.service,
    });
  }
}

function signerFor(
  context: { region: string; service: string },
  secretAccessKey = '',
): ReceivedRequestSigner {
  return new ReceivedRequestSigner({
    service: context.service,
    region: context.region,
    // Building the string to sign needs no key; only `signatureOf` uses it.
    credentials: { accessKeyId: '', secretAccessKey },
    sha256: Sha256,
  });
}

/** The hex signature a correctly signed request with this input would carry. */
export async function expectedSignature(input: CanonicalInput, context: SigningContext): Promise<string> {
  return signerFor(context, context.secretAccessKey).signatureOf(input, context);
}

/**
 * SigV4's string to sign for a request, for signature schemes that keep SigV4's canonicalisation and scope
 * but sign with something other than an HMAC (see `instance-key.ts`).
 */
export async function stringToSign(input: CanonicalInput, context: StringToSignContext): Promise<string> {
  return signerFor(context).stringToSignOf(input, context);
}

/**
 * The awsJson1.1 wire format, as the AWS SDKs speak it (Smithy's aws-json protocol).
 *
 * Pure: turns header values and a body into a parsed request, and results or errors into a response
 * description. The HTTP server does the I/O.
 */
import { ApiError } from './errors.js';

export const JSON_11_CONTENT_TYPE = 'application/x-amz-json-1.1';
export const JSON_10_CONTENT_TYPE = 'application/x-amz-json-1.0';

export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface ParsedTarget {
  readonly service: string;
  readonly operation: string;
}

/** Splits `X-Amz-Target: AmazonEC2ContainerServiceV20141113.CreateCluster` into its two halves. */
export function parseTarget(target: string | undefined): ParsedTarget {
  if (target === undefined || target === '') {
    throw new ApiError(
      'UnknownOperationException',
      'Missing X-Amz-Target header: name the operation to call.',
    );
  }
  const dot = target.lastIndexOf('.');
  if (dot <= 0 || dot === target.length - 1) {
    throw new ApiError('UnknownOperationException', `Unknown operation ${target}.`);
  }
  return { service: target.slice(0, dot), operation: target.slice(dot + 1) };
}

/**
 * AWS JSON services accept `application/x-amz-json-1.1` (and 1.0, which the SDKs never mix up with 1.1 for
 * the same service). Anything else is refused the way AWS front doors refuse it.
 */
export function checkContentType(contentType: string | undefined): void {
  const base = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (base !== JSON_11_CONTENT_TYPE && base !== JSON_10_CONTENT_TYPE) {
    throw new ApiError(
      'UnknownOperationException',
      `Unsupported content type '${contentType ?? ''}': send Content-Type ${JSON_11_CONTENT_TYPE}.`,
    );
  }
}

/** Parses a request body; an empty body means "no input", as the protocol allows. */
export function parseBody(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw new ApiError(
      'SerializationException',
      `The request body is not valid JSON: ${(e as Error).message}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ApiError('SerializationException', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/**
 * AWS JSON services read a member sent as `null` as absent (the model validator accepts it as such), so
 * null members are dropped before an operation sees its input; handlers then meet only `undefined`.
 */
export function withoutNullMembers<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutNullMembers) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member !== null) out[key] = withoutNullMembers(member);
  }
  return out as T;
}

/**
 * Serialises an operation's output. Dates become epoch seconds (awsJson's default timestamp format);
 * `undefined` members are dropped, as the SDKs expect absent rather than null members.
 */
export function serializeOutput(output: unknown): string {
  if (output === undefined || output === null) return '{}';
  return JSON.stringify(output, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return raw.getTime() / 1000;
    return value;
  });
}

export function successResponse(requestId: string, output: unknown): WireResponse {
  return {
    status: 200,
    headers: { 'content-type': JSON_11_CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: serializeOutput(output),
  };
}

/** The error shape every AWS SDK parses: `__type` in the body and `x-amzn-ErrorType` in the headers. */
export function errorResponse(requestId: string, error: ApiError): WireResponse {
  return {
    status: error.status,
    headers: {
      'content-type': JSON_11_CONTENT_TYPE,
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': error.code,
    },
    body: serializeOutput({ ...error.extra, __type: error.code, message: error.message }),
  };
}

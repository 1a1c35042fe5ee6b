/**
 * A minimal awsJson1.1 client for the two SSM agent operations (RegisterManagedInstance and
 * RequestManagedInstanceRoleToken). Written by hand because no AWS SDK client knows these internal
 * operations or the instance-key signature; everything else the agent calls goes through @aws-sdk clients.
 */
import type { OutgoingRequest } from '../../sigv4/instance-key.js';

export const SSM_TARGET_PREFIX = 'AmazonSSM';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** Long enough for a control plane under load, short enough that a dead connection does not stall a refresh. */
export const SSM_REQUEST_TIMEOUT_MS = 30_000;

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** A failed call: an error answer from the control plane, or no answer at all (status undefined). */
export class SsmCallError extends Error {
  override readonly name = 'SsmCallError';
  constructor(
    readonly operation: string,
    /** The error type the control plane named (`__type`), or `NetworkError` when none answered. */
    readonly code: string,
    message: string,
    readonly status: number | undefined,
    /** Whether the same call may succeed later: no answer, a server fault, throttling. */
    readonly transient: boolean,
  ) {
    super(message);
  }
}

export interface SsmCall {
  readonly endpoint: string;
  readonly operation: string;
  readonly body: Readonly<Record<string, unknown>>;
  /** Returns the headers to send for a request (to sign it); unsigned when absent. */
  readonly sign?: (request: OutgoingRequest) => Promise<Record<string, string>>;
  readonly fetch?: FetchLike;
  readonly signal?: AbortSignal;
}

/** The URL awsJson requests go to: the endpoint's own path, `/` for a bare host. */
export function endpointUrl(endpoint: string): string {
  return endpoint.endsWith('/') ? endpoint : `${endpoint}/`;
}

export async function callSsm(call: SsmCall): Promise<Record<string, unknown>> {
  const url = endpointUrl(call.endpoint);
  const request: OutgoingRequest = {
    method: 'POST',
    url,
    headers: { 'content-type': CONTENT_TYPE, 'x-amz-target': `${SSM_TARGET_PREFIX}.${call.operation}` },
    body: JSON.stringify(call.body),
  };
  const headers = call.sign ? await call.sign(request) : { ...request.headers };
  const timeout = AbortSignal.timeout(SSM_REQUEST_TIMEOUT_MS);
  let response: Response;
  let text: string;
  try {
    response = await (call.fetch ?? fetch)(url, {
      method: 'POST',
      headers,
      body: request.body,
      signal: call.signal ? AbortSignal.any([call.signal, timeout]) : timeout,
    });
    text = await response.text();
  } catch (e) {
    if (call.signal?.aborted === true) throw e;
    const cause = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    throw new SsmCallError(
      call.operation,
      'NetworkError',
      `cannot reach the control plane at ${url}: ${cause}`,
      undefined,
      true,
    );
  }
  const parsed = parseJson(text);
  if (response.ok && parsed !== undefined) return parsed;
  const code = typeof parsed?.__type === 'string' ? (parsed.__type.split('#').pop() ?? '') : '';
  const message = [parsed?.message, parsed?.Message].find((m) => typeof m === 'string') ?? text.slice(0, 200);
  throw new SsmCallError(
    call.operation,
    code || `HTTP${response.status}`,
    `${code || `HTTP ${response.status}`}: ${String(message)}`,
    response.status,
    response.status >= 500 || code === 'ThrottlingException',
  );
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text === '' ? '{}' : text);
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

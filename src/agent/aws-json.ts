/**
 * One awsJson1.1 call, for the few the agent writes by hand (SSM's instance-key signed operations, CloudWatch
 * Logs with Berth's batch header) because no AWS SDK client it depends on knows them. The caller brings the
 * signature; this maps the answer to its parsed body or to one error.
 */
import { JSON_11_CONTENT_TYPE } from '../ecs/aws-json.js';
import type { OutgoingRequest } from '../sigv4/instance-key.js';

/** Long enough for a control plane under load or a 1 MiB batch on a slow link; short enough to notice a dead one. */
export const AWS_JSON_TIMEOUT_MS = 30_000;

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** A failed call: an error answer, or no answer at all (status undefined, code `NetworkError`). */
export class AwsJsonCallError extends Error {
  override readonly name = 'AwsJsonCallError';
  constructor(
    readonly operation: string,
    /** The error type the service named (`__type` without its `prefix#`), `HTTP<status>` when it named none. */
    readonly code: string,
    message: string,
    readonly status: number | undefined,
    /** Whether the same call may succeed later unchanged. */
    readonly transient: boolean,
  ) {
    super(message);
  }
}

export interface AwsJsonCall {
  /** The service endpoint; its path is kept, `/` for a bare host. */
  readonly endpoint: string;
  /** The `X-Amz-Target` prefix, e.g. `AmazonSSM`: the target is `<prefix>.<operation>`. */
  readonly targetPrefix: string;
  readonly operation: string;
  readonly body: Readonly<Record<string, unknown>>;
  /** Sent (and signed) besides content type and target. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Returns the headers to send for a request (to sign it); unsigned when absent. */
  readonly sign?: (request: OutgoingRequest) => Promise<Record<string, string>>;
  readonly fetch?: FetchLike;
  /** Aborting it rejects with the abort's own error, not an AwsJsonCallError. */
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** Who answers at the endpoint, named when nothing does ("cannot reach <peer> at <url>"). */
  readonly peer?: string;
  /**
   * Answers this caller may also retry, besides no answer, a server fault and ThrottlingException: e.g.
   * Logs' UnrecognizedClientException, which renewed credentials cure.
   */
  readonly alsoTransient?: (status: number, code: string) => boolean;
}

/** The URL awsJson requests go to: the endpoint's own path, `/` for a bare host. */
export function endpointUrl(endpoint: string): string {
  return endpoint.endsWith('/') ? endpoint : `${endpoint}/`;
}

export async function callAwsJson(call: AwsJsonCall): Promise<Record<string, unknown>> {
  const url = endpointUrl(call.endpoint);
  const request: OutgoingRequest = {
    method: 'POST',
    url,
    headers: {
      'content-type': JSON_11_CONTENT_TYPE,
      'x-amz-target': `${call.targetPrefix}.${call.operation}`,
      ...call.headers,
    },
    body: JSON.stringify(call.body),
  };
  const headers = call.sign ? await call.sign(request) : { ...request.headers };
  const timeout = AbortSignal.timeout(call.timeoutMs ?? AWS_JSON_TIMEOUT_MS);
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
    const where = call.peer === undefined ? url : `${call.peer} at ${url}`;
    throw new AwsJsonCallError(
      call.operation,
      'NetworkError',
      `cannot reach ${where}: ${cause}`,
      undefined,
      true,
    );
  }
  const parsed = parseObject(text);
  if (response.ok && parsed !== undefined) return parsed;
  const named = typeof parsed?.__type === 'string' ? (parsed.__type.split('#').pop() ?? '') : '';
  const code = named || `HTTP${response.status}`;
  const message = [parsed?.message, parsed?.Message].find((m) => typeof m === 'string') ?? text.slice(0, 200);
  const transient =
    response.status >= 500 ||
    code === 'ThrottlingException' ||
    (call.alsoTransient?.(response.status, code) ?? false);
  throw new AwsJsonCallError(
    call.operation,
    code,
    `${named || `HTTP ${response.status}`}: ${String(message)}`,
    response.status,
    transient,
  );
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text === '' ? '{}' : text);
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

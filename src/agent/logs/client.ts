/**
 * The CloudWatch Logs calls the shipper makes (awsJson1.1, `X-Amz-Target: Logs_20140328.<Op>`, SigV4 with
 * signing name `logs`), signed with the agent's instance credentials through @smithy/signature-v4 as the
 * session's handshake is. Written by hand: no Logs SDK client is a dependency, and every PutLogEvents carries
 * Berth's `x-berth-log-batch: <sender>/<seq>` header, by which the control plane stores a resent batch once.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { Sha256 } from '../../sigv4/sha256.js';
import type { InputLogEvent } from './batches.js';

export const LOGS_SIGNING_SERVICE = 'logs';
export const LOGS_TARGET_PREFIX = 'Logs_20140328';
export const BATCH_HEADER = 'x-berth-log-batch';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** A batch is at most 1 MiB: long enough for a slow link, short enough to notice a dead one. */
export const LOGS_REQUEST_TIMEOUT_MS = 30_000;

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** A failed call: the error the service named, or `NetworkError` when nothing answered. */
export class LogsCallError extends Error {
  override readonly name = 'LogsCallError';
  constructor(
    readonly operation: string,
    readonly code: string,
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
  }

  /** Whether the same call may succeed later unchanged. */
  get transient(): boolean {
    return (
      this.status === undefined ||
      this.status >= 500 ||
      this.status === 429 ||
      ['ThrottlingException', 'ServiceUnavailableException', 'UnrecognizedClientException'].includes(
        this.code,
      )
    );
  }
}

export interface LogsClientOptions {
  /** The Logs endpoint; its path is kept, `/` for a bare host. */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentityProvider;
  readonly fetch?: FetchLike;
  readonly timeoutMs?: number;
}

export class LogsClient {
  readonly #o: LogsClientOptions;
  readonly #signer: SignatureV4;
  readonly #url: URL;

  constructor(options: LogsClientOptions) {
    this.#o = options;
    this.#url = new URL(options.endpoint.endsWith('/') ? options.endpoint : `${options.endpoint}/`);
    this.#signer = new SignatureV4({
      credentials: options.credentials,
      region: options.region,
      service: LOGS_SIGNING_SERVICE,
      sha256: Sha256,
    });
  }

  /** Creates the group; one that exists already is fine. */
  async createLogGroup(logGroupName: string, signal?: AbortSignal): Promise<void> {
    await this.#exists(this.#call('CreateLogGroup', { logGroupName }, {}, signal));
  }

  /** Creates the stream; one that exists already is fine. */
  async createLogStream(logGroupName: string, logStreamName: string, signal?: AbortSignal): Promise<void> {
    await this.#exists(this.#call('CreateLogStream', { logGroupName, logStreamName }, {}, signal));
  }

  /** Sends one batch, numbered `<sender>/<seq>`; resolves with the service's answer. */
  async putLogEvents(
    logGroupName: string,
    logStreamName: string,
    logEvents: readonly InputLogEvent[],
    batch: string,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    return this.#call(
      'PutLogEvents',
      { logGroupName, logStreamName, logEvents },
      { [BATCH_HEADER]: batch },
      signal,
    );
  }

  async #exists(call: Promise<unknown>): Promise<void> {
    try {
      await call;
    } catch (e) {
      if (e instanceof LogsCallError && e.code === 'ResourceAlreadyExistsException') return;
      throw e;
    }
  }

  async #call(
    operation: string,
    body: Record<string, unknown>,
    extraHeaders: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<Record<string, unknown>> {
    const url = this.#url;
    const text = JSON.stringify(body);
    const signed = await this.#signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port !== '' && { port: Number(url.port) }),
      path: url.pathname,
      query: {},
      headers: {
        host: url.host,
        'content-type': CONTENT_TYPE,
        'x-amz-target': `${LOGS_TARGET_PREFIX}.${operation}`,
        ...extraHeaders,
      },
      body: text,
    });
    const timeout = AbortSignal.timeout(this.#o.timeoutMs ?? LOGS_REQUEST_TIMEOUT_MS);
    let response: Response;
    let answer: string;
    try {
      response = await (this.#o.fetch ?? fetch)(url.href, {
        method: 'POST',
        headers: signed.headers,
        body: text,
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
      answer = await response.text();
    } catch (e) {
      const cause = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
      throw new LogsCallError(operation, 'NetworkError', `cannot reach ${url.href}: ${cause}`, undefined);
    }
    const parsed = parseObject(answer);
    if (response.ok) return parsed ?? {};
    const code = typeof parsed?.__type === 'string' ? (parsed.__type.split('#').pop() ?? '') : '';
    const message =
      [parsed?.message, parsed?.Message].find((m) => typeof m === 'string') ?? answer.slice(0, 200);
    throw new LogsCallError(
      operation,
      code || `HTTP${response.status}`,
      `${operation}: ${code || `HTTP ${response.status}`}: ${String(message)}`,
      response.status,
    );
  }
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

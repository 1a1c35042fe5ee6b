/**
 * The CloudWatch Logs calls the shipper makes (awsJson1.1, `X-Amz-Target: Logs_20140328.<Op>`, SigV4 with
 * signing name `logs`), signed with the agent's instance credentials through @smithy/signature-v4 as the
 * session's handshake is. Written by hand: no Logs SDK client is a dependency, and every PutLogEvents carries
 * Berth's `x-berth-log-batch: <sender>/<seq>` header, by which the control plane stores a resent batch once.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { OutgoingRequest } from '../../sigv4/instance-key.js';
import { Sha256 } from '../../sigv4/sha256.js';
import { AwsJsonCallError, callAwsJson, type FetchLike } from '../aws-json.js';
import type { InputLogEvent } from './batches.js';

export const LOGS_SIGNING_SERVICE = 'logs';
export const LOGS_TARGET_PREFIX = 'Logs_20140328';
export const BATCH_HEADER = 'x-berth-log-batch';

/** Besides server faults and throttling: expired credentials are renewed, so the same call may pass later. */
const ALSO_TRANSIENT = new Set(['ServiceUnavailableException', 'UnrecognizedClientException']);

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

  constructor(options: LogsClientOptions) {
    this.#o = options;
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
      if (e instanceof AwsJsonCallError && e.code === 'ResourceAlreadyExistsException') return;
      throw e;
    }
  }

  #call(
    operation: string,
    body: Record<string, unknown>,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<Record<string, unknown>> {
    return callAwsJson({
      endpoint: this.#o.endpoint,
      targetPrefix: LOGS_TARGET_PREFIX,
      operation,
      body,
      headers,
      sign: (request) => this.#sign(request),
      alsoTransient: (status, code) => status === 429 || ALSO_TRANSIENT.has(code),
      ...(this.#o.fetch && { fetch: this.#o.fetch }),
      ...(this.#o.timeoutMs !== undefined && { timeoutMs: this.#o.timeoutMs }),
      ...(signal && { signal }),
    });
  }

  async #sign(request: OutgoingRequest): Promise<Record<string, string>> {
    const url = new URL(request.url);
    const signed = await this.#signer.sign({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port !== '' && { port: Number(url.port) }),
      path: url.pathname,
      query: {},
      headers: { host: url.host, ...request.headers },
      body: request.body,
    });
    return signed.headers;
  }
}

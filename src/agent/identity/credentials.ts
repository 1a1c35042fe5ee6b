/**
 * The agent's credentials: short-lived keys obtained with RequestManagedInstanceRoleToken, signed with the
 * instance's private key, and renewed well before they expire. `provider` plugs into any AWS SDK client
 * (`credentials: creds.provider`); `get()` is the same thing as a method.
 *
 * - Renewal starts once less than half the lifetime remains; until the old keys expire, callers keep getting
 *   them while one renewal runs in the background, so rotation never makes a request wait.
 * - Concurrent callers share one request (single flight).
 * - Transient failures (no answer, server faults, throttling) are retried with exponential backoff and jitter.
 * - Refusals that no retry can fix (instance deregistered, unknown, or cloned) become a
 *   `InstanceCredentialsRefusedError`, returned by every later call: the agent must stop, not hammer.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { signWithInstanceKey } from '../../sigv4/instance-key.js';
import { systemClock, type Clock } from '../../util/clock.js';
import type { AgentIdentity } from './identity.js';
import { AwsJsonCallError, type FetchLike } from '../aws-json.js';
import { callSsm } from './ssm-client.js';

/**
 * Renew when less than this fraction of the lifetime remains: half a lifetime (15 minutes by default) to ride
 * out a control plane restart or a network outage with retries before the old keys expire. SSM's agent also
 * renews early rather than at expiry.
 */
export const REFRESH_AT_REMAINING_FRACTION = 0.5;
/** First retry delay; doubled on every further failure. */
export const RETRY_BASE_DELAY_MS = 500;
/** Retry delays stop growing here, so a returning control plane is noticed within half a minute. */
export const RETRY_MAX_DELAY_MS = 30_000;
/** Attempts per renewal (about a minute of backoff in all); the next `get()` starts a new round. */
export const MAX_ATTEMPTS = 8;

export interface InstanceCredentialIdentity extends AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

export type RefusalReason = 'deregistered' | 'unknown-instance' | 'fingerprint-mismatch';

/** The control plane will never give this identity credentials again; re-registration is the only way. */
export class InstanceCredentialsRefusedError extends Error {
  override readonly name = 'InstanceCredentialsRefusedError';
  readonly retriable = false;
  constructor(
    readonly reason: RefusalReason,
    /** The control plane's error type. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const REFUSALS: Readonly<Record<string, RefusalReason>> = {
  InvalidInstanceId: 'deregistered',
  UnrecognizedClientException: 'unknown-instance',
  AccessDeniedException: 'fingerprint-mismatch',
};

export interface InstanceCredentialsOptions {
  readonly endpoint: string;
  readonly identity: Pick<AgentIdentity, 'instanceId' | 'region' | 'privateKey' | 'fingerprint'>;
  /** Time and the timers between retries. @default the system clock */
  readonly clock?: Clock;
  readonly fetch?: FetchLike;
  /** Waits between retries. @default a timer on `clock` */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Reports failures of background renewals (the caller still has valid keys meanwhile). */
  readonly onError?: (err: unknown) => void;
}

interface Held {
  readonly credentials: InstanceCredentialIdentity;
  /** Epoch ms after which a renewal starts. */
  readonly refreshAt: number;
}

export type RotationListener = (credentials: InstanceCredentialIdentity) => void;

export class InstanceCredentials {
  readonly #o: InstanceCredentialsOptions;
  readonly #clock: Clock;
  readonly #abort = new AbortController();
  readonly #listeners = new Set<RotationListener>();
  #held: Held | undefined;
  #inflight: Promise<InstanceCredentialIdentity> | undefined;
  #refused: InstanceCredentialsRefusedError | undefined;

  constructor(options: InstanceCredentialsOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** For AWS SDK clients: `new ECSClient({ credentials: creds.provider })`. */
  readonly provider: AwsCredentialIdentityProvider = () => this.get();

  /** Valid credentials: the held ones, or fresh ones when they are due for renewal or gone. */
  async get(): Promise<InstanceCredentialIdentity> {
    if (this.#refused) throw this.#refused;
    if (this.#abort.signal.aborted) throw new Error('InstanceCredentials is closed');
    const now = this.#clock.now();
    const held = this.#held;
    if (held !== undefined && now < held.refreshAt) return held.credentials;
    if (held !== undefined && now < held.credentials.expiration.getTime()) {
      this.#refresh().catch((err: unknown) => this.#o.onError?.(err));
      return held.credentials;
    }
    return this.#refresh();
  }

  /** Called with every new set of credentials, the first one included. Returns the unsubscribe function. */
  onRotated(listener: RotationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops retries in progress; later calls fail. */
  close(): void {
    this.#abort.abort();
  }

  #refresh(): Promise<InstanceCredentialIdentity> {
    this.#inflight ??= this.#fetchWithRetries().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #fetchWithRetries(): Promise<InstanceCredentialIdentity> {
    for (let attempt = 1; ; attempt++) {
      try {
        return this.#accept(await this.#fetchOnce());
      } catch (e) {
        const refusal = e instanceof AwsJsonCallError ? REFUSALS[e.code] : undefined;
        if (e instanceof AwsJsonCallError && refusal !== undefined) {
          this.#refused = new InstanceCredentialsRefusedError(
            refusal,
            e.code,
            `The control plane refuses credentials to managed instance ${this.#o.identity.instanceId}: ${e.message}`,
          );
          throw this.#refused;
        }
        const transient = e instanceof AwsJsonCallError && e.transient;
        if (!transient || attempt >= MAX_ATTEMPTS || this.#abort.signal.aborted) throw e;
        const sleep = this.#o.sleep ?? ((ms, signal) => abortableSleep(this.#clock, ms, signal));
        await sleep(backoff(attempt), this.#abort.signal);
      }
    }
  }

  async #fetchOnce(): Promise<InstanceCredentialIdentity> {
    const { identity } = this.#o;
    const out = await callSsm({
      endpoint: this.#o.endpoint,
      operation: 'RequestManagedInstanceRoleToken',
      body: { Fingerprint: identity.fingerprint },
      sign: (request) => signWithInstanceKey(request, identity, new Date(this.#clock.now())),
      signal: this.#abort.signal,
      ...(this.#o.fetch && { fetch: this.#o.fetch }),
    });
    const { AccessKeyId, SecretAccessKey, SessionToken, TokenExpirationDate } = out;
    if (
      typeof AccessKeyId !== 'string' ||
      typeof SecretAccessKey !== 'string' ||
      typeof SessionToken !== 'string' ||
      typeof TokenExpirationDate !== 'number'
    ) {
      throw new AwsJsonCallError(
        'RequestManagedInstanceRoleToken',
        'InvalidResponse',
        'the control plane answered without credentials',
        200,
        false,
      );
    }
    return {
      accessKeyId: AccessKeyId,
      secretAccessKey: SecretAccessKey,
      sessionToken: SessionToken,
      expiration: new Date(TokenExpirationDate * 1000),
    };
  }

  #accept(credentials: InstanceCredentialIdentity): InstanceCredentialIdentity {
    const now = this.#clock.now();
    const lifetime = Math.max(0, credentials.expiration.getTime() - now);
    this.#held = { credentials, refreshAt: now + lifetime * (1 - REFRESH_AT_REMAINING_FRACTION) };
    for (const listener of [...this.#listeners]) {
      try {
        listener(credentials);
      } catch (err) {
        this.#o.onError?.(err);
      }
    }
    return credentials;
  }
}

/** Exponential, capped, with "equal jitter": between half and all of the step, so agents spread out. */
export function backoff(attempt: number, random: () => number = Math.random): number {
  const step = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** (attempt - 1));
  return step / 2 + random() * (step / 2);
}

function abortableSleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('InstanceCredentials is closed'));
      return;
    }
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(new Error('InstanceCredentials is closed'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

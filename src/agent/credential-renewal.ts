/**
 * Keeps the agent's credentials fresh even when nothing asks for them. `InstanceCredentials` renews lazily,
 * on the first `get()` past half-life; an agent whose session is simply up makes no calls for long stretches,
 * so without this it would hold keys that expired long ago, learn of a deregistration only at its next
 * reconnect, and make its next API call wait for a renewal. This asks at each half-life, which starts the
 * renewal in the background, and asks again a little later while a renewal keeps failing.
 */
import {
  InstanceCredentialsRefusedError,
  REFRESH_AT_REMAINING_FRACTION,
  type InstanceCredentialIdentity,
  type RotationListener,
} from './identity/index.js';
import { systemClock, type Clock, type Timer } from '../util/clock.js';

/** Asked this long after the renewal point, so that `get()` finds the keys due for renewal. */
export const RENEWAL_MARGIN_MS = 100;
/** While renewal fails, ask again after a quarter of the remaining lifetime, within these bounds. */
export const RECHECK_MIN_MS = 1_000;
export const RECHECK_MAX_MS = 30_000;

export interface RenewableCredentials {
  get(): Promise<InstanceCredentialIdentity>;
  onRotated(listener: RotationListener): () => void;
}

export interface CredentialRenewalOptions {
  /** A renewal failed; a refusal (`InstanceCredentialsRefusedError`) ends the renewals. */
  readonly onError: (err: unknown) => void;
  /** @default the system clock */
  readonly clock?: Clock;
}

export class CredentialRenewal {
  readonly #creds: RenewableCredentials;
  readonly #o: CredentialRenewalOptions;
  readonly #clock: Clock;
  #timer: Timer | undefined;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  constructor(creds: RenewableCredentials, options: CredentialRenewalOptions) {
    this.#creds = creds;
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** Starts from the credentials in hand; every rotation schedules the next renewal. */
  start(current: InstanceCredentialIdentity): void {
    this.#unsubscribe ??= this.#creds.onRotated((c) => this.#schedule(c));
    this.#schedule(current);
  }

  stop(): void {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
    this.#unsubscribe?.();
  }

  #schedule(c: InstanceCredentialIdentity): void {
    const lifetime = Math.max(0, c.expiration.getTime() - this.#clock.now());
    this.#arm(lifetime * (1 - REFRESH_AT_REMAINING_FRACTION) + RENEWAL_MARGIN_MS, c);
  }

  #arm(delayMs: number, held: InstanceCredentialIdentity): void {
    if (this.#stopped) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => void this.#tick(held), delayMs);
    // The session and the introspection server keep the agent alive; this timer alone must not.
    this.#timer.unref();
  }

  async #tick(held: InstanceCredentialIdentity): Promise<void> {
    try {
      const got = await this.#creds.get();
      if (this.#stopped) return;
      // The same set means the renewal runs in the background (or just failed): look again soon. A new set
      // means it is done: renew that one at its half-life (the rotation listener did the same already).
      if (got.accessKeyId === held.accessKeyId) this.#arm(this.#recheckDelay(got), got);
      else this.#schedule(got);
    } catch (err) {
      if (this.#stopped) return;
      this.#o.onError(err);
      if (!(err instanceof InstanceCredentialsRefusedError)) this.#arm(this.#recheckDelay(held), held);
    }
  }

  #recheckDelay(c: InstanceCredentialIdentity): number {
    const remaining = c.expiration.getTime() - this.#clock.now();
    return Math.min(RECHECK_MAX_MS, Math.max(RECHECK_MIN_MS, remaining / 4));
  }
}

/**
 * The agent's reconnect timing, with the ECS agent's numbers (`ecs-agent/acs/session/session.go`), because
 * they are proven on fleets far larger than Berth's and a control plane that restarts sees every agent
 * return: the jitter spreads the herd, the cap bounds how long a host stays away once the server is back.
 */

/** First retry after a failed connection: quick enough that a blip is invisible. */
export const BACKOFF_MIN_MS = 250;
/** Longest wait between attempts: a control plane that comes back is rejoined within two minutes. */
export const BACKOFF_MAX_MS = 2 * 60_000;
/** Growth per failed attempt: 250 ms, 375 ms, 563 ms, ... the cap from the 17th attempt (~5.5 min in). */
export const BACKOFF_MULTIPLIER = 1.5;
/** Up to 20% added at random, so agents cut off together do not all return in the same instant. */
export const BACKOFF_JITTER = 0.2;
/**
 * A session that stayed up this long was a success: the next failure starts again from the minimum. Short
 * enough to forgive occasional drops, long enough that a server refusing sessions right after accepting
 * them still drives the agent up the backoff curve.
 */
export const BACKOFF_RESET_AFTER_MS = 60_000;
/**
 * After InactiveInstanceException and the other errors only a person can fix (the instance was deregistered
 * or is unknown): asking every few minutes would only load the control plane, as in ECS.
 */
export const UNRETRIABLE_BACKOFF_MS = 60 * 60_000;

export interface BackoffSettings {
  readonly minMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
  /** Fraction of each delay added at random, in [0, 1). */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = {
  minMs: BACKOFF_MIN_MS,
  maxMs: BACKOFF_MAX_MS,
  multiplier: BACKOFF_MULTIPLIER,
  jitter: BACKOFF_JITTER,
};

/** Exponential backoff with jitter. Pure apart from `random`, which tests replace. */
export class ExponentialBackoff {
  readonly #s: BackoffSettings;
  readonly #random: () => number;
  #current: number;

  constructor(settings: BackoffSettings = DEFAULT_BACKOFF, random: () => number = Math.random) {
    if (!(settings.minMs > 0 && settings.maxMs >= settings.minMs && settings.multiplier >= 1)) {
      throw new RangeError('backoff needs 0 < minMs <= maxMs and multiplier >= 1');
    }
    this.#s = settings;
    this.#random = random;
    this.#current = settings.minMs;
  }

  /** The next delay: the current step plus jitter, then the step grows towards the cap. */
  next(): number {
    const base = this.#current;
    this.#current = Math.min(this.#current * this.#s.multiplier, this.#s.maxMs);
    return Math.round(base + base * this.#s.jitter * this.#random());
  }

  reset(): void {
    this.#current = this.#s.minMs;
  }
}

/** `base` plus a random part of up to `jitter`, as the agent's read timeout uses it. */
export function withJitter(base: number, jitter: number, random: () => number = Math.random): number {
  return Math.round(base + jitter * random());
}

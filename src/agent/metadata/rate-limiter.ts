/**
 * Token buckets by key (an endpoint id, or a client address for requests without a valid id), as the ECS
 * agent throttles its metadata endpoint (ECS_TASK_METADATA_RPS_LIMIT, "40,60"). A container that polls in
 * a tight loop is slowed down without affecting the others. Pure: the caller passes the time.
 */

export interface RateLimit {
  /** Tokens added per second. */
  readonly steadyPerSecond: number;
  /** Bucket size: requests allowed at once after a quiet spell. */
  readonly burst: number;
}

/** ECS's default: 40 requests per second steady, bursts of 60. */
export const ECS_METADATA_RATE_LIMIT: RateLimit = { steadyPerSecond: 40, burst: 60 };

/** How often buckets that have refilled are forgotten, so keys seen once do not accumulate. */
export const SWEEP_INTERVAL_MS = 60_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #limit: RateLimit;
  readonly #buckets = new Map<string, Bucket>();
  #sweptAt = 0;

  constructor(limit: RateLimit = ECS_METADATA_RATE_LIMIT) {
    if (!(limit.steadyPerSecond > 0) || !(limit.burst >= 1)) {
      throw new RangeError('a rate limit needs a positive rate and a burst of at least 1');
    }
    this.#limit = limit;
  }

  /** Takes one token for `key` at `nowMs`; false when the bucket is empty (the request is refused). */
  take(key: string, nowMs: number): boolean {
    this.#sweep(nowMs);
    const bucket = this.#buckets.get(key) ?? { tokens: this.#limit.burst, at: nowMs };
    bucket.tokens = this.#refilled(bucket, nowMs);
    bucket.at = nowMs;
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Seconds until `key` has a token again (0 when it has one now); for Retry-After. */
  retryAfterSeconds(key: string, nowMs: number): number {
    const bucket = this.#buckets.get(key);
    if (bucket === undefined) return 0;
    const missing = 1 - this.#refilled(bucket, nowMs);
    return missing <= 0 ? 0 : Math.ceil(missing / this.#limit.steadyPerSecond);
  }

  /** Keys currently tracked (for tests of the sweep). */
  get size(): number {
    return this.#buckets.size;
  }

  #refilled(bucket: Bucket, nowMs: number): number {
    const elapsed = Math.max(0, nowMs - bucket.at) / 1000;
    return Math.min(this.#limit.burst, bucket.tokens + elapsed * this.#limit.steadyPerSecond);
  }

  #sweep(nowMs: number): void {
    if (nowMs - this.#sweptAt < SWEEP_INTERVAL_MS) return;
    this.#sweptAt = nowMs;
    for (const [key, bucket] of this.#buckets) {
      // A full bucket behaves exactly like a new one: forgetting it changes nothing.
      if (this.#refilled(bucket, nowMs) >= this.#limit.burst) this.#buckets.delete(key);
    }
  }
}

/**
 * Reproducible randomness for placement. Every random choice the scheduler makes comes from one seeded
 * generator, so a placement can be replayed exactly from its seed (the applier derives it from the request id
 * and logs it), as Nomad seeds its node shuffle from the evaluation id.
 */

/** A source of numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a tiny 32-bit generator with a full period and good enough statistics for tie-breaking and
 * shuffling. Written here rather than imported because it is eight lines and must be exactly reproducible.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from text (FNV-1a), e.g. from a request id. */
export function seedFrom(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

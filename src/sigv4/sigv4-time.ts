/**
 * SigV4 timestamps and the freshness rules AWS applies to them.
 *
 * `X-Amz-Date` is ISO 8601 basic format in UTC (`20240101T000000Z`); the credential scope carries its first
 * eight characters. The messages follow AWS's, e.g.
 * `Signature expired: 20240101T000000Z is now earlier than 20240101T001000Z (20240101T001500Z - 5 min.)`.
 */
import { incompleteSignature, invalidSignature } from './sigv4-errors.js';

const BASIC_FORMAT = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Longest validity of a presigned request, as AWS allows (one week). */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 7 * 24 * 60 * 60;

export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]|\.\d{3}/g, '');
}

/** Parses `X-Amz-Date`; anything but a real instant in basic format is an incomplete signature. */
export function parseAmzDate(value: string): Date {
  const m = BASIC_FORMAT.exec(value);
  if (m !== null) {
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
    const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    // Date.UTC rolls 20240230 over into March; a round trip rejects such non-dates.
    if (formatAmzDate(date) === value) return date;
  }
  throw incompleteSignature(
    `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`,
  );
}

/** Parses `X-Amz-Expires` (seconds) of a presigned request. */
export function parseExpires(value: string): number {
  if (!/^\d{1,7}$/.test(value)) {
    throw incompleteSignature(`X-Amz-Expires should be a number of seconds, got '${value}'.`);
  }
  const seconds = Number(value);
  if (seconds > MAX_PRESIGNED_EXPIRES_SECONDS) {
    throw incompleteSignature(
      `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGNED_EXPIRES_SECONDS}`,
    );
  }
  return seconds;
}

export interface FreshnessRule {
  readonly now: Date;
  readonly maxClockSkewMs: number;
  /** Set for presigned requests: how long after X-Amz-Date they stay valid, instead of the clock skew. */
  readonly expiresSeconds?: number;
}

/**
 * Rejects a request signed too long ago (or, for a presigned one, past its X-Amz-Expires) and one signed too
 * far in the future. The bounds are inclusive, so a request exactly at the edge still passes.
 */
export function checkFreshness(signedAt: Date, amzDate: string, rule: FreshnessRule): void {
  const now = rule.now.getTime();
  const pastWindowMs = rule.expiresSeconds !== undefined ? rule.expiresSeconds * 1000 : rule.maxClockSkewMs;
  const earliest = now - pastWindowMs;
  if (signedAt.getTime() < earliest) {
    throw invalidSignature(
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(earliest))} ` +
        `(${formatAmzDate(rule.now)} - ${describeDuration(pastWindowMs)})`,
    );
  }
  const latest = now + rule.maxClockSkewMs;
  if (signedAt.getTime() > latest) {
    throw invalidSignature(
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(new Date(latest))} ` +
        `(${formatAmzDate(rule.now)} + ${describeDuration(rule.maxClockSkewMs)})`,
    );
  }
}

function describeDuration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min.` : `${ms / 1000} sec.`;
}

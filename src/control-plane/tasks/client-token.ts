/**
 * Idempotency for RunTask's `clientToken` (ECS: "Up to 64 characters are allowed. The valid characters are
 * characters in the range of 33-126, inclusive"; case-sensitive). A retry with the same token and the same
 * parameters gets the same tasks; the same token with other parameters is a ConflictException whose
 * `resourceIds` are the tasks the token already stands for.
 */
import { createHash } from 'node:crypto';
import { ApiError, invalidParameter } from '../../ecs/errors.js';
import type { ClientTokenRecord } from '../store/types.js';

const TOKEN = /^[\x21-\x7e]{1,64}$/;

export function validateClientToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  if (!TOKEN.test(token)) {
    throw invalidParameter(
      'clientToken must be 1-64 characters, each a printable ASCII character other than space (codes 33-126).',
    );
  }
  return token;
}

/** A digest of the request's parameters, the token left out, independent of the order of object keys. */
export function requestHash(input: object): string {
  const { clientToken: _token, ...rest } = input as { clientToken?: unknown };
  return createHash('sha256').update(canonical(rest)).digest('hex');
}

/** Refuses a token already used by a different request. */
export function checkSameRequest(existing: ClientTokenRecord, hash: string, operation: string): void {
  if (existing.requestHash === hash) return;
  throw new ApiError(
    'ConflictException',
    `The clientToken '${existing.token}' is already in use with a different ${operation} request. Retry with ` +
      'the original parameters to get its tasks, or use a new clientToken.',
    { resourceIds: [...existing.resourceIds] },
  );
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

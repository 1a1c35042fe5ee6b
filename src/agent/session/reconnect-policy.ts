/**
 * How long to wait before the next connection attempt, from how the last one ended. Pure: the backoff's
 * state is the only thing it changes.
 *
 * - An unretriable error (deregistered, unknown instance or cluster), from a refused handshake or a message:
 *   the long delay, as ECS waits an hour after InactiveInstanceException.
 * - A clean close of a session that was open (the control plane restarting, or ending the session on
 *   purpose), with no error: at once, and the backoff starts over — as the ECS agent does after EOF.
 * - Anything else (no route, refused connection, bad credentials, a timeout, a replaced session): the next
 *   step of the exponential backoff.
 */
import { CLEAN_CLOSE_CODES, UNRETRIABLE_ACS_ERRORS } from '../../acs/messages.js';
import type { AcsErrorType } from '../../acs/messages.js';
import type { ExponentialBackoff } from './backoff.js';

/** A typed error from the control plane: a refused handshake's body or an error message. */
export interface SessionError {
  readonly type: AcsErrorType;
  readonly message: string;
  /** The HTTP status, when the handshake was refused. */
  readonly status?: number;
}

export type AttemptOutcome =
  /** No session: credentials, network, or a handshake refused without a typed error. */
  | { readonly kind: 'failed'; readonly cause: unknown }
  /** The handshake was refused with a typed error. */
  | { readonly kind: 'refused'; readonly error: SessionError }
  /** A session was open and has closed; `error` is the last error message received, if any. */
  | { readonly kind: 'closed'; readonly code: number; readonly error?: SessionError };

export interface Delay {
  readonly delayMs: number;
  /** Set when the delay is the long one, because of this error. */
  readonly unretriable?: SessionError;
}

export function isUnretriable(error: SessionError | undefined): error is SessionError {
  return error !== undefined && UNRETRIABLE_ACS_ERRORS.includes(error.type);
}

export function reconnectDelay(
  outcome: AttemptOutcome,
  backoff: ExponentialBackoff,
  unretriableDelayMs: number,
): Delay {
  const error = outcome.kind === 'failed' ? undefined : outcome.error;
  if (isUnretriable(error)) return { delayMs: unretriableDelayMs, unretriable: error };
  if (outcome.kind === 'closed' && outcome.error === undefined && CLEAN_CLOSE_CODES.includes(outcome.code)) {
    backoff.reset();
    return { delayMs: 0 };
  }
  return { delayMs: backoff.next() };
}

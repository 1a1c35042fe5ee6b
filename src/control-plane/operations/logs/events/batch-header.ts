/**
 * Berth's extension for exactly-once shipping: `x-berth-log-batch: <sender>/<seq>`. The sender is a managed
 * instance id or any opaque id of up to 64 characters, seq a non-negative integer that grows per (sender,
 * log stream). A resend of an accepted batch (a crash after the send) is answered as success and stored once.
 */
import type { BatchMark } from '../../../logs-store/types.js';
import { invalidParameter } from '../common.js';

export const BATCH_HEADER = 'x-berth-log-batch';

export function parseBatchHeader(value: string | undefined): BatchMark | undefined {
  if (value === undefined) return undefined;
  const m = /^([^/\s]{1,64})\/(\d{1,15})$/.exec(value.trim());
  if (m === null) {
    throw invalidParameter(
      `The ${BATCH_HEADER} header must be <sender>/<seq>: a sender id of 1 to 64 characters without / or ` +
        `spaces, and a non-negative integer.`,
    );
  }
  return { sender: m[1] ?? '', seq: Number(m[2]) };
}

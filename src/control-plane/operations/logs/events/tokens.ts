/**
 * Paging tokens of GetLogEvents, shaped as AWS's (`f/<56 digits>` forward, `b/<56 digits>` backward): a
 * 20-digit timestamp and a 36-digit ingestion sequence, the event the next page starts after (or before).
 */
import type { EventCursor } from '../../../logs-store/types.js';
import { invalidParameter } from '../common.js';

export type Direction = 'forward' | 'backward';

export function encodeToken(direction: Direction, c: EventCursor): string {
  const digits = `${String(c.timestamp).padStart(20, '0')}${String(c.seq).padStart(36, '0')}`;
  return `${direction === 'forward' ? 'f' : 'b'}/${digits}`;
}

export function decodeToken(token: string): { direction: Direction; cursor: EventCursor } {
  const m = /^([fb])\/(\d{20})(\d{36})$/.exec(token);
  if (m === null) throw invalidParameter('The specified nextToken is invalid.');
  return {
    direction: m[1] === 'f' ? 'forward' : 'backward',
    cursor: { timestamp: Number(m[2]), seq: Number(m[3]) },
  };
}

/** FilterLogEvents' token: opaque, the (timestamp, seq) the scan continues after. */
export function encodeScanToken(c: EventCursor): string {
  return Buffer.from(`${c.timestamp}:${c.seq}`).toString('base64url');
}

export function decodeScanToken(token: string): EventCursor {
  const m = /^(\d+):(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (m === null) throw invalidParameter('The specified nextToken is invalid.');
  return { timestamp: Number(m[1]), seq: Number(m[2]) };
}

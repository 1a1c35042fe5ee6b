/**
 * PutLogEvents with AWS's rules (model documentation): at most 10,000 events and 1,048,576 bytes counting 26
 * per event, in chronological order, spanning at most 24 hours; events more than 2 hours ahead, more than 14
 * days old, or older than the group's retention are reported in `rejectedLogEventsInfo` and the rest stored.
 * Sequence tokens are accepted and ignored, as AWS does today.
 */
import { defineOperation } from '../../operation.js';
import { EVENT_OVERHEAD_BYTES } from '../../../logs-store/types.js';
import { groupNotFound, invalidParameter, streamNotFound } from '../common.js';
import { BATCH_HEADER, parseBatchHeader } from './batch-header.js';

interface PutLogEventsRequest {
  logGroupName: string;
  logStreamName: string;
  logEvents: { timestamp: number; message: string }[];
  sequenceToken?: string;
}

interface Rejected {
  tooNewLogEventStartIndex?: number;
  tooOldLogEventEndIndex?: number;
  expiredLogEventEndIndex?: number;
}

export const MAX_BATCH_BYTES = 1_048_576;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const putLogEvents = defineOperation<
  PutLogEventsRequest,
  { nextSequenceToken?: string; rejectedLogEventsInfo?: Rejected }
>({
  name: 'PutLogEvents',
  access: 'agent',
  async handle(input, ctx) {
    const batch = parseBatchHeader(ctx.header(BATCH_HEADER));
    const events = input.logEvents;
    let bytes = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      bytes += Buffer.byteLength(e.message) + EVENT_OVERHEAD_BYTES;
      if (i > 0 && e.timestamp < events[i - 1]!.timestamp) {
        throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
      }
    }
    if (bytes > MAX_BATCH_BYTES) {
      throw invalidParameter(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
    }
    const store = ctx.runtime.logs.store;
    const group = await store.groups.get(input.logGroupName);
    if (group === undefined) throw groupNotFound();
    const now = ctx.now().getTime();
    const tooOldBefore = now - 14 * DAY;
    const expiredBefore = group.retentionInDays === undefined ? -Infinity : now - group.retentionInDays * DAY;
    const tooNewAfter = now + 2 * HOUR;
    // Events are in order, so each rejection is a prefix or a suffix.
    let from = 0;
    while (from < events.length && events[from]!.timestamp < Math.max(tooOldBefore, expiredBefore)) from++;
    let to = events.length;
    while (to > from && events[to - 1]!.timestamp > tooNewAfter) to--;
    const rejected: Rejected = {};
    if (to < events.length) rejected.tooNewLogEventStartIndex = to;
    let oldEnd = 0;
    while (oldEnd < from && events[oldEnd]!.timestamp < tooOldBefore) oldEnd++;
    if (oldEnd > 0) rejected.tooOldLogEventEndIndex = oldEnd;
    if (from > 0 && expiredBefore > -Infinity && events[from - 1]!.timestamp < expiredBefore) {
      rejected.expiredLogEventEndIndex = from;
    }
    const accepted = events.slice(from, to);
    if (accepted.length > 0 && accepted.at(-1)!.timestamp - accepted[0]!.timestamp > DAY) {
      throw invalidParameter(
        'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
      );
    }
    const r = await store.events.append(input.logGroupName, input.logStreamName, accepted, now, batch);
    if (r.result === 'no-group') throw groupNotFound();
    if (r.result === 'no-stream') throw streamNotFound();
    if (r.result === 'stored' && accepted.length > 0) ctx.runtime.logs.appended();
    return {
      ...(r.result === 'stored' && { nextSequenceToken: String(r.lastSeq).padStart(56, '0') }),
      ...(Object.keys(rejected).length > 0 && { rejectedLogEventsInfo: rejected }),
    };
  },
});

/**
 * GetLogEvents: one stream's events, oldest first within a page. Without a token it starts at the head
 * (`startFromHead`) or returns the newest page; the tokens page forward and backward, and at either end the
 * token that was sent comes back, which is how callers know they are done.
 */
import { defineOperation } from '../../operation.js';
import { groupNotFound, oneGroup, streamNotFound } from '../common.js';
import { MAX_BATCH_BYTES } from './put-log-events.js';
import { decodeToken, encodeToken, type Direction } from './tokens.js';

interface GetLogEventsRequest {
  logGroupName?: string;
  logGroupIdentifier?: string;
  logStreamName: string;
  startTime?: number;
  endTime?: number;
  nextToken?: string;
  limit?: number;
  startFromHead?: boolean;
}

interface GetLogEventsResponse {
  events: { timestamp: number; message: string; ingestionTime: number }[];
  nextForwardToken: string;
  nextBackwardToken: string;
}

const DEFAULT_LIMIT = 10_000;

export const getLogEvents = defineOperation<GetLogEventsRequest, GetLogEventsResponse>({
  name: 'GetLogEvents',
  access: 'admin',
  async handle(input, ctx) {
    const group = oneGroup(input);
    const token = input.nextToken === undefined ? undefined : decodeToken(input.nextToken);
    const direction: Direction = token?.direction ?? (input.startFromHead === true ? 'forward' : 'backward');
    const events = await ctx.runtime.logs.store.events.read(group, input.logStreamName, {
      direction,
      cursor: token?.cursor,
      ...(input.startTime !== undefined && { startTime: input.startTime }),
      ...(input.endTime !== undefined && { endTime: input.endTime }),
      limit: input.limit ?? DEFAULT_LIMIT,
      maxBytes: MAX_BATCH_BYTES,
    });
    if (events === undefined) {
      if ((await ctx.runtime.logs.store.groups.get(group)) === undefined) throw groupNotFound();
      throw streamNotFound();
    }
    const first = events[0];
    const last = events.at(-1);
    if (first === undefined || last === undefined) {
      const here = token?.cursor ?? { timestamp: input.startTime ?? 0, seq: 0 };
      return {
        events: [],
        nextForwardToken: encodeToken('forward', here),
        nextBackwardToken: encodeToken('backward', here),
      };
    }
    return {
      events: events.map((e) => ({
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime,
      })),
      nextForwardToken: encodeToken('forward', last),
      nextBackwardToken: encodeToken('backward', first),
    };
  },
});

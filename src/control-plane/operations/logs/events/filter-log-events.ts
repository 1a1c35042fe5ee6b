/**
 * FilterLogEvents: a group's events (all streams, named ones or a name prefix) in (timestamp, ingestion)
 * order, through a filter pattern (`src/logs`). A call scans for at most SCAN_BUDGET_MS, so a rare term over
 * millions of events comes back in pages, some empty, each with a nextToken, as AWS's does.
 */
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { defineOperation } from '../../operation.js';
import {
  FilterPatternError,
  parseFilterPattern,
  type FilterPattern,
} from '../../../../logs/filter-pattern.js';
import type { EventCursor } from '../../../logs-store/types.js';
import { groupNotFound, invalidParameter, oneGroup } from '../common.js';
import { decodeScanToken, encodeScanToken } from './tokens.js';

interface FilterLogEventsRequest {
  logGroupName?: string;
  logGroupIdentifier?: string;
  logStreamNames?: string[];
  logStreamNamePrefix?: string;
  startTime?: number;
  endTime?: number;
  filterPattern?: string;
  nextToken?: string;
  limit?: number;
}

interface FilteredEvent {
  logStreamName: string;
  timestamp: number;
  message: string;
  ingestionTime: number;
  eventId: string;
}

const DEFAULT_LIMIT = 10_000;
const SCAN_CHUNK = 20_000;
export const SCAN_BUDGET_MS = 1000;

export const filterLogEvents = defineOperation<
  FilterLogEventsRequest,
  {
    events: FilteredEvent[];
    searchedLogStreams: { logStreamName: string; searchedCompletely: boolean }[];
    nextToken?: string;
  }
>({
  name: 'FilterLogEvents',
  access: 'admin',
  async handle(input, ctx) {
    const group = oneGroup(input);
    if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
      throw invalidParameter('You cannot specify both LogStreamNames and LogStreamNamePrefix');
    }
    const pattern = patternOf(input.filterPattern ?? '');
    const limit = input.limit ?? DEFAULT_LIMIT;
    let after: EventCursor | undefined =
      input.nextToken === undefined ? undefined : decodeScanToken(input.nextToken);
    const events: FilteredEvent[] = [];
    const started = performance.now();
    let more = true;
    while (more && events.length < limit && performance.now() - started < SCAN_BUDGET_MS) {
      // Each chunk is read synchronously; other requests and agent sessions get their turn in between.
      if (after !== undefined) await yieldToIo();
      const page = await ctx.runtime.logs.store.events.scan(group, {
        ...(input.logStreamNames !== undefined && { streams: input.logStreamNames }),
        ...(input.logStreamNamePrefix !== undefined && { streamPrefix: input.logStreamNamePrefix }),
        ...(input.startTime !== undefined && { startTime: input.startTime }),
        ...(input.endTime !== undefined && { endTime: input.endTime }),
        after,
        maxRows: SCAN_CHUNK,
      });
      if (page === undefined) throw groupNotFound();
      for (const e of page.events) {
        after = { timestamp: e.timestamp, seq: e.seq };
        if (!pattern.matchesAll && !pattern.matches(e.message)) continue;
        events.push({
          logStreamName: e.streamName,
          timestamp: e.timestamp,
          message: e.message,
          ingestionTime: e.ingestionTime,
          eventId: String(e.seq).padStart(56, '0'),
        });
        if (events.length === limit) break;
      }
      more = page.next !== undefined || events.length === limit;
      if (page.next === undefined && events.length < limit) more = false;
    }
    const finished = !more;
    return {
      events,
      searchedLogStreams: (input.logStreamNames ?? []).map((logStreamName) => ({
        logStreamName,
        searchedCompletely: finished,
      })),
      ...(!finished && after !== undefined && { nextToken: encodeScanToken(after) }),
    };
  },
});

function patternOf(text: string): FilterPattern {
  try {
    return parseFilterPattern(text);
  } catch (e) {
    if (e instanceof FilterPatternError) throw invalidParameter(`Invalid filter pattern: ${e.message}`);
    throw e;
  }
}

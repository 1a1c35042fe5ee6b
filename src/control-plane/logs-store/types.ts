/**
 * Storage for CloudWatch Logs data, kept apart from the transactional store: log events are append-heavy
 * and read by time range, so they live in their own database (`sqlite.ts`) with their own tuning. One narrow
 * interface per concern, all by name; "not found" is a result, never an exception, so operations choose
 * AWS's error.
 */

export interface LogGroupRecord {
  readonly name: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly retentionInDays: number | undefined;
  /** UTF-8 message bytes plus 26 per event, as PutLogEvents counts a batch. */
  readonly storedBytes: number;
  readonly tags: Readonly<Record<string, string>>;
}

export interface LogStreamRecord {
  readonly name: string;
  readonly createdAt: number;
  readonly firstEventTimestamp: number | undefined;
  readonly lastEventTimestamp: number | undefined;
  readonly lastIngestionTime: number | undefined;
  readonly storedBytes: number;
}

export interface StoredLogEvent {
  readonly streamName: string;
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
  /** Ingestion order across the whole store: ties of `timestamp` are ordered by it; tokens point at it. */
  readonly seq: number;
}

/** A place in a time-ordered sequence of events: just after (or before) the event (timestamp, seq). */
export interface EventCursor {
  readonly timestamp: number;
  readonly seq: number;
}

export interface Paged<T> {
  readonly items: T[];
  /** Opaque key of the last item, when more may follow. */
  readonly next: string | undefined;
}

export interface GroupQuery {
  readonly prefix?: string;
  /** Case-insensitive substring, as DescribeLogGroups' logGroupNamePattern. */
  readonly pattern?: string;
  readonly after?: string;
  readonly limit: number;
}

export interface StreamQuery {
  readonly prefix?: string;
  readonly orderBy: 'LogStreamName' | 'LastEventTime';
  readonly descending: boolean;
  readonly after?: string;
  readonly limit: number;
}

export interface LogGroupStore {
  /** False when a group of that name exists. */
  create(name: string, createdAt: number, tags: Readonly<Record<string, string>>): Promise<boolean>;
  /** Deletes the group, its streams and their events; false when there was none. */
  delete(name: string): Promise<boolean>;
  get(name: string): Promise<LogGroupRecord | undefined>;
  list(query: GroupQuery): Promise<Paged<LogGroupRecord>>;
  /** Undefined days: never expire. False when the group does not exist. */
  setRetention(name: string, days: number | undefined): Promise<boolean>;
  /** Adds or replaces tags, removes `remove` keys; false when the group does not exist. */
  retag(name: string, add: Readonly<Record<string, string>>, remove: readonly string[]): Promise<boolean>;
}

export type StreamCreated = 'created' | 'exists' | 'no-group';
export type StreamDeleted = 'deleted' | 'no-stream' | 'no-group';

export interface LogStreamStore {
  create(group: string, name: string, createdAt: number): Promise<StreamCreated>;
  delete(group: string, name: string): Promise<StreamDeleted>;
  /** Undefined when the group does not exist. */
  list(group: string, query: StreamQuery): Promise<Paged<LogStreamRecord> | undefined>;
}

export interface NewLogEvent {
  readonly timestamp: number;
  readonly message: string;
}

/** A sender's resend marker: `seq` grows per (sender, stream); a batch at or below the last one is a resend. */
export interface BatchMark {
  readonly sender: string;
  readonly seq: number;
}

export type Appended =
  | { readonly result: 'stored'; readonly lastSeq: number }
  | { readonly result: 'duplicate' }
  | { readonly result: 'no-group' }
  | { readonly result: 'no-stream' };

export interface ReadQuery {
  /** Forward: events after `cursor`, oldest first; backward: the last `limit` events before it. */
  readonly direction: 'forward' | 'backward';
  readonly cursor: EventCursor | undefined;
  /** Inclusive. */
  readonly startTime?: number;
  /** Exclusive. */
  readonly endTime?: number;
  readonly limit: number;
  /** Stop before a page's events (message bytes + 26 each) exceed this. */
  readonly maxBytes: number;
}

export interface ScanQuery {
  /** Only these streams; undefined: every stream of the group. */
  readonly streams?: readonly string[];
  readonly streamPrefix?: string;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly after: EventCursor | undefined;
  /** At most this many events are read (matching or not) in one call. */
  readonly maxRows: number;
}

export interface ScanResult {
  readonly events: StoredLogEvent[];
  /** Where a further scan continues; undefined when the range is exhausted. */
  readonly next: EventCursor | undefined;
}

export interface LogEventStore {
  /**
   * Stores the events (already checked and in order) in one transaction with the stream's counters and
   * the batch mark, if any. A batch whose mark is at or below the recorded one stores nothing.
   */
  append(
    group: string,
    stream: string,
    events: readonly NewLogEvent[],
    ingestionTime: number,
    batch?: BatchMark,
  ): Promise<Appended>;
  /** Events of one stream, returned oldest first; undefined when the group or the stream is missing. */
  read(group: string, stream: string, query: ReadQuery): Promise<StoredLogEvent[] | undefined>;
  /** Events of a group's streams by (timestamp, seq); undefined when the group is missing. */
  scan(group: string, query: ScanQuery): Promise<ScanResult | undefined>;
}

export interface LogStore {
  readonly groups: LogGroupStore;
  readonly streams: LogStreamStore;
  readonly events: LogEventStore;
  /**
   * Deletes up to `limit` events older than their group's retention (as of `now`, epoch ms), in one
   * transaction; returns how many. Fewer than `limit`: none are left.
   */
  expire(now: number, limit: number): Promise<number>;
  /**
   * Deletes up to `limit` of the oldest events of the whole store (in ingestion order) while the stored bytes
   * exceed `maxBytes`, in one transaction; returns how many. Fewer than `limit`: the store fits.
   */
  evictOver(maxBytes: number, limit: number): Promise<number>;
  totalBytes(): Promise<number>;
  close(): Promise<void>;
}

/** What one event costs against the batch and stored-bytes limits. */
export const EVENT_OVERHEAD_BYTES = 26;

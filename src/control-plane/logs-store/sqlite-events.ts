/**
 * Log events on SQLite: appends in one transaction with their stream's counters and the sender's batch mark,
 * time-ordered reads by (timestamp, seq), and the two deletions: retention and the size cap.
 */
import type Sqlite from 'better-sqlite3';
import {
  EVENT_OVERHEAD_BYTES,
  type Appended,
  type BatchMark,
  type EventCursor,
  type LogEventStore,
  type NewLogEvent,
  type ReadQuery,
  type ScanQuery,
  type ScanResult,
  type StoredLogEvent,
} from './types.js';

interface EventRow {
  seq: number;
  stream_id: number;
  ts: number;
  ingested: number;
  message: string;
}

interface DeletedRow {
  seq: number;
  stream_id: number;
  group_id: number;
  bytes: number;
}

const NO_END = Number.MAX_SAFE_INTEGER;

export class SqliteLogEvents implements LogEventStore {
  private readonly insert: Sqlite.Statement;
  private readonly appendTx: (
    group: string,
    stream: string,
    events: readonly NewLogEvent[],
    ingestionTime: number,
    batch: BatchMark | undefined,
  ) => Appended;

  constructor(private readonly db: Sqlite.Database) {
    this.insert = db.prepare(
      'INSERT INTO log_events (stream_id, group_id, ts, ingested, message) VALUES (?, ?, ?, ?, ?)',
    );
    const findStream = db.prepare(
      `SELECT s.id AS stream_id, g.id AS group_id FROM log_groups g
         LEFT JOIN log_streams s ON s.group_id = g.id AND s.name = ? WHERE g.name = ?`,
    );
    const findMark = db.prepare('SELECT seq FROM log_batches WHERE stream_id = ? AND sender = ?');
    const setMark = db.prepare(
      `INSERT INTO log_batches (stream_id, sender, seq) VALUES (?, ?, ?)
         ON CONFLICT (stream_id, sender) DO UPDATE SET seq = excluded.seq`,
    );
    const updateStream = db.prepare(
      `UPDATE log_streams SET
         first_event_ts = min(coalesce(first_event_ts, ?), ?),
         last_event_ts = max(coalesce(last_event_ts, ?), ?),
         last_ingestion = ?, stored_bytes = stored_bytes + ? WHERE id = ?`,
    );
    const updateGroup = db.prepare('UPDATE log_groups SET stored_bytes = stored_bytes + ? WHERE id = ?');
    this.appendTx = db.transaction(
      (
        group: string,
        stream: string,
        events: readonly NewLogEvent[],
        ingestionTime: number,
        batch: BatchMark | undefined,
      ): Appended => {
        const ids = findStream.get(stream, group) as
          { stream_id: number | null; group_id: number } | undefined;
        if (ids === undefined) return { result: 'no-group' };
        if (ids.stream_id === null) return { result: 'no-stream' };
        const streamId = ids.stream_id;
        if (batch !== undefined) {
          const mark = findMark.get(streamId, batch.sender) as { seq: number } | undefined;
          if (mark !== undefined && batch.seq <= mark.seq) return { result: 'duplicate' };
          setMark.run(streamId, batch.sender, batch.seq);
        }
        let bytes = 0;
        let first = Number.MAX_SAFE_INTEGER;
        let last = -1;
        let lastSeq = 0;
        for (const e of events) {
          lastSeq = Number(
            this.insert.run(streamId, ids.group_id, e.timestamp, ingestionTime, e.message).lastInsertRowid,
          );
          bytes += Buffer.byteLength(e.message) + EVENT_OVERHEAD_BYTES;
          first = Math.min(first, e.timestamp);
          last = Math.max(last, e.timestamp);
        }
        if (events.length > 0) {
          updateStream.run(first, first, last, last, ingestionTime, bytes, streamId);
          updateGroup.run(bytes, ids.group_id);
        }
        return { result: 'stored', lastSeq };
      },
    );
  }

  append(
    group: string,
    stream: string,
    events: readonly NewLogEvent[],
    ingestionTime: number,
    batch?: BatchMark,
  ): Promise<Appended> {
    return Promise.resolve(this.appendTx(group, stream, events, ingestionTime, batch));
  }

  private streamIds(
    group: string,
    stream: string,
  ): { groupId: number; streamId: number | undefined } | undefined {
    const row = this.db
      .prepare(
        `SELECT g.id AS group_id, s.id AS stream_id FROM log_groups g
           LEFT JOIN log_streams s ON s.group_id = g.id AND s.name = ? WHERE g.name = ?`,
      )
      .get(stream, group) as { group_id: number; stream_id: number | null } | undefined;
    return row && { groupId: row.group_id, streamId: row.stream_id ?? undefined };
  }

  read(group: string, stream: string, q: ReadQuery): Promise<StoredLogEvent[] | undefined> {
    const ids = this.streamIds(group, stream);
    if (ids?.streamId === undefined) return Promise.resolve(undefined);
    const start = q.startTime ?? 0;
    const end = q.endTime ?? NO_END;
    const c = q.cursor;
    const forward = q.direction === 'forward';
    const sql = forward
      ? `SELECT seq, stream_id, ts, ingested, message FROM log_events
           WHERE stream_id = ? AND ts >= ? AND ts < ? AND (ts > ? OR (ts = ? AND seq > ?))
           ORDER BY ts, seq LIMIT ?`
      : `SELECT seq, stream_id, ts, ingested, message FROM log_events
           WHERE stream_id = ? AND ts >= ? AND ts < ? AND (ts < ? OR (ts = ? AND seq < ?))
           ORDER BY ts DESC, seq DESC LIMIT ?`;
    const cursor = c ?? (forward ? { timestamp: -1, seq: 0 } : { timestamp: NO_END, seq: 0 });
    const out: StoredLogEvent[] = [];
    let bytes = 0;
    for (const row of this.db
      .prepare(sql)
      .iterate(
        ids.streamId,
        start,
        end,
        cursor.timestamp,
        cursor.timestamp,
        cursor.seq,
        q.limit,
      ) as Iterable<EventRow>) {
      bytes += Buffer.byteLength(row.message) + EVENT_OVERHEAD_BYTES;
      if (bytes > q.maxBytes && out.length > 0) break;
      out.push({
        streamName: stream,
        timestamp: row.ts,
        message: row.message,
        ingestionTime: row.ingested,
        seq: row.seq,
      });
    }
    if (!forward) out.reverse();
    return Promise.resolve(out);
  }

  scan(group: string, q: ScanQuery): Promise<ScanResult | undefined> {
    const g = this.db.prepare('SELECT id FROM log_groups WHERE name = ?').get(group) as
      { id: number } | undefined;
    if (g === undefined) return Promise.resolve(undefined);
    const names = new Map<number, string>();
    for (const s of this.db.prepare('SELECT id, name FROM log_streams WHERE group_id = ?').all(g.id) as {
      id: number;
      name: string;
    }[]) {
      const wanted =
        (q.streams === undefined || q.streams.includes(s.name)) &&
        (q.streamPrefix === undefined || s.name.startsWith(q.streamPrefix));
      if (wanted) names.set(s.id, s.name);
    }
    const filtered = q.streams !== undefined || q.streamPrefix !== undefined;
    if (filtered && names.size === 0) return Promise.resolve({ events: [], next: undefined });
    const c: EventCursor = q.after ?? { timestamp: (q.startTime ?? 0) - 1, seq: 0 };
    const start = Math.max(q.startTime ?? 0, c.timestamp);
    const rows = this.db
      .prepare(
        `SELECT seq, stream_id, ts, ingested, message FROM log_events
           WHERE group_id = ? AND ts >= ? AND ts < ? AND (ts > ? OR seq > ?)
           ${filtered ? 'AND stream_id IN (SELECT value FROM json_each(?))' : ''}
           ORDER BY ts, seq LIMIT ?`,
      )
      .all(
        g.id,
        start,
        q.endTime ?? NO_END,
        c.timestamp,
        c.seq,
        ...(filtered ? [JSON.stringify([...names.keys()])] : []),
        q.maxRows,
      ) as EventRow[];
    const events = rows.map((r) => ({
      streamName: names.get(r.stream_id) ?? '',
      timestamp: r.ts,
      message: r.message,
      ingestionTime: r.ingested,
      seq: r.seq,
    }));
    const last = rows.at(-1);
    return Promise.resolve({
      events,
      next: rows.length === q.maxRows && last ? { timestamp: last.ts, seq: last.seq } : undefined,
    });
  }

  expire(now: number, limit: number): number {
    return this.db.transaction(() => {
      const groups = this.db
        .prepare('SELECT id, retention_days FROM log_groups WHERE retention_days IS NOT NULL')
        .all() as { id: number; retention_days: number }[];
      const rows: DeletedRow[] = [];
      for (const g of groups) {
        if (rows.length >= limit) break;
        rows.push(
          ...(this.db
            .prepare(
              `SELECT seq, stream_id, group_id, length(CAST(message AS BLOB)) + ${EVENT_OVERHEAD_BYTES} AS bytes
                 FROM log_events WHERE group_id = ? AND ts < ? ORDER BY ts LIMIT ?`,
            )
            .all(g.id, now - g.retention_days * 86_400_000, limit - rows.length) as DeletedRow[]),
        );
      }
      return this.remove(rows);
    })();
  }

  evictOver(maxBytes: number, limit: number): number {
    return this.db.transaction(() => {
      let over = this.totalBytes() - maxBytes;
      if (over <= 0) return 0;
      const rows: DeletedRow[] = [];
      for (const r of this.db
        .prepare(
          `SELECT seq, stream_id, group_id, length(CAST(message AS BLOB)) + ${EVENT_OVERHEAD_BYTES} AS bytes
             FROM log_events ORDER BY seq LIMIT ?`,
        )
        .iterate(limit) as Iterable<DeletedRow>) {
        if (over <= 0) break;
        rows.push(r);
        over -= r.bytes;
      }
      return this.remove(rows);
    })();
  }

  totalBytes(): number {
    return (
      this.db.prepare('SELECT coalesce(sum(stored_bytes), 0) AS b FROM log_groups').get() as { b: number }
    ).b;
  }

  /** Deletes these events and takes them off their stream's and group's counters; returns how many. */
  private remove(rows: readonly DeletedRow[]): number {
    if (rows.length === 0) return 0;
    this.db
      .prepare('DELETE FROM log_events WHERE seq IN (SELECT value FROM json_each(?))')
      .run(JSON.stringify(rows.map((r) => r.seq)));
    const streams = new Map<number, { groupId: number; bytes: number }>();
    for (const r of rows) {
      const s = streams.get(r.stream_id) ?? { groupId: r.group_id, bytes: 0 };
      s.bytes += r.bytes;
      streams.set(r.stream_id, s);
    }
    for (const [streamId, s] of streams) {
      this.db
        .prepare(
          `UPDATE log_streams SET stored_bytes = stored_bytes - ?,
             first_event_ts = (SELECT min(ts) FROM log_events WHERE stream_id = ?) WHERE id = ?`,
        )
        .run(s.bytes, streamId, streamId);
      this.db
        .prepare('UPDATE log_groups SET stored_bytes = stored_bytes - ? WHERE id = ?')
        .run(s.bytes, s.groupId);
    }
    return rows.length;
  }
}

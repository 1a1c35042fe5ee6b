/**
 * The logs store on SQLite: its own file (`<data-dir>/logs.db`) in WAL mode, through better-sqlite3's
 * prepared statements (a PutLogEvents batch is up to 10,000 rows; a query builder per row would be most of
 * the cost).
 *
 * Durability: `synchronous = FULL` syncs the WAL at every commit, so an acknowledged PutLogEvents survives
 * `kill -9` and a power cut alike. NORMAL would survive `kill -9` too (the WAL write reaches the kernel
 * before the commit returns) but could lose the last batches on a power cut; since a batch is one commit of
 * up to 10,000 events, the extra fsync costs little throughput.
 */
import Sqlite from 'better-sqlite3';
import { migrate } from './migrations.js';
import { SqliteLogEvents } from './sqlite-events.js';
import type {
  GroupQuery,
  LogGroupRecord,
  LogGroupStore,
  LogStore,
  LogStreamRecord,
  LogStreamStore,
  Paged,
  StreamCreated,
  StreamDeleted,
  StreamQuery,
} from './types.js';

interface GroupRow {
  id: number;
  name: string;
  created_at: number;
  retention_days: number | null;
  stored_bytes: number;
  tags: string;
}

interface StreamRow {
  id: number;
  name: string;
  created_at: number;
  first_event_ts: number | null;
  last_event_ts: number | null;
  last_ingestion: number | null;
  stored_bytes: number;
}

function groupOf(r: GroupRow): LogGroupRecord {
  return {
    name: r.name,
    createdAt: r.created_at,
    retentionInDays: r.retention_days ?? undefined,
    storedBytes: r.stored_bytes,
    tags: JSON.parse(r.tags) as Record<string, string>,
  };
}

function streamOf(r: StreamRow): LogStreamRecord {
  return {
    name: r.name,
    createdAt: r.created_at,
    firstEventTimestamp: r.first_event_ts ?? undefined,
    lastEventTimestamp: r.last_event_ts ?? undefined,
    lastIngestionTime: r.last_ingestion ?? undefined,
    storedBytes: r.stored_bytes,
  };
}

function encodeKey(key: unknown): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Undefined when the key is not one this store made. */
export function decodeKey(key: string): unknown {
  try {
    return JSON.parse(Buffer.from(key, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

class SqliteLogGroups implements LogGroupStore {
  constructor(private readonly db: Sqlite.Database) {}

  create(name: string, createdAt: number, tags: Readonly<Record<string, string>>): Promise<boolean> {
    const r = this.db
      .prepare('INSERT INTO log_groups (name, created_at, tags) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(name, createdAt, JSON.stringify(tags));
    return Promise.resolve(r.changes === 1);
  }

  delete(name: string): Promise<boolean> {
    const done = this.db.transaction(() => {
      const row = this.db.prepare('SELECT id FROM log_groups WHERE name = ?').get(name) as
        { id: number } | undefined;
      if (row === undefined) return false;
      this.db.prepare('DELETE FROM log_events WHERE group_id = ?').run(row.id);
      this.db.prepare('DELETE FROM log_groups WHERE id = ?').run(row.id);
      return true;
    })();
    return Promise.resolve(done);
  }

  get(name: string): Promise<LogGroupRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM log_groups WHERE name = ?').get(name) as GroupRow | undefined;
    return Promise.resolve(row && groupOf(row));
  }

  list(q: GroupQuery): Promise<Paged<LogGroupRecord>> {
    const key = q.after === undefined ? '' : decodeKey(q.after);
    const after = typeof key === 'string' ? key : '';
    const rows = this.db
      .prepare(
        `SELECT * FROM log_groups WHERE name > ?
           AND (? IS NULL OR substr(name, 1, length(?)) = ?)
           AND (? IS NULL OR instr(lower(name), lower(?)) > 0)
         ORDER BY name LIMIT ?`,
      )
      .all(
        after,
        q.prefix ?? null,
        q.prefix ?? null,
        q.prefix ?? null,
        q.pattern ?? null,
        q.pattern ?? null,
        q.limit + 1,
      ) as GroupRow[];
    const items = rows.slice(0, q.limit).map(groupOf);
    const last = items.at(-1);
    return Promise.resolve({
      items,
      next: rows.length > q.limit && last ? encodeKey(last.name) : undefined,
    });
  }

  setRetention(name: string, days: number | undefined): Promise<boolean> {
    const r = this.db
      .prepare('UPDATE log_groups SET retention_days = ? WHERE name = ?')
      .run(days ?? null, name);
    return Promise.resolve(r.changes === 1);
  }

  retag(name: string, add: Readonly<Record<string, string>>, remove: readonly string[]): Promise<boolean> {
    const done = this.db.transaction(() => {
      const row = this.db.prepare('SELECT tags FROM log_groups WHERE name = ?').get(name) as
        { tags: string } | undefined;
      if (row === undefined) return false;
      const tags = { ...(JSON.parse(row.tags) as Record<string, string>), ...add };
      for (const k of remove) delete tags[k];
      this.db.prepare('UPDATE log_groups SET tags = ? WHERE name = ?').run(JSON.stringify(tags), name);
      return true;
    })();
    return Promise.resolve(done);
  }
}

class SqliteLogStreams implements LogStreamStore {
  constructor(private readonly db: Sqlite.Database) {}

  private groupId(group: string): number | undefined {
    const row = this.db.prepare('SELECT id FROM log_groups WHERE name = ?').get(group) as
      { id: number } | undefined;
    return row?.id;
  }

  create(group: string, name: string, createdAt: number): Promise<StreamCreated> {
    const id = this.groupId(group);
    if (id === undefined) return Promise.resolve('no-group');
    const r = this.db
      .prepare('INSERT INTO log_streams (group_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
      .run(id, name, createdAt);
    return Promise.resolve(r.changes === 1 ? 'created' : 'exists');
  }

  delete(group: string, name: string): Promise<StreamDeleted> {
    const done = this.db.transaction((): StreamDeleted => {
      const id = this.groupId(group);
      if (id === undefined) return 'no-group';
      const s = this.db
        .prepare('SELECT id, stored_bytes FROM log_streams WHERE group_id = ? AND name = ?')
        .get(id, name) as { id: number; stored_bytes: number } | undefined;
      if (s === undefined) return 'no-stream';
      this.db.prepare('DELETE FROM log_events WHERE stream_id = ?').run(s.id);
      this.db.prepare('DELETE FROM log_streams WHERE id = ?').run(s.id);
      this.db
        .prepare('UPDATE log_groups SET stored_bytes = stored_bytes - ? WHERE id = ?')
        .run(s.stored_bytes, id);
      return 'deleted';
    })();
    return Promise.resolve(done);
  }

  list(group: string, q: StreamQuery): Promise<Paged<LogStreamRecord> | undefined> {
    const id = this.groupId(group);
    if (id === undefined) return Promise.resolve(undefined);
    const dir = q.descending ? 'DESC' : 'ASC';
    const cmp = q.descending ? '<' : '>';
    const byTime = q.orderBy === 'LastEventTime';
    // Streams without events sort as time -1, before every event.
    const key = byTime ? '(coalesce(last_event_ts, -1), name)' : '(name)';
    const after = q.after === undefined ? undefined : decodeKey(q.after);
    const afterValues = Array.isArray(after) ? after : [];
    const rows = this.db
      .prepare(
        `SELECT * FROM log_streams WHERE group_id = ?
           AND (? IS NULL OR substr(name, 1, length(?)) = ?)
           ${afterValues.length > 0 ? `AND ${key} ${cmp} (${afterValues.map(() => '?').join(', ')})` : ''}
         ORDER BY ${byTime ? `coalesce(last_event_ts, -1) ${dir}, ` : ''}name ${dir} LIMIT ?`,
      )
      .all(
        id,
        q.prefix ?? null,
        q.prefix ?? null,
        q.prefix ?? null,
        ...(afterValues as (string | number)[]),
        q.limit + 1,
      ) as StreamRow[];
    const items = rows.slice(0, q.limit);
    const last = items.at(-1);
    const next =
      rows.length > q.limit && last
        ? encodeKey(byTime ? [last.last_event_ts ?? -1, last.name] : [last.name])
        : undefined;
    return Promise.resolve({ items: items.map(streamOf), next });
  }
}

/** Opens (creating if needed) the logs database and brings its schema up to date. */
export function openSqliteLogStore(file: string): LogStore {
  const db = new Sqlite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  const events = new SqliteLogEvents(db);
  return {
    groups: new SqliteLogGroups(db),
    streams: new SqliteLogStreams(db),
    events,
    expire: (now, limit) => Promise.resolve(events.expire(now, limit)),
    evictOver: (maxBytes, limit) => Promise.resolve(events.evictOver(maxBytes, limit)),
    totalBytes: () => Promise.resolve(events.totalBytes()),
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}

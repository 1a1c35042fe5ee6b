/**
 * The logs database's schema, one step per `user_version`. Kept apart from the main store's Kysely
 * migrations because the two files evolve (and may be deleted) independently.
 */
import type Sqlite from 'better-sqlite3';

const STEPS: readonly string[] = [
  `CREATE TABLE log_groups (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     retention_days INTEGER,
     stored_bytes INTEGER NOT NULL DEFAULT 0,
     tags TEXT NOT NULL DEFAULT '{}'
   );
   CREATE TABLE log_streams (
     id INTEGER PRIMARY KEY,
     group_id INTEGER NOT NULL REFERENCES log_groups(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     first_event_ts INTEGER,
     last_event_ts INTEGER,
     last_ingestion INTEGER,
     stored_bytes INTEGER NOT NULL DEFAULT 0,
     UNIQUE (group_id, name)
   );
   -- AUTOINCREMENT: an ingestion sequence never reused, so tokens and eventIds never point at a newer event.
   CREATE TABLE log_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     stream_id INTEGER NOT NULL,
     group_id INTEGER NOT NULL,
     ts INTEGER NOT NULL,
     ingested INTEGER NOT NULL,
     message TEXT NOT NULL
   );
   -- Each index ends in the rowid (seq), so both read in (timestamp, seq) order.
   CREATE INDEX log_events_stream_ts ON log_events (stream_id, ts);
   CREATE INDEX log_events_group_ts ON log_events (group_id, ts);
   CREATE TABLE log_batches (
     stream_id INTEGER NOT NULL REFERENCES log_streams(id) ON DELETE CASCADE,
     sender TEXT NOT NULL,
     seq INTEGER NOT NULL,
     PRIMARY KEY (stream_id, sender)
   ) WITHOUT ROWID;`,
];

export function migrate(db: Sqlite.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > STEPS.length) {
    throw new Error(
      `the logs database has schema version ${current}, newer than this Berth knows (${STEPS.length})`,
    );
  }
  for (let v = current; v < STEPS.length; v++) {
    db.transaction(() => {
      db.exec(STEPS[v] ?? '');
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

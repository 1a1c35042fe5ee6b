/**
 * The embedded default store: one SQLite file in WAL mode, through Kysely over better-sqlite3.
 *
 * Durability: `synchronous = FULL` makes every commit reach the disk before the call that made it returns,
 * so a request acknowledged to a client survives `kill -9` of the server (and a power cut).
 * Concurrency: better-sqlite3 is one synchronous connection; Kysely's SQLite driver serialises access to it,
 * so a transaction holds the connection and every other query waits for it to finish.

 */
import Sqlite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import type { Store } from '../types.js';
import { SqliteAccessKeyStore } from './access-key-store.js';
import { SqliteActivationStore } from './activation-store.js';
import { SqliteClientTokenStore } from './client-token-store.js';
import { SqliteClusterStore } from './cluster-store.js';
import { SqliteContainerInstanceStore } from './container-instance-store.js';
import { SqliteManagedInstanceStore } from './managed-instance-store.js';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';
import { SqliteServiceStore } from './service-store.js';
import { SqliteStateChangeStore } from './state-change-store.js';
import { SqliteTagStore } from './tag-store.js';
import { SqliteTaskDefinitionStore } from './task-definition-store.js';
import { SqliteTaskStore } from './task-store.js';

function storeOver(db: Kysely<Database>, root: Kysely<Database>, inTransaction: boolean): Store {
  return {
    clusters: new SqliteClusterStore(db),
    taskDefinitions: new SqliteTaskDefinitionStore(db),
    containerInstances: new SqliteContainerInstanceStore(db),
    tasks: new SqliteTaskStore(db),
    services: new SqliteServiceStore(db),
    tags: new SqliteTagStore(db),
    accessKeys: new SqliteAccessKeyStore(db),
    activations: new SqliteActivationStore(db),
    managedInstances: new SqliteManagedInstanceStore(db),
    clientTokens: new SqliteClientTokenStore(db),
    stateChanges: new SqliteStateChangeStore(db),
    transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
      if (inTransaction) throw new Error('transactions do not nest');
      return root.transaction().execute((trx) => work(storeOver(trx, root, true)));
    },
    close: () => root.destroy(),
  };
}

/** Opens (creating if needed) the database file and brings its schema up to date. */
export async function openSqliteStore(file: string): Promise<Store> {
  const database = new Sqlite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined || failed !== undefined) {
    await db.destroy();
    const reason =
      error instanceof Error ? error.message : `migration ${failed?.migrationName ?? '?'} failed`;
    throw new Error(`cannot migrate the database at ${file}: ${reason}`);
  }
  return storeOver(db, db, false);
}

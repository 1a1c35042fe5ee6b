import type { Failure } from '@aws-sdk/client-ecs';
import type { Kysely } from 'kysely';
import { decodeDoc, encodeDoc } from '../codec.js';
import type { ClientTokenRecord, ClientTokenStore } from '../types.js';
import type { Database } from './schema.js';

interface Doc {
  readonly resourceIds: readonly string[];
  readonly failures: readonly Failure[];
}

export class SqliteClientTokenStore implements ClientTokenStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(scope: string, token: string): Promise<ClientTokenRecord | undefined> {
    const row = await this.db
      .selectFrom('client_tokens')
      .selectAll()
      .where('scope', '=', scope)
      .where('token', '=', token)
      .executeTakeFirst();
    if (!row) return undefined;
    const doc = decodeDoc<Doc>(row.doc);
    return {
      scope: row.scope,
      token: row.token,
      requestHash: row.request_hash,
      resourceIds: doc.resourceIds,
      failures: doc.failures,
      createdAt: new Date(row.created_at),
    };
  }

  async create(record: ClientTokenRecord): Promise<boolean> {
    const doc: Doc = { resourceIds: record.resourceIds, failures: record.failures };
    const result = await this.db
      .insertInto('client_tokens')
      .values({
        scope: record.scope,
        token: record.token,
        request_hash: record.requestHash,
        doc: encodeDoc(doc),
        created_at: record.createdAt.getTime(),
      })
      .onConflict((oc) => oc.columns(['scope', 'token']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }
}

import type { Cluster } from '@aws-sdk/client-ecs';
import type { Kysely } from 'kysely';
import { decodeDoc, encodeDoc } from '../codec.js';
import type { ClusterStore, Page, PageRequest } from '../types.js';
import { toPage } from './paging.js';
import type { Database } from './schema.js';

export class SqliteClusterStore implements ClusterStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(arn: string): Promise<Cluster | undefined> {
    const row = await this.db.selectFrom('clusters').select('doc').where('arn', '=', arn).executeTakeFirst();
    return row ? decodeDoc<Cluster>(row.doc) : undefined;
  }

  async put(cluster: Cluster): Promise<void> {
    const row = {
      arn: cluster.clusterArn ?? '',
      name: cluster.clusterName ?? '',
      status: cluster.status ?? 'ACTIVE',
      doc: encodeDoc(cluster),
    };
    await this.db
      .insertInto('clusters')
      .values(row)
      .onConflict((oc) => oc.column('arn').doUpdateSet({ name: row.name, status: row.status, doc: row.doc }))
      .execute();
  }

  async listActive(page: PageRequest): Promise<Page<Cluster>> {
    let q = this.db.selectFrom('clusters').select(['arn', 'doc']).where('status', '=', 'ACTIVE');
    if (page.after !== undefined) q = q.where('arn', '>', page.after);
    const rows = await q
      .orderBy('arn')
      .limit(page.limit + 1)
      .execute();
    return toPage(
      rows,
      page,
      (r) => r.arn,
      (r) => decodeDoc<Cluster>(r.doc),
    );
  }
}

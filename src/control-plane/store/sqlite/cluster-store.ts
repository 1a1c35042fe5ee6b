import type { Kysely } from 'kysely';
import type { ClusterRecord } from '../../../domain/cluster-record.js';
import { decodeCluster, encodeDoc } from '../codec.js';
import type { ClusterStore, Page, PageRequest } from '../types.js';
import { toPage } from './paging.js';
import type { Database } from './schema.js';

export class SqliteClusterStore implements ClusterStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(arn: string): Promise<ClusterRecord | undefined> {
    const row = await this.db.selectFrom('clusters').select('doc').where('arn', '=', arn).executeTakeFirst();
    return row ? decodeCluster(row.doc) : undefined;
  }

  async put(cluster: ClusterRecord): Promise<void> {
    const row = {
      arn: cluster.clusterArn,
      name: cluster.clusterName,
      status: cluster.status,
      doc: encodeDoc(cluster),
    };
    await this.db
      .insertInto('clusters')
      .values(row)
      .onConflict((oc) => oc.column('arn').doUpdateSet({ name: row.name, status: row.status, doc: row.doc }))
      .execute();
  }

  async listActive(page: PageRequest): Promise<Page<ClusterRecord>> {
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
      (r) => decodeCluster(r.doc),
    );
  }
}

import type { Kysely } from 'kysely';
import type { ClusterRecord } from '../../../domain/cluster-record.js';
import { decodeCluster, encodeDoc } from '../codec.js';
import type { ClusterStore, Page, PageRequest } from '../types.js';
import { DocTable } from './doc-table.js';
import type { Database } from './schema.js';

export class SqliteClusterStore implements ClusterStore {
  private readonly docs: DocTable<'clusters', ClusterRecord>;

  constructor(private readonly db: Kysely<Database>) {
    this.docs = new DocTable(db, 'clusters', decodeCluster);
  }

  get(arn: string): Promise<ClusterRecord | undefined> {
    return this.docs.get(arn);
  }

  put(cluster: ClusterRecord): Promise<void> {
    return this.docs.put({
      arn: cluster.clusterArn,
      name: cluster.clusterName,
      status: cluster.status,
      doc: encodeDoc(cluster),
    });
  }

  listActive(page: PageRequest): Promise<Page<ClusterRecord>> {
    return this.docs.list(this.db.selectFrom('clusters').where('status', '=', 'ACTIVE'), page);
  }
}

import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { InstanceRecord } from '../../../domain/instance-record.js';
import { decodeInstance, encodeDoc } from '../codec.js';
import type { ContainerInstanceFilter, ContainerInstanceStore, Page, PageRequest } from '../types.js';
import { DocTable } from './doc-table.js';
import type { Database } from './schema.js';

type InstanceQuery = SelectQueryBuilder<Database, 'container_instances', object>;

export class SqliteContainerInstanceStore implements ContainerInstanceStore {
  private readonly docs: DocTable<'container_instances', InstanceRecord>;

  constructor(private readonly db: Kysely<Database>) {
    this.docs = new DocTable(db, 'container_instances', decodeInstance);
  }

  get(arn: string): Promise<InstanceRecord | undefined> {
    return this.docs.get(arn);
  }

  async findByEc2InstanceId(clusterArn: string, ec2InstanceId: string): Promise<InstanceRecord | undefined> {
    const row = await this.db
      .selectFrom('container_instances')
      .select('doc')
      .where('cluster_arn', '=', clusterArn)
      .where('ec2_instance_id', '=', ec2InstanceId)
      .where('status', '!=', 'INACTIVE')
      .executeTakeFirst();
    return row ? decodeInstance(row.doc) : undefined;
  }

  put(clusterArn: string, instance: InstanceRecord): Promise<void> {
    const row = {
      arn: instance.containerInstanceArn,
      cluster_arn: clusterArn,
      status: instance.status,
      ec2_instance_id: instance.ec2InstanceId ?? null,
      doc: encodeDoc(instance),
    };
    // An instance is filed under the cluster it registered with; a later put never moves it.
    return this.docs.put(row, ['cluster_arn']);
  }

  list(filter: ContainerInstanceFilter, page: PageRequest): Promise<Page<InstanceRecord>> {
    return this.docs.list(this.filtered(filter), page);
  }

  count(filter: ContainerInstanceFilter): Promise<number> {
    return this.docs.count(this.filtered(filter));
  }

  private filtered(filter: ContainerInstanceFilter): InstanceQuery {
    let q: InstanceQuery = this.db
      .selectFrom('container_instances')
      .where('cluster_arn', '=', filter.clusterArn);
    if (filter.statuses !== undefined)
      q = q.where('status', 'in', filter.statuses.length ? filter.statuses : ['']);
    // The flag lives in the document (JSON true/false read as 1/0); only a cluster's rows are looked at.
    if (filter.agentConnected !== undefined)
      q = q.where(
        sql<number>`coalesce(json_extract(doc, '$.agentConnected'), 0)`,
        '=',
        filter.agentConnected ? 1 : 0,
      );
    return q;
  }
}

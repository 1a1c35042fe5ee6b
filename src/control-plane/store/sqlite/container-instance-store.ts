import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { InstanceRecord } from '../../../domain/instance-record.js';
import { decodeInstance, encodeDoc } from '../codec.js';
import type { ContainerInstanceFilter, ContainerInstanceStore, Page, PageRequest } from '../types.js';
import { toPage } from './paging.js';
import type { Database } from './schema.js';

type InstanceQuery = SelectQueryBuilder<Database, 'container_instances', object>;

export class SqliteContainerInstanceStore implements ContainerInstanceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(arn: string): Promise<InstanceRecord | undefined> {
    const row = await this.db
      .selectFrom('container_instances')
      .select('doc')
      .where('arn', '=', arn)
      .executeTakeFirst();
    return row ? decodeInstance(row.doc) : undefined;
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

  async put(clusterArn: string, instance: InstanceRecord): Promise<void> {
    const row = {
      arn: instance.containerInstanceArn,
      cluster_arn: clusterArn,
      status: instance.status,
      ec2_instance_id: instance.ec2InstanceId ?? null,
      doc: encodeDoc(instance),
    };
    await this.db
      .insertInto('container_instances')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('arn')
          .doUpdateSet({ status: row.status, ec2_instance_id: row.ec2_instance_id, doc: row.doc }),
      )
      .execute();
  }

  async list(filter: ContainerInstanceFilter, page: PageRequest): Promise<Page<InstanceRecord>> {
    let q = this.filtered(filter).select(['arn', 'doc']);
    if (page.after !== undefined) q = q.where('arn', '>', page.after);
    const rows = await q
      .orderBy('arn')
      .limit(page.limit + 1)
      .execute();
    return toPage(
      rows,
      page,
      (r) => r.arn,
      (r) => decodeInstance(r.doc),
    );
  }

  async count(filter: ContainerInstanceFilter): Promise<number> {
    const row = await this.filtered(filter)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
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

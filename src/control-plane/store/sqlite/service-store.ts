import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { ServiceRecord } from '../../../domain/service-record.js';
import { decodeService, encodeDoc } from '../codec.js';
import type { Page, PageRequest, ServiceFilter, ServiceStore } from '../types.js';
import { DocTable } from './doc-table.js';
import type { Database } from './schema.js';

type ServiceQuery = SelectQueryBuilder<Database, 'services', object>;

export class SqliteServiceStore implements ServiceStore {
  private readonly docs: DocTable<'services', ServiceRecord>;

  constructor(private readonly db: Kysely<Database>) {
    this.docs = new DocTable(db, 'services', decodeService);
  }

  get(arn: string): Promise<ServiceRecord | undefined> {
    return this.docs.get(arn);
  }

  put(service: ServiceRecord): Promise<void> {
    return this.docs.put({
      arn: service.serviceArn,
      cluster_arn: service.clusterArn,
      name: service.serviceName,
      status: service.status,
      scheduling_strategy: service.schedulingStrategy,
      launch_type: service.launchType ?? null,
      doc: encodeDoc(service),
    });
  }

  list(filter: ServiceFilter, page: PageRequest): Promise<Page<ServiceRecord>> {
    return this.docs.list(this.filtered(filter), page);
  }

  count(filter: ServiceFilter): Promise<number> {
    return this.docs.count(this.filtered(filter));
  }

  private filtered(f: ServiceFilter): ServiceQuery {
    let q: ServiceQuery = this.db.selectFrom('services').where('cluster_arn', '=', f.clusterArn);
    if (f.statuses !== undefined) q = q.where('status', 'in', f.statuses.length ? f.statuses : ['']);
    if (f.schedulingStrategy !== undefined) q = q.where('scheduling_strategy', '=', f.schedulingStrategy);
    if (f.launchType !== undefined) q = q.where('launch_type', '=', f.launchType);
    return q;
  }
}

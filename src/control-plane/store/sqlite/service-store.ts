import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { ServiceRecord } from '../../../domain/service-record.js';
import { decodeService, encodeDoc } from '../codec.js';
import type { Page, PageRequest, ServiceFilter, ServiceStore } from '../types.js';
import { toPage } from './paging.js';
import type { Database } from './schema.js';

type ServiceQuery = SelectQueryBuilder<Database, 'services', object>;

export class SqliteServiceStore implements ServiceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(arn: string): Promise<ServiceRecord | undefined> {
    const row = await this.db.selectFrom('services').select('doc').where('arn', '=', arn).executeTakeFirst();
    return row ? decodeService(row.doc) : undefined;
  }

  async put(service: ServiceRecord): Promise<void> {
    const row = {
      arn: service.serviceArn,
      cluster_arn: service.clusterArn,
      name: service.serviceName,
      status: service.status,
      scheduling_strategy: service.schedulingStrategy,
      launch_type: service.launchType ?? null,
      doc: encodeDoc(service),
    };
    const { arn: _arn, ...update } = row;
    await this.db
      .insertInto('services')
      .values(row)
      .onConflict((oc) => oc.column('arn').doUpdateSet(update))
      .execute();
  }

  async list(filter: ServiceFilter, page: PageRequest): Promise<Page<ServiceRecord>> {
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
      (r) => decodeService(r.doc),
    );
  }

  async count(filter: ServiceFilter): Promise<number> {
    const row = await this.filtered(filter)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private filtered(f: ServiceFilter): ServiceQuery {
    let q: ServiceQuery = this.db.selectFrom('services').where('cluster_arn', '=', f.clusterArn);
    if (f.statuses !== undefined) q = q.where('status', 'in', f.statuses.length ? f.statuses : ['']);
    if (f.schedulingStrategy !== undefined) q = q.where('scheduling_strategy', '=', f.schedulingStrategy);
    if (f.launchType !== undefined) q = q.where('launch_type', '=', f.launchType);
    return q;
  }
}

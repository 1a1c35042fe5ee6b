import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import { decodeDoc, encodeDoc } from '../codec.js';
import type {
  ManagedInstanceFilter,
  ManagedInstanceRecord,
  ManagedInstanceStore,
  Page,
  PageRequest,
} from '../types.js';
import { nonEmpty } from './activation-store.js';
import { toPage } from './paging.js';
import type { Database } from './schema.js';

type Row = Selectable<Database['managed_instances']>;
type InstanceQuery = SelectQueryBuilder<Database, 'managed_instances', object>;

function fromRow(r: Row): ManagedInstanceRecord {
  const { lastPingDateTime: _ping, ...doc } = decodeDoc<ManagedInstanceRecord>(r.doc);
  return { ...doc, ...(r.last_ping_at !== null && { lastPingDateTime: new Date(r.last_ping_at) }) };
}

export class SqliteManagedInstanceStore implements ManagedInstanceStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(instanceId: string): Promise<ManagedInstanceRecord | undefined> {
    const r = await this.db
      .selectFrom('managed_instances')
      .selectAll()
      .where('instance_id', '=', instanceId)
      .executeTakeFirst();
    return r ? fromRow(r) : undefined;
  }

  async findByPublicKey(publicKey: string): Promise<ManagedInstanceRecord | undefined> {
    const r = await this.db
      .selectFrom('managed_instances')
      .selectAll()
      .where('public_key', '=', publicKey)
      .executeTakeFirst();
    return r ? fromRow(r) : undefined;
  }

  async put(m: ManagedInstanceRecord): Promise<void> {
    const { lastPingDateTime, ...doc } = m;
    const row = {
      instance_id: m.instanceId,
      activation_id: m.activationId,
      iam_role: m.iamRole,
      agent_version: m.agentVersion ?? null,
      public_key: m.publicKey,
      deregistered_at: m.deregisteredAt?.getTime() ?? null,
      doc: encodeDoc(doc),
    };
    const { instance_id: _id, ...update } = row;
    await this.db
      .insertInto('managed_instances')
      .values({ ...row, last_ping_at: lastPingDateTime?.getTime() ?? null })
      .onConflict((oc) => oc.column('instance_id').doUpdateSet(update))
      .execute();
  }

  async recordPing(instanceId: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('managed_instances')
      .set({ last_ping_at: at.getTime() })
      .where('instance_id', '=', instanceId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async list(filter: ManagedInstanceFilter, page: PageRequest): Promise<Page<ManagedInstanceRecord>> {
    let q = this.filtered(filter).selectAll();
    if (page.after !== undefined) q = q.where('instance_id', '>', page.after);
    const rows = await q
      .orderBy('instance_id')
      .limit(page.limit + 1)
      .execute();
    return toPage(rows, page, (r) => r.instance_id, fromRow);
  }

  async count(filter: ManagedInstanceFilter): Promise<number> {
    const row = await this.filtered(filter)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private filtered(f: ManagedInstanceFilter): InstanceQuery {
    let q: InstanceQuery = this.db.selectFrom('managed_instances');
    if (f.includeDeregistered !== true) q = q.where('deregistered_at', 'is', null);
    if (f.instanceIds !== undefined) q = q.where('instance_id', 'in', nonEmpty(f.instanceIds));
    if (f.activationIds !== undefined) q = q.where('activation_id', 'in', nonEmpty(f.activationIds));
    if (f.iamRoles !== undefined) q = q.where('iam_role', 'in', nonEmpty(f.iamRoles));
    if (f.agentVersions !== undefined) q = q.where('agent_version', 'in', nonEmpty(f.agentVersions));
    if (f.pinged !== undefined) {
      const since = f.pinged.since.getTime();
      q = f.pinged.online
        ? q.where('last_ping_at', '>=', since)
        : q.where((eb) => eb.or([eb('last_ping_at', 'is', null), eb('last_ping_at', '<', since)]));
    }
    return q;
  }
}

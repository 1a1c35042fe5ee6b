import type { Kysely, Selectable } from 'kysely';
import type { ActivationFilter, ActivationRecord, ActivationStore, Page, PageRequest } from '../types.js';
import { toPage } from './paging.js';
import type { Database } from './schema.js';

type Row = Selectable<Database['activations']>;

/** Creation time first, so lists read oldest to newest; zero-padded so text order is time order. */
function sortKey(a: ActivationRecord): string {
  return `${String(a.createdDate.getTime()).padStart(15, '0')}:${a.activationId}`;
}

function fromRow(r: Row): ActivationRecord {
  return {
    activationId: r.activation_id,
    codeHash: r.code_hash,
    iamRole: r.iam_role,
    ...(r.description !== null && { description: r.description }),
    ...(r.default_instance_name !== null && { defaultInstanceName: r.default_instance_name }),
    registrationLimit: r.registration_limit,
    registrationsCount: r.registrations_count,
    expirationDate: new Date(r.expiration_date),
    createdDate: new Date(r.created_date),
  };
}

export class SqliteActivationStore implements ActivationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(activationId: string): Promise<ActivationRecord | undefined> {
    const r = await this.db
      .selectFrom('activations')
      .selectAll()
      .where('activation_id', '=', activationId)
      .executeTakeFirst();
    return r ? fromRow(r) : undefined;
  }

  async create(a: ActivationRecord): Promise<void> {
    await this.db
      .insertInto('activations')
      .values({
        activation_id: a.activationId,
        sort_key: sortKey(a),
        code_hash: a.codeHash,
        iam_role: a.iamRole,
        description: a.description ?? null,
        default_instance_name: a.defaultInstanceName ?? null,
        registration_limit: a.registrationLimit,
        registrations_count: a.registrationsCount,
        expiration_date: a.expirationDate.getTime(),
        created_date: a.createdDate.getTime(),
      })
      .execute();
  }

  async countRegistration(activationId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('activations')
      .set((eb) => ({ registrations_count: eb('registrations_count', '+', 1) }))
      .where('activation_id', '=', activationId)
      .whereRef('registrations_count', '<', 'registration_limit')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async delete(activationId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('activations')
      .where('activation_id', '=', activationId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async list(filter: ActivationFilter, page: PageRequest): Promise<Page<ActivationRecord>> {
    let q = this.db.selectFrom('activations').selectAll();
    if (filter.activationIds !== undefined)
      q = q.where('activation_id', 'in', nonEmpty(filter.activationIds));
    if (filter.defaultInstanceNames !== undefined)
      q = q.where('default_instance_name', 'in', nonEmpty(filter.defaultInstanceNames));
    if (filter.iamRoles !== undefined) q = q.where('iam_role', 'in', nonEmpty(filter.iamRoles));
    if (page.after !== undefined) q = q.where('sort_key', '>', page.after);
    const rows = await q
      .orderBy('sort_key')
      .limit(page.limit + 1)
      .execute();
    return toPage(rows, page, (r) => r.sort_key, fromRow);
  }
}

/**
 * `IN ()` is a syntax error in SQL; an empty list of alternatives must match nothing, which a list holding
 * one value no row can have (the empty string is never an id, role or name here) does.
 */
export function nonEmpty(values: readonly string[]): readonly string[] {
  return values.length === 0 ? [''] : values;
}

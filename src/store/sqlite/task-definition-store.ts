import type { TaskDefinition } from '@aws-sdk/client-ecs';
import type { Kysely } from 'kysely';
import { decodeDoc, encodeDoc } from '../codec.js';
import type {
  Page,
  PageRequest,
  TaskDefinitionFamilyStatus,
  TaskDefinitionFilter,
  TaskDefinitionStore,
} from '../types.js';
import { hasPrefix, toPage } from './paging.js';
import type { Database } from './schema.js';

/** Revisions are zero-padded in the sort key so that text order is numeric order (max 1,000,000). */
export function taskDefinitionSortKey(family: string, revision: number): string {
  return `${family}:${String(revision).padStart(10, '0')}`;
}

export class SqliteTaskDefinitionStore implements TaskDefinitionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(family: string, revision: number): Promise<TaskDefinition | undefined> {
    const row = await this.db
      .selectFrom('task_definitions')
      .select('doc')
      .where('family', '=', family)
      .where('revision', '=', revision)
      .executeTakeFirst();
    return row ? decodeDoc<TaskDefinition>(row.doc) : undefined;
  }

  async latestActive(family: string): Promise<TaskDefinition | undefined> {
    const row = await this.db
      .selectFrom('task_definitions')
      .select('doc')
      .where('family', '=', family)
      .where('status', '=', 'ACTIVE')
      .orderBy('revision', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? decodeDoc<TaskDefinition>(row.doc) : undefined;
  }

  async reserveRevision(family: string): Promise<number> {
    const row = await this.db
      .insertInto('task_definition_families')
      .values({ family, last_revision: 1 })
      .onConflict((oc) =>
        oc.column('family').doUpdateSet((eb) => ({ last_revision: eb('last_revision', '+', 1) })),
      )
      .returning('last_revision')
      .executeTakeFirstOrThrow();
    return row.last_revision;
  }

  async put(definition: TaskDefinition): Promise<void> {
    const family = definition.family ?? '';
    const revision = definition.revision ?? 0;
    const row = {
      arn: definition.taskDefinitionArn ?? '',
      family,
      revision,
      sort_key: taskDefinitionSortKey(family, revision),
      status: definition.status ?? 'ACTIVE',
      doc: encodeDoc(definition),
    };
    await this.db
      .insertInto('task_definitions')
      .values(row)
      .onConflict((oc) => oc.column('arn').doUpdateSet({ status: row.status, doc: row.doc }))
      .execute();
  }

  async list(
    filter: TaskDefinitionFilter,
    descending: boolean,
    page: PageRequest,
  ): Promise<Page<TaskDefinition>> {
    let q = this.db.selectFrom('task_definitions').select(['sort_key', 'doc']);
    if (filter.family !== undefined) q = q.where('family', '=', filter.family);
    if (filter.familyPrefix !== undefined) q = q.where(hasPrefix('family', filter.familyPrefix));
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (page.after !== undefined) q = q.where('sort_key', descending ? '<' : '>', page.after);
    const rows = await q
      .orderBy('sort_key', descending ? 'desc' : 'asc')
      .limit(page.limit + 1)
      .execute();
    return toPage(
      rows,
      page,
      (r) => r.sort_key,
      (r) => decodeDoc<TaskDefinition>(r.doc),
    );
  }

  async listFamilies(
    familyPrefix: string | undefined,
    status: TaskDefinitionFamilyStatus | undefined,
    page: PageRequest,
  ): Promise<Page<string>> {
    let q = this.db.selectFrom('task_definitions as t').select('t.family').distinct();
    if (familyPrefix !== undefined) q = q.where(hasPrefix('t.family', familyPrefix));
    if (status !== undefined) {
      // A family's status is whether it has an ACTIVE revision; the (family, status) index answers this.
      q = q.where((eb) => {
        const active = eb.exists(
          eb
            .selectFrom('task_definitions as a')
            .select('a.family')
            .whereRef('a.family', '=', 't.family')
            .where('a.status', '=', 'ACTIVE'),
        );
        return status === 'ACTIVE' ? active : eb.not(active);
      });
    }
    if (page.after !== undefined) q = q.where('t.family', '>', page.after);
    const rows = await q
      .orderBy('t.family')
      .limit(page.limit + 1)
      .execute();
    return toPage(
      rows,
      page,
      (r) => r.family,
      (r) => r.family,
    );
  }
}

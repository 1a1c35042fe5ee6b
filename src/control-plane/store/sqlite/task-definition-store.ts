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

/** The inverse of `taskDefinitionSortKey`; a forged key yields a position at the edge of its family. */
function parseSortKey(key: string, descending: boolean): { family: string; revision: number } {
  const colon = key.lastIndexOf(':');
  const revision = colon < 0 ? NaN : Number(key.slice(colon + 1));
  if (colon < 0 || !Number.isSafeInteger(revision)) {
    return { family: key, revision: descending ? Number.MAX_SAFE_INTEGER : 0 };
  }
  return { family: key.slice(0, colon), revision };
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
    if (page.after !== undefined) {
      const after = parseSortKey(page.after, descending);
      const op = descending ? '<' : '>';
      q = q.where((eb) =>
        eb.or([
          eb('family', op, after.family),
          eb.and([eb('family', '=', after.family), eb('revision', op, after.revision)]),
        ]),
      );
    }
    // Ordered by the columns, not by sort_key: in the key, ':' sorts after '-' and digits, which would put
    // `web-api` (and `web2`) before `web`, where ECS's family order puts `web` first.
    const direction = descending ? 'desc' : 'asc';
    const rows = await q
      .orderBy('family', direction)
      .orderBy('revision', direction)
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

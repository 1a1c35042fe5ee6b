import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Page, PageRequest } from '../types.js';
import { toPage } from './paging.js';
import type { Database } from './schema.js';

/** The tables that hold one JSON document per ARN, next to the columns their queries filter on. */
export type DocTableName = {
  [T in keyof Database]: Database[T] extends { arn: string; doc: string } ? T : never;
}[keyof Database];

/** A query over one such table, filtered but with nothing selected yet. */
export type DocQuery<T extends DocTableName> = SelectQueryBuilder<Database, T, object>;

type Row<T extends DocTableName> = Database[T];

/**
 * Reads and writes of one document table. Documents come back through `decode` (a store codec decoder, which
 * also reads documents written by earlier releases). Kysely cannot resolve columns of a table named by a
 * type parameter, so the queries name the table through the union of all document tables.
 */
export class DocTable<T extends DocTableName, R> {
  private readonly table: DocTableName;

  constructor(
    private readonly db: Kysely<Database>,
    table: T,
    private readonly decode: (doc: string) => R,
  ) {
    this.table = table;
  }

  async get(arn: string): Promise<R | undefined> {
    const row = await this.db.selectFrom(this.table).select('doc').where('arn', '=', arn).executeTakeFirst();
    return row ? this.decode(row.doc) : undefined;
  }

  /** Inserts `row`, or replaces every column of the row already under its ARN except those in `insertOnly`. */
  async put(row: Row<T>, insertOnly: readonly Exclude<keyof Row<T>, 'arn' | 'doc'>[] = []): Promise<void> {
    const update: Partial<Row<T>> = { ...row };
    for (const column of ['arn', ...insertOnly] as const) delete update[column];
    await this.db
      .insertInto(this.table)
      .values(row)
      .onConflict((oc) => oc.column('arn').doUpdateSet(update))
      .execute();
  }

  /** One page of `filtered`'s documents in ARN order; the page key is the last ARN returned. */
  async list(filtered: DocQuery<T>, page: PageRequest): Promise<Page<R>> {
    const q: DocQuery<DocTableName> = filtered;
    let s = q.select(['arn', 'doc']);
    if (page.after !== undefined) s = s.where('arn', '>', page.after);
    const rows = await s
      .orderBy('arn')
      .limit(page.limit + 1)
      .execute();
    return toPage(
      rows,
      page,
      (r) => r.arn,
      (r) => this.decode(r.doc),
    );
  }

  async count(filtered: DocQuery<T>): Promise<number> {
    const q: DocQuery<DocTableName> = filtered;
    const row = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

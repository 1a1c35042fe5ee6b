import { sql, type RawBuilder } from 'kysely';
import type { Page, PageRequest } from '../types.js';

/**
 * Queries fetch `limit + 1` rows; the extra row only tells whether another page follows.
 */
export function toPage<R, T>(
  rows: R[],
  page: PageRequest,
  key: (row: R) => string,
  map: (row: R) => T,
): Page<T> {
  const more = rows.length > page.limit;
  const kept = more ? rows.slice(0, page.limit) : rows;
  const last = kept[kept.length - 1];
  return more && last !== undefined ? { items: kept.map(map), nextKey: key(last) } : { items: kept.map(map) };
}

/** A case-sensitive prefix test that works the same on SQLite and PostgreSQL (LIKE does not). */
export function hasPrefix(column: string, prefix: string): RawBuilder<boolean> {
  return sql<boolean>`substr(${sql.ref(column)}, 1, ${prefix.length}) = ${prefix}`;
}

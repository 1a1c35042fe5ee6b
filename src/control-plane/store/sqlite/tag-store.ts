import type { Tag } from '@aws-sdk/client-ecs';
import type { Kysely } from 'kysely';
import type { StoredTag, TagStore } from '../types.js';
import type { Database } from './schema.js';

export class SqliteTagStore implements TagStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(resourceArn: string): Promise<StoredTag[]> {
    const rows = await this.db
      .selectFrom('tags')
      .select(['tag_key', 'tag_value'])
      .where('resource_arn', '=', resourceArn)
      .orderBy('tag_key')
      .execute();
    return rows.map((r) => ({ key: r.tag_key, value: r.tag_value }));
  }

  async put(resourceArn: string, tags: readonly Tag[]): Promise<void> {
    for (const tag of tags) {
      const value = tag.value ?? '';
      await this.db
        .insertInto('tags')
        .values({ resource_arn: resourceArn, tag_key: tag.key ?? '', tag_value: value })
        .onConflict((oc) => oc.columns(['resource_arn', 'tag_key']).doUpdateSet({ tag_value: value }))
        .execute();
    }
  }

  async remove(resourceArn: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db
      .deleteFrom('tags')
      .where('resource_arn', '=', resourceArn)
      .where('tag_key', 'in', keys)
      .execute();
  }
}

import type { Kysely } from 'kysely';
import type { AccessKeyRecord, AccessKeyStore, PrincipalKind } from '../types.js';
import type { Database } from './schema.js';

export class SqliteAccessKeyStore implements AccessKeyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const r = await this.db
      .selectFrom('access_keys')
      .selectAll()
      .where('access_key_id', '=', accessKeyId)
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      accessKeyId: r.access_key_id,
      kind: r.kind as PrincipalKind,
      principalArn: r.principal_arn,
      encryptedSecret: r.encrypted_secret,
      createdAt: new Date(r.created_at),
      ...(r.expires_at !== null && { expiresAt: new Date(r.expires_at) }),
      ...(r.session_token_hash !== null && { sessionTokenHash: r.session_token_hash }),
      ...(r.instance_id !== null && { instanceId: r.instance_id }),
    };
  }

  async put(k: AccessKeyRecord): Promise<void> {
    const row = {
      access_key_id: k.accessKeyId,
      kind: k.kind,
      principal_arn: k.principalArn,
      encrypted_secret: k.encryptedSecret,
      created_at: k.createdAt.getTime(),
      expires_at: k.expiresAt?.getTime() ?? null,
      session_token_hash: k.sessionTokenHash ?? null,
      instance_id: k.instanceId ?? null,
    };
    const { access_key_id: _id, ...update } = row;
    await this.db
      .insertInto('access_keys')
      .values(row)
      .onConflict((oc) => oc.column('access_key_id').doUpdateSet(update))
      .execute();
  }

  async delete(accessKeyId: string): Promise<void> {
    await this.db.deleteFrom('access_keys').where('access_key_id', '=', accessKeyId).execute();
  }

  async deleteByInstance(instanceId: string): Promise<void> {
    await this.db.deleteFrom('access_keys').where('instance_id', '=', instanceId).execute();
  }

  async deleteExpiredByInstance(instanceId: string, before: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('access_keys')
      .where('instance_id', '=', instanceId)
      .where('expires_at', '<', before.getTime())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async countByKind(kind: PrincipalKind): Promise<number> {
    const row = await this.db
      .selectFrom('access_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', kind)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

/**
 * Issuing access keys in AWS's formats: ids `AKIA` + 16 base32 characters (long-lived) or `ASIA` + 16
 * (temporary), secrets of 40 base64 characters.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AccessKeyRecord, AccessKeyStore, PrincipalKind } from '../store/types.js';
import type { SecretBox } from './secret-box.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(n: number): string {
  return Array.from(randomBytes(n), (b) => BASE32[b % 32]).join('');
}

export interface IssuedKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiresAt?: Date;
}

export interface IssueOptions {
  readonly kind: PrincipalKind;
  readonly principalArn: string;
  readonly now: Date;
  /** Makes temporary credentials with a session token. */
  readonly lifetimeMs?: number;
  /** Binds the key to a managed instance (instance credentials). */
  readonly instanceId?: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function issueAccessKey(
  keys: AccessKeyStore,
  box: SecretBox,
  o: IssueOptions,
): Promise<IssuedKey> {
  const temporary = o.lifetimeMs !== undefined;
  const accessKeyId = (temporary ? 'ASIA' : 'AKIA') + base32(16);
  const secretAccessKey = randomBytes(30).toString('base64');
  const sessionToken = temporary ? randomBytes(48).toString('base64') : undefined;
  const expiresAt = temporary ? new Date(o.now.getTime() + (o.lifetimeMs ?? 0)) : undefined;
  const record: AccessKeyRecord = {
    accessKeyId,
    encryptedSecret: box.seal(secretAccessKey),
    principalArn: o.principalArn,
    kind: o.kind,
    createdAt: o.now,
    ...(expiresAt && { expiresAt }),
    ...(sessionToken !== undefined && { sessionTokenHash: hashToken(sessionToken) }),
    ...(o.instanceId !== undefined && { instanceId: o.instanceId }),
  };
  await keys.put(record);
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken !== undefined && { sessionToken }),
    ...(expiresAt && { expiresAt }),
  };
}

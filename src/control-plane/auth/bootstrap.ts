/**
 * First start: create the administrator key and hand it to the user as an AWS shared-credentials file
 * (profile `berth`) plus a config file with the region, both readable by the owner only. Later starts
 * rewrite the files only if they went missing, from the stored (encrypted) key.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/types.js';
import { issueAccessKey } from './access-keys.js';
import type { SecretBox } from './secret-box.js';

export const ADMIN_PROFILE = 'berth';

export interface AdminCredentialFiles {
  readonly credentialsFile: string;
  readonly configFile: string;
  readonly accessKeyId: string;
  readonly created: boolean;
}

export async function ensureAdminCredentials(
  store: Store,
  box: SecretBox,
  dataDir: string,
  region: string,
  accountId: string,
  now: Date,
): Promise<AdminCredentialFiles> {
  const credentialsFile = join(dataDir, 'credentials');
  const configFile = join(dataDir, 'config');
  const idFile = join(dataDir, 'admin-key-id');
  let accessKeyId: string | undefined;
  let secret: string | undefined;
  let created = false;
  if (existsSync(idFile)) {
    accessKeyId = readFileSync(idFile, 'utf8').trim();
    const record = await store.accessKeys.get(accessKeyId);
    if (record) secret = box.open(record.encryptedSecret);
  }
  if (accessKeyId === undefined || secret === undefined) {
    const key = await issueAccessKey(store.accessKeys, box, {
      kind: 'admin',
      principalArn: `arn:aws:iam::${accountId}:user/berth-admin`,
      now,
    });
    accessKeyId = key.accessKeyId;
    secret = key.secretAccessKey;
    writeFileSync(idFile, accessKeyId + '\n', { mode: 0o600 });
    created = true;
  }
  if (created || !existsSync(credentialsFile)) {
    const text = `[${ADMIN_PROFILE}]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secret}\n`;
    writeFileSync(credentialsFile, text, { mode: 0o600 });
  }
  if (created || !existsSync(configFile)) {
    writeFileSync(configFile, `[profile ${ADMIN_PROFILE}]\nregion = ${region}\noutput = json\n`, {
      mode: 0o600,
    });
  }
  return { credentialsFile, configFile, accessKeyId, created };
}

export interface AdminKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Reads the administrator's key back from the credentials file written above. */
export function readAdminKeys(credentialsFile: string): AdminKeys {
  const text = readFileSync(credentialsFile, 'utf8');
  const id = /aws_access_key_id\s*=\s*(\S+)/.exec(text)?.[1];
  const secret = /aws_secret_access_key\s*=\s*(\S+)/.exec(text)?.[1];
  if (id === undefined || secret === undefined) throw new Error(`no access key in ${credentialsFile}`);
  return { accessKeyId: id, secretAccessKey: secret };
}

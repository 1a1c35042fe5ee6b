/**
 * The AWS shared-credentials file the stock ECS agent reads its rotating instance credentials from, written
 * the way the SSM agent writes it: one `[default]` profile with the three keys. A reader must never see half a
 * file, because the agent re-reads it every minute and would fail to sign with a truncated key: each version
 * goes to a temporary file in the same directory, is flushed, and is renamed over the old one; the directory is
 * then flushed so that the rename survives a power cut.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Keys only their owner (root, as the ECS agent runs) may read. */
export const CREDENTIALS_FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export interface StaticKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

export const CREDENTIALS_PROFILE = 'default';

export function renderSharedCredentials(keys: StaticKeys): string {
  for (const value of [keys.accessKeyId, keys.secretAccessKey, keys.sessionToken]) {
    // A line break would end the value early and turn the rest into another key; the control plane never
    // issues one, so one here is a bug worth stopping on rather than writing.
    if (/[\r\n]/.test(value) || value.trim() !== value || value === '') {
      throw new Error('refusing to write a credential that is empty or has line breaks or outer spaces');
    }
  }
  return (
    `[${CREDENTIALS_PROFILE}]\n` +
    `aws_access_key_id = ${keys.accessKeyId}\n` +
    `aws_secret_access_key = ${keys.secretAccessKey}\n` +
    `aws_session_token = ${keys.sessionToken}\n`
  );
}

/** Creates the directory when missing, then replaces `file` whole with `keys` (mode 0600). */
export function writeSharedCredentials(file: string, keys: StaticKeys): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  const text = renderSharedCredentials(keys);
  const temporary = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', CREDENTIALS_FILE_MODE);
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (e) {
    rmSync(temporary, { force: true });
    throw e;
  }
  syncDirectory(dir);
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse to fsync a directory; the rename is still atomic for readers.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

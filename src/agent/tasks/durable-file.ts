/**
 * Files written whole or not at all, and on disk before the promise resolves: write a temporary file, fsync
 * it, rename it over the target, fsync the directory (without that, a power cut can lose the rename even
 * though the data blocks were written). Readable by the agent's user only: task state holds environment
 * variables, which often carry secrets.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;
/** Temporary files carry this infix; ones left by a crash are removed by `cleanTemporaryFiles`. */
const TEMPORARY_INFIX = '.tmp-';

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
}

export async function writeFileDurably(dir: string, name: string, text: string): Promise<void> {
  const temporary = join(dir, `${name}${TEMPORARY_INFIX}${randomBytes(6).toString('hex')}`);
  const handle = await open(temporary, 'wx', FILE_MODE);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, join(dir, name));
  } catch (e) {
    await rm(temporary, { force: true });
    throw e;
  }
  await syncDir(dir);
}

/** Removes a file (absent is fine) and makes the removal durable. */
export async function removeFileDurably(dir: string, name: string): Promise<void> {
  await rm(join(dir, name), { force: true });
  await syncDir(dir);
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Names of the complete files in `dir` ending in `suffix`, sorted; temporary leftovers are deleted. */
export async function listFiles(dir: string, suffix: string): Promise<string[]> {
  const names = await readdir(dir);
  const leftovers = names.filter((n) => n.includes(TEMPORARY_INFIX));
  await Promise.all(leftovers.map((n) => rm(join(dir, n), { force: true })));
  return names.filter((n) => n.endsWith(suffix) && !n.includes(TEMPORARY_INFIX)).sort();
}

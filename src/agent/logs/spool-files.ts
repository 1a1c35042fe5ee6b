/**
 * The spool's file primitives, synchronous on purpose: the spool's writes are small and ordered, and doing
 * them in one turn of the event loop keeps every append, flush and acknowledgement atomic with respect to
 * each other without a lock. State files are written whole or not at all (temporary file, fsync, rename,
 * fsync of the directory).
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

export function ensureDirSync(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
}

export function syncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeJsonDurably(dir: string, name: string, value: unknown): void {
  const temporary = join(dir, `${name}.tmp-${randomBytes(4).toString('hex')}`);
  const fd = openSync(temporary, 'wx', FILE_MODE);
  try {
    writeSync(fd, JSON.stringify(value));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, join(dir, name));
  syncDirSync(dir);
}

export function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Appends and makes the data durable (fdatasync: the size is metadata it covers). */
export function appendDurably(path: string, data: Buffer): void {
  const fd = openSync(path, 'a', FILE_MODE);
  try {
    writeSync(fd, data);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The bytes of `path` from `offset` on, at most `max` of them. */
export function readFrom(path: string, offset: number, max: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(max);
    let got = 0;
    while (got < max) {
      const n = readSync(fd, buffer, got, max - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return buffer.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

export function removeFile(path: string): void {
  rmSync(path, { force: true });
}

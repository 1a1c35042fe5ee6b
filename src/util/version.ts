/**
 * Berth's own version, from package.json: agents report it as their AgentVersion, and the control plane
 * compares it with theirs for DescribeInstanceInformation's IsLatestVersion. Required relative to this file,
 * which sits two folders below the package root both in `src/` and in the compiled `dist/`. A `require` of a
 * file shipped in the package (as ecs/model/load-model.ts does) keeps this kernel free of file-system I/O.
 */
import { createRequire } from 'node:module';

function readVersion(): string {
  const manifest: unknown = createRequire(import.meta.url)('../../package.json');
  const version = (manifest as { version?: unknown }).version;
  return typeof version === 'string' ? version : '0.0.0';
}

export const BERTH_VERSION: string = readVersion();

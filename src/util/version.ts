/**
 * Berth's own version, from package.json: agents report it as their AgentVersion, and the control plane
 * compares it with theirs for DescribeInstanceInformation's IsLatestVersion. Read relative to this file,
 * which sits two folders below the package root both in `src/` and in the compiled `dist/`.
 */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const version = (JSON.parse(text) as { version?: unknown }).version;
  return typeof version === 'string' ? version : '0.0.0';
}

export const BERTH_VERSION: string = readVersion();

/** What a registration tells the control plane about the host, for DescribeInstanceInformation. */
import { readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { BERTH_VERSION } from '../../util/version.js';

export interface HostFacts {
  readonly hostname?: string;
  readonly platformName?: string;
  readonly platformVersion?: string;
  readonly ipAddress?: string;
  readonly agentVersion?: string;
}

export function collectHostFacts(osReleaseFile = '/etc/os-release'): HostFacts {
  const release = readOsRelease(osReleaseFile);
  const ip = Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .find((a) => a.family === 'IPv4' && !a.internal)?.address;
  const name = release.get('NAME') ?? release.get('ID');
  const version = release.get('VERSION_ID');
  return {
    hostname: hostname(),
    ...(name !== undefined && { platformName: name }),
    ...(version !== undefined && { platformVersion: version }),
    ...(ip !== undefined && { ipAddress: ip }),
    agentVersion: BERTH_VERSION,
  };
}

/** `KEY=value` lines, values optionally quoted, as os-release(5) specifies. */
function readOsRelease(file: string): Map<string, string> {
  const values = new Map<string, string>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return values;
  }
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(?:"(.*)"|'(.*)'|(.*))$/.exec(line.trim());
    const value = m?.[2] ?? m?.[3] ?? m?.[4];
    if (m?.[1] !== undefined && value !== undefined && value !== '') values.set(m[1], value);
  }
  return values;
}

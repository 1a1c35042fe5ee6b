/**
 * The URL agents reach the control plane at, for DiscoverPollEndpoint. `--public-url` says it outright
 * (behind a proxy or a DNS name, it must); otherwise it is the listen address, where a wildcard address
 * (0.0.0.0, ::) becomes this machine's first non-loopback IPv4 address, since agents on other hosts cannot
 * connect to a wildcard.
 */
import { networkInterfaces } from 'node:os';

export function defaultPublicUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? firstExternalIPv4() : host;
  const bracketed = reachable.includes(':') ? `[${reachable}]` : reachable;
  return `http://${bracketed}:${port}/`;
}

function firstExternalIPv4(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    const found = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found !== undefined) return found.address;
  }
  return '127.0.0.1';
}

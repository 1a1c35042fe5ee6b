/**
 * Where the task metadata endpoint listens (`--metadata-listen`), and which address each container is told
 * to use. Pure.
 *
 * - `PORT` (the default, 51679): on 127.0.0.1, for host-mode containers, and on the Docker bridge's gateway
 *   address (e.g. 172.17.0.1), for bridge-mode ones; nothing else on the host's interfaces.
 * - `HOST:PORT`: only there. `0.0.0.0:PORT` reaches every container but also the host's network;
 *   `127.0.0.1:PORT` reaches host-mode containers only.
 * - `off`: no endpoint, and no metadata variables in containers.
 */
import { invalid, text, type Picked } from '../option-values.js';

/** ECS's TMDS port (`ecs-agent/tmds/server.go`), already in the default reserved ports. */
export const DEFAULT_METADATA_PORT = 51679;
export const LOOPBACK_V4 = '127.0.0.1';

export type MetadataListen =
  /** Loopback and the Docker bridge's gateway, on one port (0 picks a free one, for tests). */
  | { readonly kind: 'loopback-and-bridge'; readonly port: number }
  /** One address. */
  | { readonly kind: 'address'; readonly host: string; readonly port: number };

/** `PORT`, `HOST:PORT`, `[IPv6]:PORT`, or `off`; the config file may give the port as a number. */
export function metadataListenOption(picked: Picked): MetadataListen | undefined {
  const wrong = () =>
    invalid(
      'metadataListen',
      picked,
      `must be a port (like ${DEFAULT_METADATA_PORT}: loopback and the Docker bridge), HOST:PORT, or off`,
    );
  const v = picked.value;
  if (typeof v !== 'string' && !Number.isInteger(v)) throw wrong();
  const value = typeof v === 'string' ? text('metadataListen', picked) : String(v);
  if (value === 'off') return undefined;
  if (/^\d{1,5}$/.test(value)) {
    const port = Number(value);
    if (port > 65535) throw wrong();
    return { kind: 'loopback-and-bridge', port };
  }
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  const port = Number(m?.[3]);
  const host = m?.[1] ?? m?.[2];
  if (host === undefined || port > 65535) throw wrong();
  return { kind: 'address', host, port };
}

export type NetworkMode = 'bridge' | 'host' | 'none';

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * The address a container in `mode` reaches the endpoint at, or undefined when it cannot reach it (none
 * mode; bridge mode while the bridge's gateway is unknown or the endpoint is on loopback only).
 */
export function containerAddress(
  listen: MetadataListen,
  mode: NetworkMode,
  bridgeGateway: string | undefined,
): string | undefined {
  if (mode === 'none') return undefined;
  if (listen.kind === 'address' && !isWildcard(listen.host)) {
    // A bridge container reaches any of the host's addresses through its gateway, except loopback.
    return mode === 'bridge' && isLoopback(listen.host) ? undefined : listen.host;
  }
  return mode === 'host' ? LOOPBACK_V4 : bridgeGateway;
}

/** `http://HOST:PORT`, with IPv6 hosts in brackets. */
export function baseUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

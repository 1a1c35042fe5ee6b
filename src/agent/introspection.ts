/**
 * The agent's introspection API, like the ECS agent's on port 51678 (`ecs-agent/introspection`):
 *
 * - `GET /v1/metadata` → `{"Cluster", "ContainerInstanceArn" (null until registered), "Version"}`, the shape
 *   ECS tools and install scripts poll to learn that a host has joined;
 * - `GET /v1/health` → 200 while the agent is RUNNING, 503 otherwise, with the agent's and session's state.
 *
 * Read-only and loopback by default: it tells whoever can reach it which cluster the host is in.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../util/options.js';

export interface IntrospectionView {
  readonly cluster: string;
  readonly containerInstanceArn: string | undefined;
  readonly version: string;
  readonly state: string;
  readonly sessionState: string | undefined;
  readonly managedInstanceId: string | undefined;
  readonly healthy: boolean;
}

export interface IntrospectionServer {
  /** The port it listens on (the chosen one when 0 was asked for). */
  readonly port: number;
  close(): Promise<void>;
}

export async function startIntrospection(
  listen: { readonly host: string; readonly port: number },
  view: () => IntrospectionView,
): Promise<IntrospectionServer> {
  const server = createServer((req, res) => answer(req, res, view()));
  // Keep-alive sockets from pollers must not hold up the agent's exit.
  server.keepAliveTimeout = 1_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    throw listenError(e, listen);
  }
  return {
    port: (server.address() as AddressInfo).port,
    close: () => close(server),
  };
}

function answer(req: IncomingMessage, res: ServerResponse, v: IntrospectionView): void {
  const path = (req.url ?? '/').split('?', 1)[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, { error: 'The introspection API is read-only: use GET.' });
    return;
  }
  switch (path) {
    case '/v1/metadata':
      send(res, 200, {
        Cluster: v.cluster,
        ContainerInstanceArn: v.containerInstanceArn ?? null,
        Version: v.version,
      });
      return;
    case '/v1/health':
      send(res, v.healthy ? 200 : 503, {
        Healthy: v.healthy,
        State: v.state,
        SessionState: v.sessionState ?? null,
        ManagedInstanceId: v.managedInstanceId ?? null,
        ContainerInstanceArn: v.containerInstanceArn ?? null,
      });
      return;
    default:
      send(res, 404, { error: `No ${path} here; try /v1/metadata or /v1/health.` });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function listenError(e: unknown, listen: { host: string; port: number }): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const address = `${listen.host}:${listen.port}`;
  const fix =
    'Choose another with --introspection-listen HOST:PORT, or turn it off with --introspection-listen off.';
  if (code === 'EADDRINUSE')
    return new ConfigError(`cannot serve introspection on ${address}: it is in use (another agent?). ${fix}`);
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL')
    return new ConfigError(`cannot serve introspection on ${address} (${code}). ${fix}`);
  return e;
}

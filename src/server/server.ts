/**
 * The control plane's lifecycle: open the store, make sure an administrator key exists, serve HTTP, and
 * stop cleanly (stop accepting, finish in-flight requests, close the database).
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { ecsService } from '../api/ecs/index.js';
import { createAuthenticator } from '../auth/authenticator.js';
import { ensureAdminCredentials, type AdminCredentialFiles } from '../auth/bootstrap.js';
import { SecretBox } from '../auth/secret-box.js';
import { Arns } from '../protocol/arn.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/types.js';
import { ConfigError, type ServerConfig } from './config.js';
import { createDispatcher } from './dispatch.js';
import { createHttpServer } from './http.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly store: Store;
  readonly admin: AdminCredentialFiles;
  readonly secretBox: SecretBox;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  readonly now?: () => Date;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.logger ?? pino({ level: config.logLevel });
  const now = options.now ?? (() => new Date());
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openSqliteStore(join(config.dataDir, 'berth.db'));
  const box = SecretBox.open(join(config.dataDir, 'master.key'));
  const admin = await ensureAdminCredentials(
    store,
    box,
    config.dataDir,
    config.region,
    config.accountId,
    now(),
  );
  const arns = new Arns(config.region, config.accountId);
  const dispatch = createDispatcher({
    services: [ecsService],
    authenticate: createAuthenticator(store.accessKeys, box, now),
    store,
    arns,
    log,
    now,
  });
  const health = async () => {
    await store.clusters.get('health-check');
    return { ok: true, region: config.region };
  };
  const http = createHttpServer(dispatch, health, log);
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.port, config.host, () => resolve());
    });
  } catch (e) {
    await store.close();
    throw listenError(e, `${host}:${config.port}`);
  }
  const port = (http.address() as AddressInfo).port;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  log.info({ url, dataDir: config.dataDir }, 'berth control plane listening');
  return {
    url,
    port,
    store,
    admin,
    secretBox: box,
    async stop() {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeIdleConnections();
      });
      await store.close();
    },
  };
}

/** The listen failures a user causes with --listen, worded so they can fix them; anything else as it was. */
function listenError(e: unknown, address: string): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const fix = 'Stop the other process or choose another address with --listen HOST:PORT.';
  if (code === 'EADDRINUSE')
    return new ConfigError(
      `cannot listen on ${address}: it is already in use (another berth server?). ${fix}`,
    );
  if (code === 'EACCES')
    return new ConfigError(
      `cannot listen on ${address}: permission denied (ports below 1024 need root). Choose another with --listen.`,
    );
  if (code === 'EADDRNOTAVAIL')
    return new ConfigError(
      `cannot listen on ${address}: no such local address. Use 127.0.0.1, 0.0.0.0 or an address of this host with --listen.`,
    );
  return e;
}

/**
 * The control plane's lifecycle: open the store, make sure an administrator key exists, serve HTTP, and
 * stop cleanly (stop accepting, finish in-flight requests, close the database).
 */
import { mkdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ecsService } from './operations/ecs/index.js';
import { ssmService } from './operations/ssm/index.js';
import { logsService } from './operations/logs/index.js';
import { openSqliteLogStore } from './logs-store/sqlite.js';
import { startLogSweeper } from './logs-store/sweeper.js';
import type { LogStore } from './logs-store/types.js';
import { createAuthenticator } from './auth/authenticator.js';
import { ensureAdminCredentials, type AdminCredentialFiles } from './auth/bootstrap.js';
import { createInstanceKeyAuthenticator } from './auth/instance-key.js';
import { SecretBox } from './auth/secret-box.js';
import { TaskDelivery } from './instances/delivery/delivery.js';
import { Gateway } from './instances/gateway.js';
import { Arns } from '../ecs/arn.js';
import { ClusterSnapshots } from './snapshots/cache.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';
import type { Store } from './store/types.js';
import { ConfigError, type ServerConfig } from './config.js';
import { createDispatcher } from './http/dispatch.js';
import { AgentPackage } from './http/agent-package.js';
import { PingRecorder, pingFlushInterval } from './instances/ping-recorder.js';
import { createHttpServer } from './http/http.js';
import { renderInstallScript } from './http/install-script.js';
import { ChangeBus } from './events.js';
import { defaultPublicUrl } from './http/public-url.js';
import { ServiceController } from './services/controller.js';
import { startStoppedTaskPurge } from './tasks/purge.js';
import type { Clock } from '../util/clock.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly store: Store;
  /** CloudWatch Logs data (`<data-dir>/logs.db`). */
  readonly logs: LogStore;
  readonly admin: AdminCredentialFiles;
  readonly secretBox: SecretBox;
  /** Agent sessions: `closeInstanceSessions` for deregistration, `sessionCount` for tools. */
  readonly gateway: Gateway;
  /** What DiscoverPollEndpoint tells agents: --public-url, or derived from the listen address. */
  readonly publicUrl: string;
  /** This server's change bus: tasks changed on an instance, a cluster changed, an instance deregistered. */
  readonly changes: ChangeBus;
  /** Sends agents their tasks until they acknowledge them (events `sent`, `ackReceived`, `acked`). */
  readonly delivery: TaskDelivery;
  /** Reconciles services (`kick()` asks for a pass, `passes` counts them). */
  readonly services: ServiceController;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  readonly now?: () => Date;
  /**
   * The agent sessions' heartbeats and the task delivery's resends and manifests run on this clock; `now`
   * defaults to its time. @default the system clock
   */
  readonly clock?: Clock;
  /** Called with the time of every agent heartbeat ack. */
  readonly onAgentPing?: (containerInstanceArn: string, at: Date) => void;
  /** How long an unacknowledged payload waits before it is resent; short in tests. @default 10 s */
  readonly payloadResendIntervalMs?: number;
  /** Between task manifests of a connected agent; short in tests. @default MANIFEST_INTERVAL_MS (60 s) */
  readonly manifestIntervalMs?: number;
  /** The service controller's timings, short in tests. */
  readonly services?: ServiceTimings;
}

export interface ServiceTimings {
  /** Between periodic passes. @default 5 s */
  readonly intervalMs?: number;
  /** When a task without a container health check counts as healthy. @default 40 s (ECS) */
  readonly healthyAfterRunningMs?: number;
  /** Launch failures in a row before launches are throttled. @default 10 */
  readonly throttleFreeFailures?: number;
  /** The first throttle delay. @default 5 s */
  readonly throttleBaseMs?: number;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.logger ?? pino({ level: config.logLevel });
  const clock = options.clock;
  const now = options.now ?? (clock ? () => new Date(clock.now()) : () => new Date());
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // Every write goes through the snapshots' observer, so the scheduler's view of a cluster stays current.
  const snapshots = new ClusterSnapshots();
  const store = snapshots.observe(await openSqliteStore(join(config.dataDir, 'berth.db')));
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
  const authenticate = createAuthenticator(store.accessKeys, box, now);
  // PingStatus in DescribeInstanceInformation follows the sessions: every heartbeat ack is a ping.
  const pings = new PingRecorder(store, log, pingFlushInterval(config.sessionTimeoutMs));
  const changes = new ChangeBus((err) => log.error({ err }, 'change listener failed'));
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const logs = openSqliteLogStore(join(config.dataDir, 'logs.db'));
  const logSweeper = startLogSweeper({
    store: logs,
    maxBytes: config.logsMaxBytes,
    log,
    registry,
    ...(clock && { clock }),
  });
  const delivery = new TaskDelivery({
    store,
    log,
    registry,
    ...(options.payloadResendIntervalMs !== undefined && {
      resendIntervalMs: options.payloadResendIntervalMs,
    }),
    ...(options.manifestIntervalMs !== undefined && { manifestIntervalMs: options.manifestIntervalMs }),
    ...(clock && { clock }),
  });
  const gateway = new Gateway({
    store,
    sessionListener: delivery,
    arns,
    authenticate,
    log,
    now,
    ...(clock && { clock }),
    registry,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    sessionTimeoutMs: config.sessionTimeoutMs,
    onPing: (containerInstanceArn, at, managedInstanceId) => {
      options.onAgentPing?.(containerInstanceArn, at);
      if (managedInstanceId !== undefined) pings.record(managedInstanceId, at);
    },
  });
  await gateway.start();
  const services = new ServiceController({
    store,
    arns,
    log,
    now,
    changes,
    snapshots,
    ...(options.services?.intervalMs !== undefined && { intervalMs: options.services.intervalMs }),
    settings: {
      ...(config.replaceDisconnectedAfterMs !== undefined && {
        replaceDisconnectedAfterMs: config.replaceDisconnectedAfterMs,
      }),
      ...(options.services?.healthyAfterRunningMs !== undefined && {
        healthyAfterRunningMs: options.services.healthyAfterRunningMs,
      }),
      ...(options.services?.throttleFreeFailures !== undefined && {
        throttleFreeFailures: options.services.throttleFreeFailures,
      }),
      ...(options.services?.throttleBaseMs !== undefined && {
        throttleBaseMs: options.services.throttleBaseMs,
      }),
    },
  });
  changes.on('instanceDeregistered', (instanceId) =>
    gateway.closeInstanceSessions(instanceId, `Managed instance ${instanceId} was deregistered.`, {
      error: 'InactiveInstanceException',
    }),
  );
  // Known once listening (the port may be 0); no request arrives before that.
  let publicUrl = config.publicUrl ?? '';
  const dispatch = createDispatcher({
    services: [ecsService, ssmService, logsService],
    authenticate,
    authenticateInstance: createInstanceKeyAuthenticator(store.managedInstances, {
      now,
      region: config.region,
      accountId: config.accountId,
    }),
    store,
    arns,
    log,
    now,
    runtime: {
      secretBox: box,
      credentialLifetimeMs: config.credentialLifetimeMs,
      get publicUrl() {
        return publicUrl;
      },
      pingTimeoutMs: config.sessionTimeoutMs,
      changes,
      snapshots,
      logs: { store: logs, appended: () => void logSweeper.checkCap() },
    },
  });
  const health = async () => {
    await store.clusters.get('health-check');
    return { ok: true, region: config.region };
  };
  const metrics = async () => ({ contentType: registry.contentType, body: await registry.metrics() });
  const agentPackage = new AgentPackage(join(config.dataDir, 'package'));
  const downloads = {
    installScript: () => renderInstallScript(publicUrl),
    agentPackage: () => agentPackage.get(),
  };
  const http = createHttpServer(dispatch, health, log, metrics, downloads);
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    gateway.handleUpgrade(req, socket, head),
  );
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.port, config.host, () => resolve());
    });
  } catch (e) {
    await logSweeper.stop();
    await logs.close();
    await store.close();
    throw listenError(e, `${host}:${config.port}`);
  }
  const port = (http.address() as AddressInfo).port;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  publicUrl = config.publicUrl ?? defaultPublicUrl(config.host, port);
  const stopDeliveryEvents = changes.on('tasksChanged', (containerInstanceArn) =>
    delivery.kick(containerInstanceArn),
  );
  services.start();
  const purge = startStoppedTaskPurge({ store, retentionMs: config.stoppedTaskRetentionMs, now, log });
  log.info({ url, publicUrl, dataDir: config.dataDir }, 'berth control plane listening');
  return {
    url,
    port,
    store,
    logs,
    admin,
    secretBox: box,
    gateway,
    publicUrl,
    changes,
    delivery,
    services,
    async stop() {
      // Sessions first: agents get a CloseMessage and agentConnected is written while the store is open.
      await gateway.stop();
      await services.stop();
      stopDeliveryEvents();
      await delivery.stop();
      await purge.stop();
      await pings.stop();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeIdleConnections();
      });
      await logSweeper.stop();
      await logs.close();
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

/**
 * The awslogs driver on the host, composed: one spool (`<data dir>/logs/spool/`), a capture of every awslogs
 * container's output into it, and one shipper per log stream out of it. Starts after the agent knows its
 * identity (the batch numbers' sender, the region, the credentials); needs no control plane to start.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { systemClock, type Clock, type Timer } from '../../util/clock.js';
import { LogCapture } from './capture.js';
import { LogsClient } from './client.js';
import { AWSLOGS_LABEL } from './options.js';
import type { LogDocker } from './docker-source.js';
import { StreamShipper } from './shipper.js';
import { DEFAULT_FLUSH_INTERVAL_MS as SPOOL_FLUSH_MS, Spool } from './spool.js';

import type { DockerEndpoint } from '../option-values.js';
import { dockerLogSource } from './docker-source.js';

export type { LogDocker } from './docker-source.js';

/** How often spool folders of removed containers are looked for (containers go 3 h after they stop). */
export const SWEEP_INTERVAL_MS = 3_600_000;

export interface LogShippingOptions {
  readonly dataDir: string;
  readonly spoolBytes: number;
  /** The managed instance id (`mi-…`). */
  readonly sender: string;
  /** Defaults for streams whose options name none. */
  readonly region: string;
  readonly endpoint: string;
  readonly credentials: AwsCredentialIdentityProvider;
  readonly docker: LogDocker;
  readonly log: Logger;
  readonly clock?: Clock;
  /** How long a batch's first event waits for more. @default 5 s */
  readonly flushIntervalMs?: number;
}

export interface LogShipping {
  stop(): Promise<void>;
}

/** What the shipping learns from the agent once it knows who it is. */
export interface LogShippingContext {
  readonly sender: string;
  readonly region: string;
  readonly endpoint: string;
  readonly credentials: AwsCredentialIdentityProvider;
  readonly log: Logger;
}
export type LogShippingFactory = (context: LogShippingContext) => LogShipping;

/** The production composition: the host's dockerd, the agent's data directory and spool bound. */
export function awslogsShipping(config: {
  readonly dataDir: string;
  readonly docker: DockerEndpoint;
  readonly logsSpoolBytes: number;
}): LogShippingFactory {
  return (context) =>
    startLogShipping({
      ...context,
      dataDir: config.dataDir,
      spoolBytes: config.logsSpoolBytes,
      docker: dockerLogSource(config.docker),
    });
}

export function startLogShipping(o: LogShippingOptions): LogShipping {
  const clock = o.clock ?? systemClock;
  const log = o.log.child({ component: 'logs' });
  const shippers = new Map<string, StreamShipper>();
  const clients = new Map<string, LogsClient>();
  const spool = new Spool({
    dir: join(o.dataDir, 'logs', 'spool'),
    limitBytes: o.spoolBytes,
    onFlushed: (keys) => keys.forEach((k) => shippers.get(k)?.wake()),
    onDropped: (key, events) =>
      log.warn({ stream: spool.target(key).stream, events }, 'log spool full: oldest events dropped'),
  });
  const clientFor = (endpoint: string, region: string): LogsClient => {
    const id = `${region} ${endpoint}`;
    let client = clients.get(id);
    if (client === undefined) {
      client = new LogsClient({ endpoint, region, credentials: o.credentials });
      clients.set(id, client);
    }
    return client;
  };
  const ship = (key: string): void => {
    if (shippers.has(key)) return;
    const target = spool.target(key);
    shippers.set(
      key,
      new StreamShipper({
        spool,
        key,
        client: clientFor(target.endpoint ?? o.endpoint, target.region ?? o.region),
        sender: o.sender,
        clock,
        log: log.child({ group: target.group, stream: target.stream }),
        ...(o.flushIntervalMs !== undefined && { flushIntervalMs: o.flushIntervalMs }),
      }),
    );
  };
  // What an earlier run spooled ships whether or not its containers still exist.
  for (const key of spool.keys()) ship(key);
  const flushTimer: Timer = clock.setInterval(() => spool.flush(), SPOOL_FLUSH_MS);
  const capture = new LogCapture({ docker: o.docker, spool, clock, log, onStream: ship });
  const started = capture.start();
  // Streams of containers that are gone, once shipped, leave nothing behind but the next batch number.
  const sweep = async (): Promise<void> => {
    const existing = new Set(await o.docker.list(AWSLOGS_LABEL));
    for (const key of spool.keys()) {
      const shipper = shippers.get(key);
      if (spool.removeIfFinished(key, existing)) {
        shippers.delete(key);
        await shipper?.stop();
      }
    }
  };
  const sweepTimer: Timer = clock.setInterval(
    () => void sweep().catch((e: unknown) => log.warn({ err: e }, 'could not sweep finished log streams')),
    SWEEP_INTERVAL_MS,
  );
  log.info({ spoolBytes: o.spoolBytes, spooledBytes: spool.usedBytes }, 'awslogs capture started');
  return {
    async stop() {
      await started;
      await capture.stop();
      clock.clearInterval(flushTimer);
      clock.clearInterval(sweepTimer);
      spool.flush();
      await Promise.all([...shippers.values()].map((s) => s.stop()));
    },
  };
}

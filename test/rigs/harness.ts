/**
 * End-to-end test harness: a real control plane on a free loopback port with its own data directory, and
 * the real clients pointed at it — the AWS CLI, @aws-sdk/client-ecs and (through python3) boto3.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ECSClient } from '@aws-sdk/client-ecs';
import { pino, type Logger } from 'pino';
import { resolveServerConfig } from '../../src/control-plane/config.js';
import { startServer, type RunningServer, type ServiceTimings } from '../../src/control-plane/server.js';
import { readAdminKeys, type AdminKeys } from '../../src/control-plane/auth/bootstrap.js';
import type { Clock } from '../../src/util/clock.js';

export { readAdminKeys, type AdminKeys };

const run = promisify(execFile);

export interface TestServer {
  readonly server: RunningServer;
  readonly url: string;
  readonly dataDir: string;
  readonly keys: AdminKeys;
  readonly region: string;
  readonly ecs: ECSClient;
  /** Runs `aws --endpoint-url URL <args>` with the `berth` profile; never throws. */
  aws(args: readonly string[]): Promise<CliResult>;
  /** Runs `aws ... --output json` and parses stdout; throws with stderr when the command fails. */
  awsJson<T = Record<string, unknown>>(args: readonly string[]): Promise<T>;
  stop(): Promise<void>;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function cliEnv(dataDir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_SHARED_CREDENTIALS_FILE: join(dataDir, 'credentials'),
    AWS_CONFIG_FILE: join(dataDir, 'config'),
    AWS_PROFILE: 'berth',
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
  };
}

export async function runAws(url: string, dataDir: string, args: readonly string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run('aws', ['--endpoint-url', url, ...args], {
      env: cliEnv(dataDir),
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === 'number' ? err.code : 1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
    };
  }
}

export interface TestServerOptions {
  dataDir?: string;
  region?: string;
  /** e.g. `127.0.0.1:PORT` to come back on the port of a stopped server. @default a free port */
  listen?: string;
  /** Session liveness, short in tests (e.g. `200ms`, `1s`). @default the server's */
  heartbeatInterval?: string;
  sessionTimeout?: string;
  /** Lifetime of instance credentials, e.g. `2s` to see rotation. @default the server's (30m) */
  credentialLifetime?: string;
  /** The server's clock, to move time (e.g. past an activation's expiry). @default the real one */
  now?: () => Date;
  /**
   * The sessions' heartbeats and the delivery's resends and manifests run on this clock (a `FakeClock`), so
   * a test moves their time instead of waiting. `now` still defaults to the real time: SigV4 signing needs it.
   */
  clock?: Clock;
  /** Between task manifests of a connected agent. @default the server's (60 s) */
  manifestIntervalMs?: number;
  /** How long an unacknowledged task payload waits before it is resent. @default the server's (10 s) */
  payloadResendIntervalMs?: number;
  /** The service controller's timings, e.g. a short health delay. @default the server's */
  services?: ServiceTimings;
  /** --replace-disconnected-after, e.g. `2s`. @default off */
  replaceDisconnectedAfter?: string;
  /** Where the server logs, to read its log in a test. @default silent */
  logger?: Logger;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'berth-test-'));
  const region = options.region ?? 'us-east-1';
  const config = resolveServerConfig(
    {
      listen: options.listen ?? '127.0.0.1:0',
      dataDir,
      region,
      accountId: '123456789012',
      ...(options.heartbeatInterval !== undefined && { heartbeatInterval: options.heartbeatInterval }),
      ...(options.sessionTimeout !== undefined && { sessionTimeout: options.sessionTimeout }),
      ...(options.credentialLifetime !== undefined && { credentialLifetime: options.credentialLifetime }),
      ...(options.replaceDisconnectedAfter !== undefined && {
        replaceDisconnectedAfter: options.replaceDisconnectedAfter,
      }),
    },
    {},
  );
  const server = await startServer(config, {
    logger: options.logger ?? pino({ level: 'silent' }),
    ...(options.now !== undefined && { now: options.now }),
    ...(options.clock !== undefined && { clock: options.clock, now: options.now ?? (() => new Date()) }),
    ...(options.manifestIntervalMs !== undefined && { manifestIntervalMs: options.manifestIntervalMs }),
    ...(options.payloadResendIntervalMs !== undefined && {
      payloadResendIntervalMs: options.payloadResendIntervalMs,
    }),
    ...(options.services !== undefined && { services: options.services }),
  });
  const keys = readAdminKeys(server.admin.credentialsFile);
  const ecs = new ECSClient({ endpoint: server.url, region, credentials: { ...keys }, maxAttempts: 1 });
  const aws = (args: readonly string[]) => runAws(server.url, dataDir, args);
  return {
    server,
    url: server.url,
    dataDir,
    keys,
    region,
    ecs,
    aws,
    async awsJson<T>(args: readonly string[]): Promise<T> {
      const r = await aws([...args, '--output', 'json']);
      if (r.code !== 0) throw new Error(`aws ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return (r.stdout.trim() === '' ? {} : JSON.parse(r.stdout)) as T;
    },
    async stop() {
      ecs.destroy();
      await server.stop();
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A TCP port nothing listens on right now (for processes that must be told their port up front). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/**
 * `berth credentials`: Berth playing the SSM agent's part on a host that runs the stock ECS agent. The stock
 * agent in EXTERNAL mode signs with whatever `/rotatingcreds/credentials` holds and re-reads it every minute;
 * in ECS Anywhere the SSM agent keeps that file fresh. This registers the host with an activation (or reuses
 * the identity in the data directory, the same one `berth agent` uses), obtains instance credentials, renews
 * them at half-life with the agent's own renewal (`InstanceCredentials` + `CredentialRenewal`), and rewrites
 * the file whole after every renewal.
 *
 * A control plane that is down or restarting is waited out: start-up steps retry with the agent's backoff,
 * renewals keep retrying, and the file keeps the last keys until new ones arrive. What only a person can fix
 * (bad options, an activation or identity the control plane refuses) ends the process with the agent's exit
 * codes, so a systemd unit with `RestartPreventExitStatus=2 5` does not loop on it.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino, type Logger } from 'pino';
import { ConfigError } from '../../util/options.js';
import { BERTH_VERSION } from '../../util/version.js';
import { CredentialRenewal } from '../credential-renewal.js';
import {
  collectHostFacts,
  ensureIdentity,
  InstanceCredentials,
  InstanceCredentialsRefusedError,
  type InstanceCredentialIdentity,
} from '../identity/index.js';
import { DEFAULT_BACKOFF, ExponentialBackoff, type BackoffSettings } from '../session/backoff.js';
import { classifyStartupError, EXIT_CODES, refusalAdvice } from '../startup-errors.js';
import { FLAGS, type CredentialsConfig } from './options.js';
import { writeSharedCredentials } from './shared-credentials-file.js';

/** After a failed write (a full disk, say), the newest keys are written again this much later. */
export const WRITE_RETRY_MS = 5_000;

export interface CredentialsExit {
  readonly code: number;
  /** Why, for the person reading stderr; absent after a normal stop. */
  readonly message?: string;
}

export interface CredentialsDaemonDeps {
  /** @default pino at the configured level, activation code redacted */
  readonly log?: Logger;
  /** Start-up retries. @default the agent's: 250 ms to 2 min, ×1.5, jitter 0.2 */
  readonly backoff?: Partial<BackoffSettings>;
}

/** Thrown inside the start-up when stop() interrupts it. */
class Stopped extends Error {}

export class CredentialsDaemon {
  readonly #c: CredentialsConfig;
  readonly #log: Logger;
  readonly #backoff: BackoffSettings;
  readonly #abort = new AbortController();
  readonly #done: Promise<CredentialsExit>;
  #resolveDone!: (exit: CredentialsExit) => void;
  #exit: CredentialsExit = { code: EXIT_CODES.stopped };
  #run: Promise<void> | undefined;
  #stopping: Promise<CredentialsExit> | undefined;
  #creds: InstanceCredentials | undefined;
  #renewal: CredentialRenewal | undefined;
  #keepAlive: NodeJS.Timeout | undefined;
  #writeRetry: NodeJS.Timeout | undefined;

  constructor(config: CredentialsConfig, deps: CredentialsDaemonDeps = {}) {
    this.#c = config;
    this.#log =
      deps.log ??
      pino({
        name: 'berth-credentials',
        level: config.logLevel,
        redact: ['activationCode', '*.activationCode'],
      });
    this.#backoff = { ...DEFAULT_BACKOFF, ...deps.backoff };
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
  }

  /** Resolves once the daemon has stopped, with the process's exit code. */
  get done(): Promise<CredentialsExit> {
    return this.#done;
  }

  start(): void {
    if (this.#run !== undefined) throw new Error('berth credentials was started already');
    // The renewal's timers do not hold the process open (in the agent, the session does); this one does.
    this.#keepAlive = setInterval(() => undefined, 2 ** 30);
    this.#run = this.#startUp();
  }

  stop(): Promise<CredentialsExit> {
    this.#stopping ??= this.#shutDown();
    return this.#stopping;
  }

  async #startUp(): Promise<void> {
    const c = this.#c;
    try {
      this.#log.info(
        {
          version: BERTH_VERSION,
          endpoint: c.endpoint,
          dataDir: c.dataDir,
          file: c.file,
          activation: c.activationId ?? 'none given',
        },
        'berth credentials starting',
      );
      checkWritable(c.file);
      const { identity, registered } = await this.#retrying('register this host', () =>
        ensureIdentity({
          dataDir: c.dataDir,
          endpoint: c.endpoint,
          ...(c.activationId !== undefined && { activationId: c.activationId }),
          ...(c.activationCode !== undefined && { activationCode: c.activationCode }),
          host: collectHostFacts(),
          signal: this.#abort.signal,
        }),
      );
      this.#log.info(
        { instanceId: identity.instanceId, region: identity.region, registered },
        registered ? 'host registered' : 'host identity loaded',
      );
      const creds = new InstanceCredentials({
        endpoint: c.endpoint,
        identity,
        onError: (err) => this.#onCredentialError(err),
      });
      this.#creds = creds;
      creds.onRotated((keys) => this.#write(keys));
      const first = await this.#retrying('get credentials', () => creds.get());
      this.#renewal = new CredentialRenewal(creds, { onError: (err) => this.#onCredentialError(err) });
      this.#renewal.start(first);
    } catch (e) {
      if (e instanceof Stopped || this.#stopping !== undefined) return;
      const verdict = classifyStartupError(e, { endpoint: c.endpoint, clusterName: '', dataDir: c.dataDir });
      if (verdict.kind === 'exit') this.#fail(verdict.code, verdict.message);
      else {
        this.#log.error({ err: e }, 'berth credentials failed to start');
        this.#fail(EXIT_CODES.failed, `berth credentials failed to start: ${verdict.message}`);
      }
    }
  }

  /** Every new set of keys replaces the file; a failed write is tried again with the newest keys. */
  #write(keys: InstanceCredentialIdentity): void {
    clearTimeout(this.#writeRetry);
    if (this.#stopping !== undefined) return;
    try {
      writeSharedCredentials(this.#c.file, keys);
      this.#log.info(
        { file: this.#c.file, accessKeyId: keys.accessKeyId, expiration: keys.expiration.toISOString() },
        'credentials written',
      );
    } catch (err) {
      this.#log.error(
        { err, file: this.#c.file, retryInMs: WRITE_RETRY_MS },
        'could not write the credentials file; it keeps the previous keys meanwhile',
      );
      this.#writeRetry = setTimeout(() => this.#write(keys), WRITE_RETRY_MS);
    }
  }

  #onCredentialError(err: unknown): void {
    if (this.#stopping !== undefined) return;
    if (err instanceof InstanceCredentialsRefusedError) {
      this.#fail(EXIT_CODES.refused, refusalAdvice(err, this.#c.dataDir));
      return;
    }
    this.#log.warn(
      { err },
      'could not renew the credentials; the file keeps the current ones, and renewal keeps trying',
    );
  }

  /** Ends the daemon with `code`; the first failure wins. */
  #fail(code: number, message: string): void {
    if (this.#stopping !== undefined) return;
    this.#log.fatal({ exitCode: code }, message);
    this.#exit = { code, message };
    void this.stop();
  }

  /** Runs a start-up step until it succeeds, retrying what may pass; throws what only a person can fix. */
  async #retrying<T>(what: string, step: () => Promise<T>): Promise<T> {
    const backoff = new ExponentialBackoff(this.#backoff);
    const ctx = { endpoint: this.#c.endpoint, clusterName: '', dataDir: this.#c.dataDir };
    for (;;) {
      if (this.#abort.signal.aborted) throw new Stopped();
      try {
        return await step();
      } catch (e) {
        if (this.#abort.signal.aborted) throw new Stopped();
        const verdict = classifyStartupError(e, ctx);
        if (verdict.kind === 'exit') throw e;
        const delayMs = backoff.next();
        this.#log.warn({ delayMs }, `could not ${what}: ${verdict.message} Retrying.`);
        await sleep(delayMs, undefined, { signal: this.#abort.signal }).catch(() => undefined);
      }
    }
  }

  async #shutDown(): Promise<CredentialsExit> {
    this.#abort.abort();
    // Ends credential retries at once, rather than after their backoff.
    this.#creds?.close();
    await this.#run;
    this.#renewal?.stop();
    clearTimeout(this.#writeRetry);
    clearInterval(this.#keepAlive);
    this.#log.info({ exitCode: this.#exit.code }, 'berth credentials stopped');
    this.#resolveDone(this.#exit);
    return this.#exit;
  }
}

/** The file's directory exists (made if missing) and may be written: checked before registering. */
function checkWritable(file: string): void {
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new ConfigError(
      `cannot write ${file}: ${(e as Error).message}. Run as a user who may write ${dir} (root, for the ` +
        `stock ECS agent's /rotatingcreds), or give ${FLAGS.write} another file.`,
    );
  }
}

/**
 * The agent's long-lived session with the control plane: connect (fresh credentials, signed handshake),
 * answer heartbeats, notice silence, and reconnect with backoff — until `stop()`.
 *
 * States (one setter, `#setState`, logs and announces every transition):
 *
 *   IDLE --start()--> CONNECTING --open--> CONNECTED --closed cleanly--> CONNECTING
 *                       |    ^                 |
 *                       |    |                 +--closed otherwise / error--+
 *                       v    |                                              v
 *                     BACKING_OFF <-----------------------------------------+
 *   any --stop()--> STOPPED (final)
 *
 * Concurrency: one loop (`#run`) owns the connection; socket events only record what happened and settle the
 * promise the loop waits on. Nothing is left floating: the loop's promise is what `stop()` awaits.
 */
import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { decodeServerEnvelope, encodeEnvelope } from '../../acs/codec.js';
import { ACS_PROTOCOL_VERSION, SESSION_CLOSE_CODES } from '../../acs/messages.js';
import type { AgentEnvelope } from '../../acs/messages.js';
import type { PayloadMessage, TaskManifestMessage, TaskStopVerificationAck } from '../../acs/payload.js';
import {
  BACKOFF_RESET_AFTER_MS,
  DEFAULT_BACKOFF,
  ExponentialBackoff,
  UNRETRIABLE_BACKOFF_MS,
  withJitter,
  type BackoffSettings,
} from './backoff.js';
import { HANDSHAKE_TIMEOUT_MS, HandshakeRefusedError, openSessionSocket } from './handshake.js';
import { reconnectDelay, type AttemptOutcome, type SessionError } from './reconnect-policy.js';
import { createResponders, dispatch } from './responders.js';
import { sessionUrl, signSessionRequest, type CredentialsProvider } from './signing.js';
import { systemClock, type Clock } from '../../util/clock.js';

export const AGENT_SESSION_STATES = [
  /** Made, not started. */
  'IDLE',
  /** Getting credentials, signing, and waiting for the handshake. */
  'CONNECTING',
  /** The session is open. */
  'CONNECTED',
  /** Waiting before the next attempt (short after a failure, long after an unretriable error). */
  'BACKING_OFF',
  /** `stop()` was called; final. */
  'STOPPED',
] as const;
export type AgentSessionState = (typeof AGENT_SESSION_STATES)[number];

/**
 * ECS's numbers: the control plane heartbeats every 20 s, so a minute without any message means the link is
 * gone even if TCP has not noticed; the random extra of up to another minute keeps a fleet that lost the
 * control plane together from reconnecting together.
 */
export const READ_TIMEOUT_MS = 60_000;
export const READ_TIMEOUT_JITTER_MS = 60_000;

/** How long `stop()` waits for the closing handshake before it cuts the socket. */
const STOP_GRACE_MS = 2_000;

/** The session's timers (read timeout, backoff reset, stop grace); a `Clock` or a `FakeClock` in tests. */
export type Timers = Pick<Clock, 'setTimeout' | 'clearTimeout'>;

export interface AgentSessionOptions {
  /** DiscoverPollEndpoint's `endpoint`, e.g. `http://10.0.0.5:4650`. */
  readonly endpoint: string;
  /** The region the handshake is signed for (the control plane's). */
  readonly region: string;
  readonly clusterArn: string;
  readonly containerInstanceArn: string;
  readonly agentVersion: string;
  readonly agentHash?: string;
  readonly dockerVersion?: string;
  /** Asked before every attempt, since credentials rotate. */
  readonly credentials: CredentialsProvider;
  /**
   * Handles task payloads (`agent/tasks/payload-responder.ts`); it answers with AckRequest or NackRequest
   * through `send`. Without one, payloads are logged and left unacknowledged, so the control plane resends
   * them to a session that can handle them.
   */
  readonly onPayload?: (message: PayloadMessage) => void;
  /**
   * Handles task manifests and stop verification answers (`agent/tasks/manifest-responder.ts`,
   * `stop-verification.ts`). Without them, both are logged and left unanswered: the control plane sends the
   * next manifest later anyway.
   */
  readonly onTaskManifest?: (message: TaskManifestMessage) => void;
  readonly onTaskStopVerificationAck?: (message: TaskStopVerificationAck) => void;
  /** @default silent */
  readonly log?: Logger;
  /** Close and reconnect after this long without any message. @default 60 s (READ_TIMEOUT_MS) */
  readonly readTimeoutMs?: number;
  /** Random extra on the read timeout. @default 60 s (READ_TIMEOUT_JITTER_MS) */
  readonly readTimeoutJitterMs?: number;
  /** @default 250 ms to 2 min, ×1.5, jitter 0.2 (DEFAULT_BACKOFF) */
  readonly backoff?: Partial<BackoffSettings>;
  /** Connected this long, the backoff starts over. @default 60 s (BACKOFF_RESET_AFTER_MS) */
  readonly backoffResetAfterMs?: number;
  /** Wait after an unretriable error. @default 1 h (UNRETRIABLE_BACKOFF_MS) */
  readonly unretriableDelayMs?: number;
  /** @default 30 s (HANDSHAKE_TIMEOUT_MS) */
  readonly handshakeTimeoutMs?: number;
  /** For tests. @default the real clock, timers and Math.random */
  readonly now?: () => Date;
  readonly timers?: Timers;
  readonly random?: () => number;
}

export interface DisconnectInfo {
  readonly code: number;
  readonly error?: SessionError;
}

export interface AgentSessionEvents {
  state: [state: AgentSessionState, previous: AgentSessionState];
  connected: [];
  disconnected: [info: DisconnectInfo];
  /** An attempt did not produce a session; `error` is set when the control plane said why. */
  connectFailed: [cause: unknown, error: SessionError | undefined];
  /** The control plane gave an error only a person can fix; the agent waits `retryInMs` before asking again. */
  unretriable: [error: SessionError, retryInMs: number];
}

export class IllegalStateError extends Error {
  override readonly name = 'IllegalStateError';
}

export class AgentSession extends EventEmitter<AgentSessionEvents> {
  readonly #o: AgentSessionOptions;
  readonly #log: Logger;
  readonly #timers: Timers;
  readonly #random: () => number;
  readonly #backoff: ExponentialBackoff;
  readonly #abort = new AbortController();
  #state: AgentSessionState = 'IDLE';
  #loop: Promise<void> | undefined;
  #ws: WebSocket | undefined;
  #wake: (() => void) | undefined;
  /** Asks the control plane to send task credentials; true until the first session in this process. */
  #sendCredentials = true;

  constructor(options: AgentSessionOptions) {
    super();
    this.#o = options;
    this.#log = options.log ?? pino({ level: 'silent' });
    this.#timers = options.timers ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#backoff = new ExponentialBackoff({ ...DEFAULT_BACKOFF, ...options.backoff }, this.#random);
  }

  get state(): AgentSessionState {
    return this.#state;
  }

  start(): void {
    if (this.#state !== 'IDLE') throw new IllegalStateError(`cannot start a session that is ${this.#state}`);
    this.#setState('CONNECTING');
    this.#loop = this.#run().catch((err: unknown) => {
      this.#log.error({ err }, 'session loop failed');
      this.#setState('STOPPED');
    });
  }

  /** Sends an envelope if the session is open; false otherwise (the caller retries after reconnecting). */
  send(envelope: AgentEnvelope): boolean {
    const ws = this.#ws;
    if (ws === undefined || ws.readyState !== ws.OPEN) return false;
    ws.send(encodeEnvelope(envelope), (err) => {
      if (err) this.#log.debug({ err, type: envelope.type }, 'send failed; the session is closing');
    });
    return true;
  }

  /** Closes the session cleanly and stops reconnecting; resolves when the socket is closed. */
  async stop(): Promise<void> {
    if (this.#state === 'IDLE') this.#setState('STOPPED');
    if (!this.#abort.signal.aborted) {
      this.#abort.abort();
      this.#wake?.();
      const ws = this.#ws;
      if (ws !== undefined) {
        ws.close(SESSION_CLOSE_CODES.normal, 'agent stopping');
        const cut = this.#timers.setTimeout(() => ws.terminate(), STOP_GRACE_MS);
        ws.once('close', () => this.#timers.clearTimeout(cut));
      }
    }
    await this.#loop;
  }

  #setState(next: AgentSessionState): void {
    const previous = this.#state;
    if (previous === next || previous === 'STOPPED') return;
    this.#state = next;
    this.#log.info({ from: previous, to: next }, 'session state');
    this.emit('state', next, previous);
  }

  async #run(): Promise<void> {
    while (!this.#abort.signal.aborted) {
      this.#setState('CONNECTING');
      const outcome = await this.#attempt();
      if (this.#abort.signal.aborted) break;
      const { delayMs, unretriable } = reconnectDelay(
        outcome,
        this.#backoff,
        this.#o.unretriableDelayMs ?? UNRETRIABLE_BACKOFF_MS,
      );
      if (unretriable) {
        this.#log.warn(
          { type: unretriable.type, msg: unretriable.message, delayMs },
          'unretriable session error',
        );
        this.emit('unretriable', unretriable, delayMs);
      }
      if (delayMs > 0) {
        this.#setState('BACKING_OFF');
        this.#log.info({ delayMs }, 'waiting before reconnecting');
        await this.#sleep(delayMs);
      }
    }
    this.#setState('STOPPED');
  }

  /** One connection attempt, and the whole session if it opens. Never rejects. */
  async #attempt(): Promise<AttemptOutcome> {
    let ws: WebSocket;
    try {
      const credentials = await this.#o.credentials();
      const url = sessionUrl(this.#o.endpoint, {
        clusterArn: this.#o.clusterArn,
        containerInstanceArn: this.#o.containerInstanceArn,
        agentVersion: this.#o.agentVersion,
        ...(this.#o.agentHash !== undefined && { agentHash: this.#o.agentHash }),
        ...(this.#o.dockerVersion !== undefined && { dockerVersion: this.#o.dockerVersion }),
        seqNum: 1,
        protocolVersion: ACS_PROTOCOL_VERSION,
        sendCredentials: this.#sendCredentials,
      });
      const now = this.#o.now?.() ?? new Date();
      const headers = await signSessionRequest({
        url,
        region: this.#o.region,
        credentials,
        signingDate: now,
      });
      ws = await openSessionSocket(
        url,
        headers,
        this.#o.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
        this.#abort.signal,
      );
    } catch (cause) {
      const error =
        cause instanceof HandshakeRefusedError && cause.error !== undefined
          ? { ...cause.error, status: cause.status }
          : undefined;
      if (!this.#abort.signal.aborted) {
        this.#log.warn({ err: cause }, 'could not open the session');
        this.emit('connectFailed', cause, error);
      }
      return error === undefined ? { kind: 'failed', cause } : { kind: 'refused', error };
    }
    this.#sendCredentials = false;
    // stop() came while the handshake completed: close at once; #serve still waits for the close.
    if (this.#abort.signal.aborted) ws.close(SESSION_CLOSE_CODES.normal, 'agent stopping');
    return this.#serve(ws);
  }

  /** Runs an open session until its socket closes. */
  #serve(ws: WebSocket): Promise<AttemptOutcome> {
    return new Promise((resolve) => {
      this.#ws = ws;
      let error: SessionError | undefined;
      const readTimeout = () =>
        withJitter(
          this.#o.readTimeoutMs ?? READ_TIMEOUT_MS,
          this.#o.readTimeoutJitterMs ?? READ_TIMEOUT_JITTER_MS,
          this.#random,
        );
      const onSilence = () => {
        this.#log.warn('no message from the control plane within the read timeout; reconnecting');
        ws.terminate();
      };
      let readTimer = this.#timers.setTimeout(onSilence, readTimeout());
      const resetTimer = this.#timers.setTimeout(
        () => this.#backoff.reset(),
        this.#o.backoffResetAfterMs ?? BACKOFF_RESET_AFTER_MS,
      );
      const responders = createResponders({
        send: (envelope) => this.send(envelope),
        log: this.#log,
        onError: (type, message) => {
          error = { type, message };
          this.#log.warn({ type, msg: message }, 'control plane sent an error; closing the session');
          ws.close(SESSION_CLOSE_CODES.normal, type);
        },
        onCloseMessage: (message) => this.#log.info({ msg: message }, 'control plane is closing the session'),
        onPayload: (message) => {
          if (this.#o.onPayload) this.#o.onPayload(message);
          else
            this.#log.warn({ messageId: message.messageId }, 'no task handler; payload left unacknowledged');
        },
        onTaskManifest: (message) => {
          if (this.#o.onTaskManifest) this.#o.onTaskManifest(message);
          else this.#log.warn({ messageId: message.messageId }, 'no task handler; task manifest ignored');
        },
        onTaskStopVerificationAck: (message) => {
          if (this.#o.onTaskStopVerificationAck) this.#o.onTaskStopVerificationAck(message);
          else this.#log.warn({ messageId: message.messageId }, 'no task handler; stop verification ignored');
        },
      });
      ws.on('message', (data: RawData, isBinary: boolean) => {
        this.#timers.clearTimeout(readTimer);
        readTimer = this.#timers.setTimeout(onSilence, readTimeout());
        if (isBinary) return;
        const decoded = decodeServerEnvelope(rawText(data));
        if (decoded.ok) dispatch(responders, decoded.envelope);
        else this.#log.warn({ error: decoded.error }, 'ignored a control plane frame');
      });
      ws.on('error', (err) => this.#log.debug({ err }, 'session socket error'));
      ws.once('close', (code: number) => {
        this.#timers.clearTimeout(readTimer);
        this.#timers.clearTimeout(resetTimer);
        this.#ws = undefined;
        this.emit('disconnected', { code, ...(error && { error }) });
        resolve({ kind: 'closed', code, ...(error && { error }) });
      });
      this.#setState('CONNECTED');
      this.emit('connected');
      ws.resume();
    });
  }

  /** Waits `ms`, or less if `stop()` is called. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#timers.setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        this.#timers.clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }
}

/** Creates and starts a session. */
export function connectSession(options: AgentSessionOptions): AgentSession {
  const session = new AgentSession(options);
  session.start();
  return session;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(new Uint8Array(data)).toString('utf8');
}

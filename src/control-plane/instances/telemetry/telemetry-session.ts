/**
 * One agent's telemetry (TCS) session: it sends heartbeats, reads the agent's frames one at a time, answers
 * each with its handler's ack, and ends the session when the agent falls silent.
 *
 * Liveness differs from the ACS session: the stock agent does not answer a TCS HeartbeatMessage (it only
 * resets its own silence timer), and publishes on its own schedule, which may be never (metrics disabled and
 * no health checks). So each heartbeat also carries a websocket ping, which the agent's websocket library
 * answers with a pong by itself; a frame or a pong is a sign of life, and after `sessionTimeoutMs` without
 * one the socket is terminated (a partitioned host's TCP connection never closes by itself).
 *
 * Frames are handled in arrival order, one after another, so two health reports of one task are applied in
 * the order the agent sent them; a frame that arrives while too many wait is dropped, not queued without
 * bound. A frame that does not decode is dropped and counted; the session stays open.
 */
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import {
  decodeTelemetryAgentFrame,
  encodeTelemetryEnvelope,
  type TelemetryServerEnvelope,
} from '../../../acs/telemetry-codec.js';
import { systemClock, type Clock, type Timer } from '../../../util/clock.js';
import type { TelemetryContext, TelemetryHandlers } from './handler.js';
import type { TelemetryMetrics } from './metrics.js';
import { publishHealth } from './publish-health.js';
import { publishInstanceStatus } from './publish-instance-status.js';
import { publishMetrics } from './publish-metrics.js';
import { startTelemetrySession } from './start-telemetry-session.js';

export const TELEMETRY_HANDLERS: TelemetryHandlers = {
  PublishMetricsRequest: publishMetrics,
  PublishHealthRequest: publishHealth,
  PublishInstanceStatusRequest: publishInstanceStatus,
  StartTelemetrySessionRequest: startTelemetrySession,
};

/** The agent publishes a few frames every 20 s; more than this waiting means the store is stuck. */
const MAX_QUEUED_FRAMES = 32;

/** How long a closing handshake may take before the socket is simply destroyed. */
const CLOSE_GRACE_MS = 2_000;

export interface TelemetrySessionOptions {
  readonly socket: WebSocket;
  readonly context: TelemetryContext;
  /** The managed instance (`mi-...`) the container instance runs on, when known. */
  readonly ec2InstanceId: string | undefined;
  readonly heartbeatIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly metrics: TelemetryMetrics;
  readonly clock?: Clock;
  readonly handlers?: TelemetryHandlers;
  /** Called once, when the socket has closed. */
  readonly onClosed: (session: TelemetrySession) => void;
}

export class TelemetrySession {
  readonly containerInstanceArn: string;
  readonly ec2InstanceId: string | undefined;
  readonly #o: TelemetrySessionOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #heartbeat: Timer;
  readonly #deadline: Timer;
  readonly #closedPromise: Promise<void>;
  #queue: Promise<void> = Promise.resolve();
  #queued = 0;
  #closing = false;

  constructor(o: TelemetrySessionOptions) {
    this.#o = o;
    this.#log = o.context.log;
    this.#clock = o.clock ?? systemClock;
    this.containerInstanceArn = o.context.containerInstanceArn;
    this.ec2InstanceId = o.ec2InstanceId;
    this.#closedPromise = new Promise((resolve) => o.socket.once('close', () => resolve()));
    o.socket.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    o.socket.on('pong', () => this.#deadline.refresh());
    o.socket.on('close', (code) => this.#onSocketClosed(code));
    // Errors are followed by 'close'; without a listener they would crash the process.
    o.socket.on('error', (err) => this.#log.debug({ err }, 'telemetry socket error'));
    this.#heartbeat = this.#clock.setInterval(() => this.#sendHeartbeat(), o.heartbeatIntervalMs).unref();
    this.#deadline = this.#clock.setTimeout(() => this.#onSilence(), o.sessionTimeoutMs).unref();
    o.metrics.sessions.inc();
    this.#sendHeartbeat();
  }

  /** Resolves once the socket has closed. */
  get closed(): Promise<void> {
    return this.#closedPromise;
  }

  send(envelope: TelemetryServerEnvelope): void {
    if (this.#o.socket.readyState !== this.#o.socket.OPEN) return;
    this.#o.socket.send(encodeTelemetryEnvelope(envelope), (err) => {
      if (err) this.#log.debug({ err, type: envelope.type }, 'telemetry send failed; the session is closing');
    });
  }

  /** Sends `farewell` if given, then closes with `code`; a peer that does not finish in time is cut off. */
  close(code: number, reason: string, farewell?: TelemetryServerEnvelope): void {
    if (this.#closing) return;
    this.#closing = true;
    if (farewell) this.send(farewell);
    this.#o.socket.close(code, reason);
    this.#clock.setTimeout(() => this.#o.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  #onFrame(data: RawData, isBinary: boolean): void {
    this.#deadline.refresh();
    const decoded = decodeTelemetryAgentFrame(rawText(data));
    if (!decoded.ok) {
      this.#o.metrics.received.inc({ type: 'invalid' });
      this.#log.warn({ error: decoded.error, binary: isBinary }, 'ignored a telemetry frame');
      return;
    }
    const { type, message } = decoded.envelope;
    this.#o.metrics.received.inc({ type });
    if (this.#queued >= MAX_QUEUED_FRAMES) {
      this.#log.warn({ type }, 'dropped a telemetry frame: too many wait to be handled');
      return;
    }
    this.#queued += 1;
    const handler = (this.#o.handlers ?? TELEMETRY_HANDLERS)[type] as (
      m: typeof message,
      ctx: TelemetryContext,
    ) => ReturnType<TelemetryHandlers[typeof type]>;
    this.#queue = this.#queue
      .then(async () => {
        const answer = await handler(message, this.#o.context);
        if (answer !== undefined) this.send(answer);
      })
      .catch((err: unknown) => this.#log.error({ err, type }, 'telemetry handler failed'))
      .finally(() => {
        this.#queued -= 1;
      });
  }

  #sendHeartbeat(): void {
    this.send({ type: 'HeartbeatMessage', message: { healthy: true } });
    if (this.#o.socket.readyState === this.#o.socket.OPEN) this.#o.socket.ping();
  }

  #onSilence(): void {
    this.#log.warn(
      { timeoutMs: this.#o.sessionTimeoutMs },
      'agent silent on telemetry; dropping the session',
    );
    this.#o.socket.terminate();
  }

  #onSocketClosed(code: number): void {
    this.#clock.clearInterval(this.#heartbeat);
    this.#clock.clearTimeout(this.#deadline);
    this.#o.metrics.sessions.dec();
    this.#log.info({ code }, 'telemetry session closed');
    this.#o.onClosed(this);
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(new Uint8Array(data)).toString('utf8');
}

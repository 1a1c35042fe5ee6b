/**
 * One agent's websocket session on the control plane: it sends heartbeats, reads the agent's envelopes, and
 * ends the session when the agent falls silent.
 *
 * Liveness: every `heartbeatIntervalMs` the session sends `HeartbeatMessage`; the agent answers with
 * `HeartbeatAckRequest`. Anything at all from the agent counts as a sign of life; after `sessionTimeoutMs`
 * without one the socket is terminated. That is the only way a partitioned host is noticed: its TCP
 * connection is half-open and never closes by itself. No websocket-level ping is used, because the
 * application heartbeat already makes the agent answer on every interval (and is what the ECS agent speaks).
 *
 * Concurrency: everything runs on the event loop; handlers are synchronous and never wait for I/O, so one
 * slow consumer cannot hold up the reading of frames.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { decodeAgentEnvelope, encodeEnvelope } from '../../acs/codec.js';
import type { AckRequest, AgentToServer, NackRequest, ServerEnvelope } from '../../acs/messages.js';
import type { TaskStopVerificationMessage } from '../../acs/payload.js';
import type { SessionCloseReason, SessionMetrics } from './metrics.js';
import { systemClock, type Clock, type Timer } from '../../util/clock.js';

/** Heartbeats whose ack never came are forgotten beyond this many, so a silent agent cannot grow the map. */
const MAX_PENDING_HEARTBEATS = 16;

/** How long a closing handshake may take before the socket is simply destroyed. */
export const CLOSE_GRACE_MS = 2_000;

export interface SessionOptions {
  readonly socket: WebSocket;
  readonly clusterArn: string;
  readonly containerInstanceArn: string;
  /** The managed instance (`mi-...`) the container instance runs on, when known. */
  readonly ec2InstanceId: string | undefined;
  /** The managed instance the session speaks for (the caller's, or the host's for an administrator's session). */
  readonly managedInstanceId?: string | undefined;
  readonly heartbeatIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly metrics: SessionMetrics;
  readonly log: Logger;
  readonly now: () => Date;
  /** Heartbeat and silence timers. @default the system clock */
  readonly clock?: Clock;
  /** Called with the time of every heartbeat ack (for `LastPingDateTime`-style uses). */
  readonly onPing?: AgentPingListener;
  /** Called once, when the socket has closed. */
  readonly onClosed: (session: Session) => void;
  /**
   * Receives the agent's acknowledgments and stop verifications (task delivery); without one they are only
   * logged.
   */
  readonly acks?: SessionAckListener;
}

/**
 * Who hears an agent's answers about its tasks (the gateway's task delivery): AckRequest and NackRequest
 * for payloads and task manifests, and TaskStopVerificationMessage, which must be answered with a
 * TaskStopVerificationAck on the same session.
 */
export interface SessionAckListener {
  ack(session: Session, message: AckRequest): void;
  nack(session: Session, message: NackRequest): void;
  stopVerification(session: Session, message: TaskStopVerificationMessage): void;
}

/** A sign of life from an agent: its container instance, when, and the managed instance it speaks for. */
export type AgentPingListener = (
  containerInstanceArn: string,
  at: Date,
  managedInstanceId: string | undefined,
) => void;

type AgentResponders = { readonly [K in keyof AgentToServer]: (message: AgentToServer[K]) => void };

export class Session {
  readonly clusterArn: string;
  readonly containerInstanceArn: string;
  readonly ec2InstanceId: string | undefined;
  readonly openedAt: Date;
  #lastAckAt: Date | undefined;
  #closeReason: SessionCloseReason | undefined;
  #closed = false;
  readonly #o: SessionOptions;
  readonly #pending = new Map<string, number>();
  readonly #clock: Clock;
  readonly #heartbeat: Timer;
  readonly #deadline: Timer;
  readonly #closedPromise: Promise<void>;
  readonly #responders: AgentResponders;

  constructor(o: SessionOptions) {
    this.#o = o;
    this.#clock = o.clock ?? systemClock;
    this.clusterArn = o.clusterArn;
    this.containerInstanceArn = o.containerInstanceArn;
    this.ec2InstanceId = o.ec2InstanceId;
    this.openedAt = o.now();
    this.#responders = {
      HeartbeatAckRequest: (m) => this.#onHeartbeatAck(m.messageId),
      AckRequest: (m) => {
        o.log.debug({ messageId: m.messageId }, 'agent acknowledged a message');
        o.acks?.ack(this, m);
      },
      NackRequest: (m) => {
        o.log.warn({ messageId: m.messageId, reason: m.reason }, 'agent rejected a message');
        o.acks?.nack(this, m);
      },
      TaskStopVerificationMessage: (m) => {
        o.log.debug(
          { messageId: m.messageId, candidates: m.stopCandidates.length },
          'agent asked which tasks to stop',
        );
        o.acks?.stopVerification(this, m);
      },
    };
    this.#closedPromise = new Promise((resolve) => o.socket.once('close', () => resolve()));
    o.socket.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    o.socket.on('close', (code) => this.#onSocketClosed(code));
    // Errors are followed by 'close'; without a listener they would crash the process.
    o.socket.on('error', (err) => o.log.debug({ err }, 'session socket error'));
    this.#heartbeat = this.#clock.setInterval(() => this.#sendHeartbeat(), o.heartbeatIntervalMs).unref();
    this.#deadline = this.#clock.setTimeout(() => this.#onSilence(), o.sessionTimeoutMs).unref();
    o.metrics.opened.inc();
    o.metrics.sessions.inc();
    // The first heartbeat goes out at once: the agent learns the session works, and the RTT is known early.
    this.#sendHeartbeat();
  }

  /** When the agent last acknowledged a heartbeat. */
  get lastAckAt(): Date | undefined {
    return this.#lastAckAt;
  }

  get isOpen(): boolean {
    return !this.#closed && this.#closeReason === undefined;
  }

  /** Resolves once the socket has closed. */
  get closed(): Promise<void> {
    return this.#closedPromise;
  }

  send(envelope: ServerEnvelope): void {
    if (this.#o.socket.readyState !== this.#o.socket.OPEN) return;
    this.#o.socket.send(encodeEnvelope(envelope), (err) => {
      if (err) this.#o.log.debug({ err, type: envelope.type }, 'send failed; the session is closing');
    });
  }

  /**
   * Sends `farewell` (a CloseMessage or an error), then closes with `code`; `closed` tells when it is done.
   * The first reason given is the one counted. A peer that does not finish the closing handshake in time is
   * cut off.
   */
  close(code: number, reason: SessionCloseReason, farewell?: ServerEnvelope): void {
    if (this.#closeReason !== undefined || this.#closed) return;
    this.#closeReason = reason;
    if (farewell) this.send(farewell);
    this.#o.socket.close(code, reason);
    this.#clock.setTimeout(() => this.#o.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  #onFrame(data: RawData, isBinary: boolean): void {
    this.#deadline.refresh();
    if (isBinary) {
      this.#o.log.warn('ignored a binary frame: sessions carry JSON text frames');
      return;
    }
    const decoded = decodeAgentEnvelope(rawText(data));
    if (!decoded.ok) {
      // A newer agent may send types this control plane doesn't know: it must not lose its session for that.
      this.#o.log.warn({ error: decoded.error }, 'ignored an agent frame');
      return;
    }
    const { type, message } = decoded.envelope;
    // The decoder guarantees `message` has the shape of `type`; TypeScript cannot correlate the two members.
    (this.#responders[type] as (m: typeof message) => void)(message);
  }

  #sendHeartbeat(): void {
    const messageId = randomUUID();
    this.#pending.set(messageId, performance.now());
    if (this.#pending.size > MAX_PENDING_HEARTBEATS) {
      const oldest = this.#pending.keys().next().value;
      if (oldest !== undefined) this.#pending.delete(oldest);
    }
    this.send({ type: 'HeartbeatMessage', message: { healthy: true, messageId } });
  }

  #onHeartbeatAck(messageId: string): void {
    const sentAt = this.#pending.get(messageId);
    if (sentAt === undefined) return;
    this.#pending.delete(messageId);
    this.#o.metrics.heartbeatRtt.observe((performance.now() - sentAt) / 1000);
    this.#lastAckAt = this.#o.now();
    this.#o.onPing?.(this.containerInstanceArn, this.#lastAckAt, this.#o.managedInstanceId);
  }

  #onSilence(): void {
    this.#o.log.warn(
      { timeoutMs: this.#o.sessionTimeoutMs },
      'agent silent for the whole session timeout; dropping its session',
    );
    this.#closeReason ??= 'timeout';
    // No closing handshake: a partitioned peer would never answer it.
    this.#o.socket.terminate();
  }

  #onSocketClosed(code: number): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clock.clearInterval(this.#heartbeat);
    this.#clock.clearTimeout(this.#deadline);
    const reason = this.#closeReason ?? 'agent_closed';
    this.#o.metrics.sessions.dec();
    this.#o.metrics.closed.inc({ reason });
    this.#o.log.info({ code, reason }, 'agent session closed');
    this.#o.onClosed(this);
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(new Uint8Array(data)).toString('utf8');
}

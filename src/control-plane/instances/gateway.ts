/**
 * The control plane's end of the agent sessions: the HTTP server's `upgrade` requests for `/ws`, admitted
 * (SigV4, cluster, instance, ownership, status) before any websocket exists, then one `Session` per
 * connection and at most one per container instance.
 *
 * `agentConnected` follows the sessions: true once one opens, false at once when it closes (an agent process
 * that dies has its socket closed by the kernel) or within the session timeout when the host drops off the
 * network. Sessions do not survive a restart: `start()` marks every instance disconnected first.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { WebSocket } from 'ws';
import type { Authenticate } from '../auth/authenticator.js';
import { SESSION_CLOSE_CODES, SESSION_PATH, type AcsErrorType } from '../../acs/messages.js';
import type { Arns } from '../../ecs/arn.js';
import type { Store } from '../store/types.js';
import { admit, type Admitted } from './admission.js';
import { AgentConnectedWriter } from './agent-connected.js';
import { createSessionMetrics, type SessionMetrics } from './metrics.js';
import { Session, type AgentPingListener, type SessionAckListener } from './session.js';
import { SessionDoor, writeRefusal } from './session-door.js';
import type { Clock } from '../../util/clock.js';

export interface GatewayOptions {
  readonly store: Store;
  readonly arns: Arns;
  readonly authenticate: Authenticate;
  readonly log: Logger;
  readonly now: () => Date;
  /** The sessions' heartbeat and silence timers. @default the system clock */
  readonly clock?: Clock;
  readonly heartbeatIntervalMs: number;
  readonly sessionTimeoutMs: number;
  /** The server's metrics registry; the gateway adds its session metrics to it. */
  readonly registry: Registry;
  /** Called with the time of every heartbeat ack, e.g. to keep the managed instance's `LastPingDateTime`. */
  readonly onPing?: AgentPingListener;
  /** Hears sessions open and close and the agents' acks (the task delivery, `delivery/`). */
  readonly sessionListener?: SessionListener;
}

/** What the gateway tells about its sessions. `closed` is called only for a session `opened` announced. */
export interface SessionListener extends SessionAckListener {
  opened(session: Session): void;
  closed(session: Session): void;
}

export interface CloseSessionsOptions {
  /**
   * Send this typed error instead of a CloseMessage: `InactiveInstanceException` after deregistration makes
   * the agent back off for long instead of reconnecting at once.
   */
  readonly error?: AcsErrorType;
}

export class Gateway {
  readonly #o: GatewayOptions;
  readonly #door: SessionDoor<Session>;
  readonly #writer: AgentConnectedWriter;
  readonly #metrics: SessionMetrics;

  constructor(o: GatewayOptions) {
    this.#o = o;
    this.#metrics = createSessionMetrics(o.registry);
    this.#door = new SessionDoor<Session>({
      log: o.log,
      admit: (req) => admit(o, req),
      open: (ws, admitted) => this.#open(ws, admitted),
      lines: {
        socketError: 'handshake socket error',
        failed: 'session handshake failed',
        refused: 'session refused',
        opened: 'agent session opened',
      },
    });
    this.#writer = new AgentConnectedWriter(
      o.store,
      o.log,
      (arn) => this.#door.get(arn) !== undefined,
      o.now,
    );
  }

  /** Marks every instance disconnected; call before the server listens. */
  async start(): Promise<void> {
    const reset = await this.#writer.resetAll();
    if (reset > 0)
      this.#o.log.info({ reset }, 'marked instances disconnected (sessions do not survive a restart)');
  }

  get sessionCount(): number {
    return this.#door.size;
  }

  /** The open session of a container instance, if any. */
  session(containerInstanceArn: string): Session | undefined {
    return this.#door.get(containerInstanceArn);
  }

  /** The HTTP server's `upgrade` listener. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== SESSION_PATH) {
      socket.on('error', (err) => this.#o.log.debug({ err }, 'handshake socket error'));
      writeRefusal(
        socket,
        404,
        JSON.stringify({ message: `No websocket at ${path}; sessions use ${SESSION_PATH}.` }),
      );
      return;
    }
    this.#door.handleUpgrade(req, socket, head);
  }

  /**
   * Closes the sessions of a container instance, named by its ARN or by its managed instance id (`mi-...`),
   * e.g. when it is deregistered. Returns how many were open; `agentConnected` turns false as they close.
   */
  closeInstanceSessions(target: string, reason: string, options: CloseSessionsOptions = {}): number {
    const sessions = this.#door.sessionsOf(target);
    for (const session of sessions) {
      if (options.error === undefined) {
        session.close(SESSION_CLOSE_CODES.closedByControlPlane, 'closed_by_control_plane', {
          type: 'CloseMessage',
          message: { message: reason },
        });
      } else {
        session.close(SESSION_CLOSE_CODES.error, 'error', {
          type: options.error,
          message: { message: reason },
        });
      }
    }
    return sessions.length;
  }

  /** Refuses new handshakes, says goodbye to every agent, and waits until `agentConnected` is written. */
  async stop(): Promise<void> {
    await this.#door.stop((session) =>
      session.close(SESSION_CLOSE_CODES.goingAway, 'server_stop', {
        type: 'CloseMessage',
        message: { message: 'The control plane is shutting down; reconnect when it is back.' },
      }),
    );
    await this.#writer.drain();
  }

  #open(ws: WebSocket, admitted: Admitted): void {
    const arn = admitted.instance.containerInstanceArn;
    const session = new Session({
      socket: ws,
      clusterArn: admitted.clusterArn,
      containerInstanceArn: arn,
      ec2InstanceId: admitted.instance.ec2InstanceId,
      // The authenticated caller when it is an instance; an administrator's session (tools, simulators)
      // stands in for the host the container instance runs on.
      managedInstanceId: admitted.caller.instanceId ?? admitted.instance.ec2InstanceId,
      heartbeatIntervalMs: this.#o.heartbeatIntervalMs,
      sessionTimeoutMs: this.#o.sessionTimeoutMs,
      metrics: this.#metrics,
      log: this.#o.log.child({ containerInstanceArn: arn }),
      now: this.#o.now,
      ...(this.#o.clock && { clock: this.#o.clock }),
      ...(this.#o.onPing && { onPing: this.#o.onPing }),
      onClosed: (s) => this.#onClosed(s),
      ...(this.#o.sessionListener && { acks: this.#o.sessionListener }),
    });
    this.#door.keep(session, admitted)?.close(SESSION_CLOSE_CODES.replaced, 'replaced', {
      type: 'CloseMessage',
      message: { message: 'A newer session of this container instance replaced this one.' },
    });
    this.#o.sessionListener?.opened(session);
    void this.#writer.sync(admitted.clusterArn, arn, admitted.versionInfo).then((status) => {
      // Deregistered between the handshake's check and now: the session must not outlive the instance.
      if ((status === undefined || status === 'INACTIVE') && this.#door.get(arn) === session) {
        session.close(SESSION_CLOSE_CODES.error, 'error', {
          type: 'InactiveInstanceException',
          message: { message: `Container instance ${arn} is deregistered.` },
        });
      }
    });
  }

  #onClosed(session: Session): void {
    this.#door.release(session);
    this.#o.sessionListener?.closed(session);
    void this.#writer.sync(session.clusterArn, session.containerInstanceArn);
  }
}

/**
 * The control plane's end of the telemetry (TCS) sessions: `upgrade` requests for `/tcs/ws`, admitted as
 * ACS sessions are (`../admission.ts`: SigV4 for `ecs`, an active cluster named by name or ARN, a registered
 * container instance the caller may speak for) but with TCS's query names, then one `TelemetrySession` per
 * connection and at most one per container instance (a newer one replaces the older).
 *
 * Telemetry does not decide `agentConnected`: that follows the ACS session, which carries the tasks.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeHandshakeError } from '../../../acs/codec.js';
import { SESSION_CLOSE_CODES } from '../../../acs/messages.js';
import { TELEMETRY_PATH, TELEMETRY_QUERY_NAMES } from '../../../acs/telemetry.js';
import type { AcsErrorType } from '../../../acs/messages.js';
import type { Clock } from '../../../util/clock.js';
import type { ChangeSink } from '../../events.js';
import { admit, type AdmissionDeps, type Admitted } from '../admission.js';
import { MAX_AGENT_FRAME_BYTES, writeRefusal } from '../gateway.js';
import { createTelemetryMetrics, type TelemetryMetrics } from './metrics.js';
import { TelemetryStats } from './stats-cache.js';
import { TelemetrySession } from './telemetry-session.js';

export interface TelemetryGatewayOptions extends AdmissionDeps {
  readonly log: Logger;
  readonly now: () => Date;
  readonly clock?: Clock;
  readonly heartbeatIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly registry: Registry;
  readonly changes: Pick<ChangeSink, 'clusterChanged'>;
  /** Where published figures are kept. @default a new cache */
  readonly stats?: TelemetryStats;
}

/** Whether an `upgrade` request is for a telemetry session (the rest go to the ACS gateway). */
export function isTelemetryUpgrade(req: IncomingMessage): boolean {
  return (req.url ?? '/').split('?', 1)[0] === TELEMETRY_PATH;
}

export class TelemetryGateway {
  /** The latest figures agents published (the metrics capability reads them). */
  readonly stats: TelemetryStats;
  readonly #o: TelemetryGatewayOptions;
  readonly #wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_AGENT_FRAME_BYTES,
  });
  readonly #sessions = new Map<string, TelemetrySession>();
  readonly #admissions = new Set<Promise<void>>();
  readonly #metrics: TelemetryMetrics;
  #stopping = false;

  constructor(o: TelemetryGatewayOptions) {
    this.#o = o;
    this.stats = o.stats ?? new TelemetryStats({ now: () => o.now().getTime() });
    this.#metrics = createTelemetryMetrics(o.registry, this.stats);
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** The HTTP server's `upgrade` listener for `/tcs/ws`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (err) => this.#o.log.debug({ err }, 'telemetry handshake socket error'));
    if (this.#stopping) {
      refuse(socket, 503, 'ServerException', 'The control plane is shutting down.');
      return;
    }
    const admission = this.#admit(req, socket, head)
      .catch((err: unknown) => {
        this.#o.log.error({ err }, 'telemetry handshake failed');
        refuse(socket, 500, 'ServerException', 'Internal error; try again.');
      })
      .finally(() => this.#admissions.delete(admission));
    this.#admissions.add(admission);
  }

  /** Closes the telemetry session of a container instance, named by its ARN or its managed instance id. */
  closeInstanceSessions(target: string, reason: string): number {
    let closed = 0;
    for (const session of this.#sessions.values()) {
      if (session.containerInstanceArn !== target && session.ec2InstanceId !== target) continue;
      closed += 1;
      session.close(SESSION_CLOSE_CODES.closedByControlPlane, reason, {
        type: 'StopTelemetrySessionMessage',
        message: { message: reason },
      });
    }
    return closed;
  }

  /** Refuses new handshakes and closes every session. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#admissions);
    const sessions = [...this.#sessions.values()];
    for (const s of sessions) s.close(SESSION_CLOSE_CODES.goingAway, 'server_stop');
    await Promise.all(sessions.map((s) => s.closed));
    this.#wss.close();
  }

  async #admit(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const result = await admit(this.#o, req, TELEMETRY_QUERY_NAMES);
    if (!result.ok) {
      this.#o.log.info({ type: result.type, msg: result.message }, 'telemetry session refused');
      refuse(socket, result.status, result.type, result.message);
      return;
    }
    if (this.#stopping) {
      refuse(socket, 503, 'ServerException', 'The control plane is shutting down.');
      return;
    }
    if (socket.destroyed) return;
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#open(ws, result));
  }

  #open(ws: WebSocket, admitted: Admitted): void {
    const arn = admitted.instance.containerInstanceArn;
    const session = new TelemetrySession({
      socket: ws,
      context: {
        clusterArn: admitted.clusterArn,
        containerInstanceArn: arn,
        log: this.#o.log.child({ containerInstanceArn: arn, session: 'telemetry' }),
        stats: this.stats,
        health: { store: this.#o.store, now: this.#o.now, changes: this.#o.changes },
      },
      ec2InstanceId: admitted.instance.ec2InstanceId,
      heartbeatIntervalMs: this.#o.heartbeatIntervalMs,
      sessionTimeoutMs: this.#o.sessionTimeoutMs,
      metrics: this.#metrics,
      ...(this.#o.clock && { clock: this.#o.clock }),
      onClosed: (s) => {
        if (this.#sessions.get(arn) === s) this.#sessions.delete(arn);
      },
    });
    const previous = this.#sessions.get(arn);
    this.#sessions.set(arn, session);
    this.#o.log.info(
      { containerInstanceArn: arn, principal: admitted.caller.principalArn },
      'telemetry session opened',
    );
    previous?.close(SESSION_CLOSE_CODES.replaced, 'replaced', {
      type: 'StopTelemetrySessionMessage',
      message: { message: 'A newer telemetry session of this container instance replaced this one.' },
    });
  }
}

function refuse(socket: Duplex, status: number, type: AcsErrorType, message: string): void {
  writeRefusal(socket, status, encodeHandshakeError(type, message));
}

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
import type { WebSocket } from 'ws';
import { SESSION_CLOSE_CODES } from '../../../acs/messages.js';
import { TELEMETRY_PATH, TELEMETRY_QUERY_NAMES } from '../../../acs/telemetry.js';
import type { Clock } from '../../../util/clock.js';
import type { ChangeSink } from '../../events.js';
import { admit, type AdmissionDeps, type Admitted } from '../admission.js';
import { SessionDoor } from '../session-door.js';
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
  readonly #door: SessionDoor<TelemetrySession>;
  readonly #metrics: TelemetryMetrics;

  constructor(o: TelemetryGatewayOptions) {
    this.#o = o;
    this.stats = o.stats ?? new TelemetryStats({ now: () => o.now().getTime() });
    this.#metrics = createTelemetryMetrics(o.registry, this.stats);
    this.#door = new SessionDoor<TelemetrySession>({
      log: o.log,
      admit: (req) => admit(o, req, TELEMETRY_QUERY_NAMES),
      open: (ws, admitted) => this.#open(ws, admitted),
      lines: {
        socketError: 'telemetry handshake socket error',
        failed: 'telemetry handshake failed',
        refused: 'telemetry session refused',
        opened: 'telemetry session opened',
      },
    });
  }

  get sessionCount(): number {
    return this.#door.size;
  }

  /** The HTTP server's `upgrade` listener for `/tcs/ws`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#door.handleUpgrade(req, socket, head);
  }

  /** Closes the telemetry session of a container instance, named by its ARN or its managed instance id. */
  closeInstanceSessions(target: string, reason: string): number {
    const sessions = this.#door.sessionsOf(target);
    for (const session of sessions) {
      session.close(SESSION_CLOSE_CODES.closedByControlPlane, reason, {
        type: 'StopTelemetrySessionMessage',
        message: { message: reason },
      });
    }
    return sessions.length;
  }

  /** Refuses new handshakes and closes every session. */
  async stop(): Promise<void> {
    await this.#door.stop((s) => s.close(SESSION_CLOSE_CODES.goingAway, 'server_stop'));
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
      onClosed: (s) => this.#door.release(s),
    });
    this.#door.keep(session, admitted)?.close(SESSION_CLOSE_CODES.replaced, 'replaced', {
      type: 'StopTelemetrySessionMessage',
      message: { message: 'A newer telemetry session of this container instance replaced this one.' },
    });
  }
}

/**
 * What the ACS gateway (`/ws`) and the telemetry gateway (`/tcs/ws`) share: turning an `upgrade` request into
 * a websocket once it is admitted, keeping at most one session per container instance, and a stop that lets no
 * handshake slip in while the sessions close. What each session says when it is closed stays with its gateway,
 * which passes it in as a function.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeHandshakeError } from '../../acs/codec.js';
import type { Admitted, Refused } from './admission.js';

/**
 * Agents send acks and small requests; 1 MiB is far above any of them and stops a misbehaving peer from
 * making the server buffer the `ws` default of 100 MiB per frame.
 */
export const MAX_AGENT_FRAME_BYTES = 1024 * 1024;

/** What the door needs of a session: whose it is, and when it has closed. */
export interface DoorSession {
  readonly containerInstanceArn: string;
  readonly ec2InstanceId: string | undefined;
  readonly closed: Promise<void>;
}

export interface SessionDoorOptions {
  readonly log: Logger;
  readonly admit: (req: IncomingMessage) => Promise<Admitted | Refused>;
  /** Makes the session of an admitted connection; it calls `keep` with it, and `release` once it closed. */
  readonly open: (ws: WebSocket, admitted: Admitted) => void;
  /** The log lines, which tell an operator which of the two doors speaks. */
  readonly lines: {
    readonly socketError: string;
    readonly failed: string;
    readonly refused: string;
    readonly opened: string;
  };
}

export class SessionDoor<S extends DoorSession> {
  readonly #o: SessionDoorOptions;
  readonly #wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_AGENT_FRAME_BYTES,
  });
  readonly #sessions = new Map<string, S>();
  readonly #admissions = new Set<Promise<void>>();
  #stopping = false;

  constructor(o: SessionDoorOptions) {
    this.#o = o;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The open session of a container instance, if any. */
  get(containerInstanceArn: string): S | undefined {
    return this.#sessions.get(containerInstanceArn);
  }

  /** The HTTP server's `upgrade` listener, once the request's path is known to be this door's. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (err) => this.#o.log.debug({ err }, this.#o.lines.socketError));
    if (this.#stopping) {
      refuseStopping(socket);
      return;
    }
    const admission = this.#admit(req, socket, head)
      .catch((err: unknown) => {
        this.#o.log.error({ err }, this.#o.lines.failed);
        writeRefusal(socket, 500, encodeHandshakeError('ServerException', 'Internal error; try again.'));
      })
      .finally(() => this.#admissions.delete(admission));
    this.#admissions.add(admission);
  }

  /**
   * Makes `session` its instance's session. Returns the one it replaces, which the caller closes with its own
   * farewell (after the log line, so the log reads in the order things happened).
   */
  keep(session: S, admitted: Admitted): S | undefined {
    const arn = session.containerInstanceArn;
    const previous = this.#sessions.get(arn);
    this.#sessions.set(arn, session);
    this.#o.log.info(
      { containerInstanceArn: arn, principal: admitted.caller.principalArn },
      this.#o.lines.opened,
    );
    return previous;
  }

  /** Forgets a closed session; a replaced one closes after its successor opened, which stays. */
  release(session: S): void {
    const arn = session.containerInstanceArn;
    if (this.#sessions.get(arn) === session) this.#sessions.delete(arn);
  }

  /** The sessions of a container instance, named by its ARN or by its managed instance id (`mi-...`). */
  sessionsOf(target: string): S[] {
    return [...this.#sessions.values()].filter(
      (s) => s.containerInstanceArn === target || s.ec2InstanceId === target,
    );
  }

  /** Refuses new handshakes, lets the admissions under way finish, closes every session and awaits it. */
  async stop(close: (session: S) => void): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#admissions);
    const sessions = [...this.#sessions.values()];
    for (const session of sessions) close(session);
    await Promise.all(sessions.map((s) => s.closed));
    this.#wss.close();
  }

  async #admit(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const result = await this.#o.admit(req);
    if (!result.ok) {
      this.#o.log.info({ type: result.type, msg: result.message }, this.#o.lines.refused);
      writeRefusal(socket, result.status, encodeHandshakeError(result.type, result.message));
      return;
    }
    // The admission awaited the store: the server may have begun stopping meanwhile.
    if (this.#stopping) {
      refuseStopping(socket);
      return;
    }
    if (socket.destroyed) return;
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#o.open(ws, result));
  }
}

function refuseStopping(socket: Duplex): void {
  writeRefusal(socket, 503, encodeHandshakeError('ServerException', 'The control plane is shutting down.'));
}

/** Answers a handshake with an HTTP error instead of `101 Switching Protocols`, then hangs up. */
export function writeRefusal(socket: Duplex, status: number, body: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

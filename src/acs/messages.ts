/**
 * The agent session's messages, in the shapes of ECS's Agent Communication Service (ACS), so the protocol is
 * a proven one and the stock amazon-ecs-agent could one day join a Berth cluster.
 *
 * Every frame is a text frame holding one envelope `{"type": <name>, "message": {...}}`. Naming follows ACS:
 * control plane -> agent messages end in `Message` (or are errors); agent -> control plane ones end in
 * `Request` or `Ack`. Pure: no I/O.
 *
 * The same messages are written as a model, one structure per type (`model/acs.json`), which both ends
 * validate every received message against (`codec.ts`); `model/acs-model.test.ts` keeps the two in step.
 */

import type {
  PayloadMessage,
  TaskManifestMessage,
  TaskStopVerificationAck,
  TaskStopVerificationMessage,
} from './payload.js';

/** The protocol version Berth speaks; sent by the agent in the `protocolVersion` query parameter. */
export const ACS_PROTOCOL_VERSION = 2;

/**
 * How often the control plane sends a connected agent its task manifest, besides once when a session opens:
 * it catches differences that arose without a disconnect (a lost payload, a task the host no longer has).
 */
export const MANIFEST_INTERVAL_MS = 60_000;

// ---- control plane -> agent ----

export interface HeartbeatMessage {
  readonly healthy: boolean;
  readonly messageId: string;
}

export interface CloseMessage {
  readonly message: string;
}

/** Typed errors, sent as envelopes during a session and as the body of a refused handshake. */
export const ACS_ERROR_TYPES = [
  'ServerException',
  'BadRequestException',
  'InvalidClusterException',
  'InvalidInstanceException',
  'AccessDeniedException',
  'InactiveInstanceException',
  'ErrorMessage',
] as const;
export type AcsErrorType = (typeof ACS_ERROR_TYPES)[number];

/**
 * Errors only a person can fix (the instance was deregistered, or the agent names an instance or cluster
 * that doesn't exist): after one the agent waits long (an hour) before it asks again. AccessDeniedException
 * is deliberately not among them, unlike ECS's list: Berth sends it for credential problems (an expired or
 * rotated key), and the next attempt brings fresh credentials, so the normal backoff applies.
 */
export const UNRETRIABLE_ACS_ERRORS: readonly AcsErrorType[] = [
  'InvalidInstanceException',
  'InvalidClusterException',
  'InactiveInstanceException',
];

export interface AcsErrorBody {
  readonly message: string;
}

// ---- agent -> control plane ----

export interface HeartbeatAckRequest {
  readonly messageId: string;
}

export interface AckRequest {
  readonly cluster: string;
  readonly containerInstance: string;
  readonly messageId: string;
}

export interface NackRequest extends AckRequest {
  readonly reason: string;
}

/**
 * Message types by envelope name. A payload is answered with AckRequest (its tasks are stored durably on the
 * host) or NackRequest (they could not be; the control plane sends them again). A task manifest (sent when a
 * session opens and every `MANIFEST_INTERVAL_MS`) is answered with AckRequest, and, if the host runs tasks
 * the manifest does not list, a TaskStopVerificationMessage naming them; the control plane answers that with
 * TaskStopVerificationAck (same messageId) listing those the host must stop.
 */
export interface ServerToAgent {
  HeartbeatMessage: HeartbeatMessage;
  PayloadMessage: PayloadMessage;
  TaskManifestMessage: TaskManifestMessage;
  TaskStopVerificationAck: TaskStopVerificationAck;
  CloseMessage: CloseMessage;
  ServerException: AcsErrorBody;
  BadRequestException: AcsErrorBody;
  InvalidClusterException: AcsErrorBody;
  InvalidInstanceException: AcsErrorBody;
  AccessDeniedException: AcsErrorBody;
  InactiveInstanceException: AcsErrorBody;
  ErrorMessage: AcsErrorBody;
}

export interface AgentToServer {
  HeartbeatAckRequest: HeartbeatAckRequest;
  AckRequest: AckRequest;
  NackRequest: NackRequest;
  TaskStopVerificationMessage: TaskStopVerificationMessage;
}

export type Envelope<M> = { [K in keyof M]: { readonly type: K; readonly message: M[K] } }[keyof M];
export type ServerEnvelope = Envelope<ServerToAgent>;
export type AgentEnvelope = Envelope<AgentToServer>;

/** The session's HTTP path on the control plane's endpoint (the ECS agent appends `ws` to the endpoint). */
export const SESSION_PATH = '/ws';

/**
 * A refused session handshake's error (an HTTP error instead of `101 Switching Protocols`), which the agent
 * decodes to learn whether to retry soon or back off for long. On the wire it is ACS's `{"<type>":"<message>"}`
 * (`codec.ts`).
 */
export interface HandshakeError {
  readonly type: AcsErrorType;
  readonly message: string;
}

/**
 * Websocket close codes the control plane uses, so the agent can tell a clean close (reconnect at once, as
 * the ECS agent does after EOF) from one that should go through its backoff. 4000-4999 are private-use codes
 * (RFC 6455 §7.4.2).
 */
export const SESSION_CLOSE_CODES = {
  /** The agent or control plane ended the session on purpose (e.g. `stop()`): reconnecting at once is fine. */
  normal: 1000,
  /** The control plane is shutting down or restarting: reconnect at once, then back off while it is away. */
  goingAway: 1001,
  /**
   * A newer session of the same container instance took over. Back off rather than reconnect at once, or two
   * hosts sharing one identity (a cloned disk) would replace each other in a tight loop.
   */
  replaced: 4000,
  /** Closed after an error message (e.g. InactiveInstanceException when deregistered); the error says why. */
  error: 4001,
  /** Closed by an operator or another part of the control plane (see the CloseMessage for why). */
  closedByControlPlane: 4002,
} as const;

/** Close codes after which the agent reconnects without waiting. */
export const CLEAN_CLOSE_CODES: readonly number[] = [
  SESSION_CLOSE_CODES.normal,
  SESSION_CLOSE_CODES.goingAway,
];

/** Query parameters of the session URL (`<endpoint>/ws?...`), as the ECS agent sends them. */
export interface SessionQuery {
  readonly clusterArn: string;
  readonly containerInstanceArn: string;
  readonly agentVersion: string;
  readonly agentHash?: string;
  readonly dockerVersion?: string;
  readonly seqNum: number;
  readonly protocolVersion: number;
  readonly sendCredentials: boolean;
}

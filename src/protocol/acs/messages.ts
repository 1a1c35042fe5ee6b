/**
 * The agent session's messages, in the shapes of ECS's Agent Communication Service (ACS), so the protocol is
 * a proven one and the stock amazon-ecs-agent could one day join a Berth cluster.
 *
 * Every frame is a text frame holding one envelope `{"type": <name>, "message": {...}}`. Naming follows ACS:
 * control plane -> agent messages end in `Message` (or are errors); agent -> control plane ones end in
 * `Request` or `Ack`. Pure: no I/O.
 */

/** The protocol version Berth speaks; sent by the agent in the `protocolVersion` query parameter. */
export const ACS_PROTOCOL_VERSION = 2;

// ---- control plane -> agent ----

export interface HeartbeatMessage {
  readonly healthy: boolean;
  readonly messageId: string;
}

export interface CloseMessage {
  readonly message: string;
}

/** Typed errors; the unretriable ones make the agent back off for a long time rather than reconnect. */
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

export const UNRETRIABLE_ACS_ERRORS: readonly AcsErrorType[] = [
  'InvalidInstanceException',
  'InvalidClusterException',
  'InactiveInstanceException',
  'AccessDeniedException',
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

/** Message types by envelope name. Later issues add PayloadMessage, TaskManifestMessage and friends. */
export interface ServerToAgent {
  HeartbeatMessage: HeartbeatMessage;
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
}

export type Envelope<M> = { [K in keyof M]: { readonly type: K; readonly message: M[K] } }[keyof M];
export type ServerEnvelope = Envelope<ServerToAgent>;
export type AgentEnvelope = Envelope<AgentToServer>;

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

/**
 * Encoding and decoding of session envelopes. Decoding checks only the envelope and the members each
 * handler relies on; an unknown type is reported, not thrown, so a newer peer cannot crash an older one.
 */
import { ACS_ERROR_TYPES } from './messages.js';
import type {
  AcsErrorType,
  AgentEnvelope,
  AgentToServer,
  HandshakeError,
  ServerEnvelope,
  ServerToAgent,
  SessionQuery,
} from './messages.js';

export function encodeEnvelope(envelope: ServerEnvelope | AgentEnvelope): string {
  return JSON.stringify(envelope);
}

export type Decoded<E> =
  { readonly ok: true; readonly envelope: E } | { readonly ok: false; readonly error: string };

function decode<M>(
  text: string,
  required: { readonly [K in keyof M]: readonly string[] },
): Decoded<Envelope<M>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, error: 'frame is not JSON' };
  }
  if (parsed === null || typeof parsed !== 'object') return { ok: false, error: 'frame is not an object' };
  const { type, message } = parsed as { type?: unknown; message?: unknown };
  if (typeof type !== 'string' || !(type in required)) {
    return { ok: false, error: `unknown message type ${JSON.stringify(type)}` };
  }
  if (message === null || typeof message !== 'object') return { ok: false, error: `${type} has no message` };
  for (const member of required[type as keyof M]) {
    if (!(member in message)) return { ok: false, error: `${type} lacks ${member}` };
  }
  return { ok: true, envelope: { type, message } as Envelope<M> };
}

type Envelope<M> = { [K in keyof M]: { readonly type: K; readonly message: M[K] } }[keyof M];

const AGENT_REQUIRED: { readonly [K in keyof AgentToServer]: readonly string[] } = {
  HeartbeatAckRequest: ['messageId'],
  AckRequest: ['messageId'],
  NackRequest: ['messageId', 'reason'],
  TaskStopVerificationMessage: ['messageId', 'stopCandidates'],
};

const SERVER_REQUIRED: { readonly [K in keyof ServerToAgent]: readonly string[] } = {
  HeartbeatMessage: ['messageId'],
  // Only what a NackRequest needs: the payload responder checks the rest and says what is wrong.
  PayloadMessage: ['messageId'],
  TaskManifestMessage: ['messageId', 'tasks', 'timeline'],
  TaskStopVerificationAck: ['messageId', 'stopTasks'],
  CloseMessage: [],
  ServerException: ['message'],
  BadRequestException: ['message'],
  InvalidClusterException: ['message'],
  InvalidInstanceException: ['message'],
  AccessDeniedException: ['message'],
  InactiveInstanceException: ['message'],
  ErrorMessage: ['message'],
};

export function decodeAgentEnvelope(text: string): Decoded<AgentEnvelope> {
  return decode<AgentToServer>(text, AGENT_REQUIRED);
}

export function decodeServerEnvelope(text: string): Decoded<ServerEnvelope> {
  return decode<ServerToAgent>(text, SERVER_REQUIRED);
}

/** The session query parameters, decoded, in the order they are sent (also what the agent signs). */
export function sessionQueryParameters(q: SessionQuery): Record<string, string> {
  return {
    clusterArn: q.clusterArn,
    containerInstanceArn: q.containerInstanceArn,
    ...(q.agentHash !== undefined && { agentHash: q.agentHash }),
    agentVersion: q.agentVersion,
    seqNum: String(q.seqNum),
    protocolVersion: String(q.protocolVersion),
    ...(q.dockerVersion !== undefined && { dockerVersion: `DockerVersion: ${q.dockerVersion}` }),
    sendCredentials: String(q.sendCredentials),
  };
}

/**
 * The query string, percent-encoded the RFC 3986 way (space as `%20`, never `+`): the handshake is
 * SigV4-signed over the decoded parameters, and SigV4 verifiers decode `%XX` but not `+`, so a `+` from
 * `URLSearchParams` (the space in `DockerVersion: 20.10`) would break the signature.
 */
export function sessionQueryString(q: SessionQuery): string {
  return Object.entries(sessionQueryParameters(q))
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join('&');
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export function encodeHandshakeError(type: AcsErrorType, message: string): string {
  return JSON.stringify({ type, message } satisfies HandshakeError);
}

/**
 * Reads a refused handshake's body. Anything that is not a typed ACS error (a proxy's HTML page, an empty
 * body) is `undefined`: the agent then treats the refusal as transient.
 */
export function decodeHandshakeError(text: string): HandshakeError | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const { type, message } = parsed as { type?: unknown; message?: unknown };
  if (typeof type !== 'string' || !(ACS_ERROR_TYPES as readonly string[]).includes(type)) return undefined;
  return { type: type as AcsErrorType, message: typeof message === 'string' ? message : '' };
}

/** Parses the session URL's query; `undefined` members were absent or malformed. */
export function parseSessionQuery(search: URLSearchParams): Partial<SessionQuery> {
  const num = (name: string) => {
    const v = search.get(name);
    return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  const str = (name: string) => search.get(name) ?? undefined;
  const docker = str('dockerVersion')?.replace(/^DockerVersion:\s*/, '');
  const sendCredentials = str('sendCredentials');
  return {
    ...(str('clusterArn') !== undefined && { clusterArn: str('clusterArn') }),
    ...(str('containerInstanceArn') !== undefined && { containerInstanceArn: str('containerInstanceArn') }),
    ...(str('agentVersion') !== undefined && { agentVersion: str('agentVersion') }),
    ...(str('agentHash') !== undefined && { agentHash: str('agentHash') }),
    ...(docker !== undefined && { dockerVersion: docker }),
    ...(num('seqNum') !== undefined && { seqNum: num('seqNum') }),
    ...(num('protocolVersion') !== undefined && { protocolVersion: num('protocolVersion') }),
    ...(sendCredentials !== undefined && { sendCredentials: sendCredentials === 'true' }),
  };
}

/**
 * Encoding and decoding of session envelopes. Decoding checks the envelope, then validates the message
 * against the structure of the same name in the protocol's model (`model/acs.json`) with the validator ECS
 * requests go through (`ecs/model/validate-shape.ts`): both ends refuse the same malformed messages, and the
 * error names the member. As there, unknown members are ignored and null counts as absent, so a newer peer's
 * additions pass; an unknown type is reported, not thrown, so a newer peer cannot crash an older one.
 */
import { findViolation } from '../ecs/model/validate-shape.js';
import { ACS_ERROR_TYPES } from './messages.js';
import type {
  AcsErrorType,
  AgentEnvelope,
  AgentToServer,
  Envelope,
  HandshakeError,
  ServerEnvelope,
  ServerToAgent,
  SessionQuery,
} from './messages.js';
import { acsModel } from './model/load-model.js';
import type { ServiceModel } from '../ecs/model/service-model.js';

export function encodeEnvelope(envelope: ServerEnvelope | AgentEnvelope): string {
  return JSON.stringify(envelope);
}

export type Decoded<E> =
  { readonly ok: true; readonly envelope: E } | { readonly ok: false; readonly error: string };

/** The envelope types one side accepts; listing them by the message map makes a forgotten one a type error. */
export type Accepted<M> = { readonly [K in keyof M]: true };

/** Decodes an envelope of one of the `accepted` types, its message validated against `model` (ACS's by default). */
export function decodeEnvelope<M>(
  text: string,
  accepted: Accepted<M>,
  model: ServiceModel = acsModel,
): Decoded<Envelope<M>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, error: 'frame is not JSON' };
  }
  if (parsed === null || typeof parsed !== 'object') return { ok: false, error: 'frame is not an object' };
  const { type, message } = parsed as { type?: unknown; message?: unknown };
  // An own-property check, so `constructor` & co. are unknown types too.
  if (typeof type !== 'string' || !Object.hasOwn(accepted, type)) {
    return { ok: false, error: `unknown message type ${JSON.stringify(type)}` };
  }
  if (message === null || typeof message !== 'object') return { ok: false, error: `${type} has no message` };
  const violation = findViolation(model, type, message);
  if (violation !== undefined) {
    const error =
      violation.kind === 'missing' ? `${type} lacks ${violation.path}` : `${type}: ${violation.message}`;
    return { ok: false, error };
  }
  return { ok: true, envelope: { type, message } as Envelope<M> };
}

/** What the control plane accepts from an agent. */
export const AGENT_MESSAGE_TYPES: Accepted<AgentToServer> = {
  HeartbeatAckRequest: true,
  AckRequest: true,
  NackRequest: true,
  TaskStopVerificationMessage: true,
};

/** What an agent accepts from the control plane. */
export const SERVER_MESSAGE_TYPES: Accepted<ServerToAgent> = {
  HeartbeatMessage: true,
  PayloadMessage: true,
  TaskManifestMessage: true,
  TaskStopVerificationAck: true,
  CloseMessage: true,
  ServerException: true,
  BadRequestException: true,
  InvalidClusterException: true,
  InvalidInstanceException: true,
  AccessDeniedException: true,
  InactiveInstanceException: true,
  ErrorMessage: true,
};

export function decodeAgentEnvelope(text: string): Decoded<AgentEnvelope> {
  return decodeEnvelope(text, AGENT_MESSAGE_TYPES);
}

export function decodeServerEnvelope(text: string): Decoded<ServerEnvelope> {
  return decodeEnvelope(text, SERVER_MESSAGE_TYPES);
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

/**
 * A refused handshake's body in ACS's own form, `{"<ErrorType>":"<message>"}`: the ECS agent decodes it as a
 * typed error (`wsclient.DecodeConnectionError`); an envelope whose message is text it cannot decode.
 */
export function encodeHandshakeError(type: AcsErrorType, message: string): string {
  return JSON.stringify({ [type]: message });
}

/**
 * Reads a refused handshake's body: ACS's form, or the envelope-like `{"type":T,"message":"text"}` that
 * control planes before it sent. Anything else (a proxy's HTML page, an empty body, an unknown type) is
 * `undefined`: the agent then treats the refusal as transient.
 */
export function decodeHandshakeError(text: string): HandshakeError | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const entries = Object.entries(parsed);
  const [only] = entries;
  if (entries.length === 1 && only !== undefined && isAcsErrorType(only[0])) {
    return { type: only[0], message: typeof only[1] === 'string' ? only[1] : '' };
  }
  const { type, message } = parsed as { type?: unknown; message?: unknown };
  if (!isAcsErrorType(type)) return undefined;
  return { type, message: typeof message === 'string' ? message : '' };
}

function isAcsErrorType(value: unknown): value is AcsErrorType {
  return typeof value === 'string' && (ACS_ERROR_TYPES as readonly string[]).includes(value);
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

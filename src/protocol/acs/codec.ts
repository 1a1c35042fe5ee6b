/**
 * Encoding and decoding of session envelopes. Decoding checks only the envelope and the members each
 * handler relies on; an unknown type is reported, not thrown, so a newer peer cannot crash an older one.
 */
import type {
  AgentEnvelope,
  AgentToServer,
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
};

const SERVER_REQUIRED: { readonly [K in keyof ServerToAgent]: readonly string[] } = {
  HeartbeatMessage: ['messageId'],
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

export function sessionQueryString(q: SessionQuery): string {
  const params = new URLSearchParams({
    clusterArn: q.clusterArn,
    containerInstanceArn: q.containerInstanceArn,
    agentVersion: q.agentVersion,
    seqNum: String(q.seqNum),
    protocolVersion: String(q.protocolVersion),
    sendCredentials: String(q.sendCredentials),
  });
  if (q.agentHash !== undefined) params.set('agentHash', q.agentHash);
  if (q.dockerVersion !== undefined) params.set('dockerVersion', `DockerVersion: ${q.dockerVersion}`);
  return params.toString();
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

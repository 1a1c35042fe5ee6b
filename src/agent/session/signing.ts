/**
 * The session URL and its signed handshake, as the ECS agent builds them: `<endpoint>/ws?<query>`, `ws://`
 * for `http://` endpoints and `wss://` for `https://`, and a SigV4 signature (service `ecs`, the agent's
 * region, the hash of an empty body) over the GET upgrade request, sent as its headers.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../sigv4/sha256.js';
import { sessionQueryString } from '../../acs/codec.js';
import type { SessionQuery } from '../../acs/messages.js';

/** The credentials the handshake is signed with; temporary ones carry a session token. */
export interface AgentCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Called before every connection attempt: credentials rotate, so they are never cached here. */
export type CredentialsProvider = () => Promise<AgentCredentials>;

/** The signing name of the session, shared with ECS's agent protocol. */
export const SESSION_SIGNING_SERVICE = 'ecs';

/** `http://host:4650` + query -> `ws://host:4650/ws?...` (a path in the endpoint is kept). */
export function sessionUrl(endpoint: string, query: SessionQuery): URL {
  const url = new URL(endpoint);
  if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new Error(`endpoint ${endpoint} must be an http:// or https:// URL`);
  }
  url.pathname = `${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}ws`;
  url.search = `?${sessionQueryString(query)}`;
  url.hash = '';
  return url;
}

export interface SigningInput {
  readonly url: URL;
  readonly region: string;
  readonly credentials: AgentCredentials;
  readonly signingDate: Date;
}

/** The headers to send with the upgrade: `host`, `x-amz-date`, `x-amz-security-token`, `authorization`, ... */
export async function signSessionRequest(input: SigningInput): Promise<Record<string, string>> {
  const { url, credentials } = input;
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken !== undefined && { sessionToken: credentials.sessionToken }),
    },
    region: input.region,
    service: SESSION_SIGNING_SERVICE,
    sha256: Sha256,
  });
  const signed = await signer.sign(
    {
      method: 'GET',
      protocol: url.protocol === 'wss:' ? 'https:' : 'http:',
      hostname: url.hostname,
      ...(url.port !== '' && { port: Number(url.port) }),
      path: url.pathname,
      query: decodedQuery(url.search),
      headers: { host: url.host },
    },
    { signingDate: input.signingDate },
  );
  return Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/**
 * The query as the verifier will decode it: `%XX` sequences only (`+` stays `+`), the way SigV4 servers read
 * the raw request line. `URLSearchParams` would turn `+` into a space and sign something else.
 */
function decodedQuery(search: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeURIComponent(eq === -1 ? pair : pair.slice(0, eq));
    out[key] = decodeURIComponent(eq === -1 ? '' : pair.slice(eq + 1));
  }
  return out;
}

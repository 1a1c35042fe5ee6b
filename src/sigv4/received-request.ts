/**
 * The parts of a request as received, in the shape SigV4 canonicalisation needs: the raw path (still
 * percent-encoded, because SigV4 encodes it once more), the decoded query parameters (the signer re-encodes
 * them the RFC 3986 way), and headers under lower-case names.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type QueryParameters = Readonly<Record<string, string | string[]>>;

export interface ReceivedUrl {
  readonly path: string;
  readonly query: QueryParameters;
}

/** Splits `"/a/b?x=1&y=%2F"`; an absolute-form target (`http://host/a?x=1`, as sent to proxies) also works. */
export function parseReceivedUrl(url: string): ReceivedUrl {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  const target = (authority === null ? url : url.slice(authority[0].length)).split('#', 1)[0] ?? '';
  const q = target.indexOf('?');
  const path = (q === -1 ? target : target.slice(0, q)) || '/';
  const entries = new Map<string, string[]>();
  if (q !== -1) {
    for (const pair of target.slice(q + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const key = decode(eq === -1 ? pair : pair.slice(0, eq));
      const value = decode(eq === -1 ? '' : pair.slice(eq + 1));
      const values = entries.get(key);
      if (values === undefined) entries.set(key, [value]);
      else values.push(value);
    }
  }
  // fromEntries defines own properties, so a parameter named `__proto__` cannot reach the prototype.
  const query = Object.fromEntries(
    [...entries].map(([key, values]) => [key, values.length === 1 ? (values[0] ?? '') : values]),
  );
  return { path, query };
}

/** The first value of a query parameter, if present. */
export function queryValue(query: QueryParameters, name: string): string | undefined {
  if (!Object.hasOwn(query, name)) return undefined;
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Headers under lower-case names (node:http already lower-cases them; a hand-built request may not).
 * A repeated header node:http hands over as an array is joined with commas, as SigV4 canonicalises it.
 */
export function lowerCaseHeaders(headers: IncomingHttpHeaders): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(',') : value;
    const key = name.toLowerCase();
    const previous = out.get(key);
    out.set(key, previous === undefined ? text : `${previous},${text}`);
  }
  return out;
}

/**
 * Query text is form-encoded (`application/x-www-form-urlencoded`): `+` stands for a space, as AWS's own
 * verifier reads it. Go's `url.Values.Encode` writes spaces as `+` (the stock ECS agent's handshake URL has
 * `dockerVersion=DockerVersion:+20.10.24`) and signs them as `%20`; the SDKs that mean a literal plus send `%2B`.
 */
function decode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    // A stray `%` cannot have been produced by a SigV4 signer; keep it verbatim and let the signature fail.
    return text;
  }
}

/**
 * Private registry credentials from the agent's configuration, in the formats of the ECS agent's
 * ECS_ENGINE_AUTH_DATA: `dockercfg` (`{"registry": {"auth": base64("user:password"), "email": "..."}}`) and
 * `docker` (`{"registry": {"username": "...", "password": "..."}}`); a Docker `config.json` with its
 * `{"auths": {...}}` wrapper is read as well, since that is the file an operator already has. Registry keys
 * may carry a scheme and path (`https://index.docker.io/v1/`): only host[:port] counts. Pure.
 */
import { DOCKER_HUB, normaliseRegistry, parseImageRef } from './image-ref.js';

/** The server address Docker's own clients send for Docker Hub. */
const DOCKER_HUB_SERVER_ADDRESS = 'https://index.docker.io/v1/';

/** What dockerd expects in X-Registry-Auth. */
export interface RegistryAuth {
  readonly username: string;
  readonly password: string;
  readonly email?: string;
  readonly serveraddress: string;
}

/** Credentials by normalised registry host. */
export type RegistryAuthTable = ReadonlyMap<string, RegistryAuth>;

export class RegistryAuthError extends Error {
  override readonly name = 'RegistryAuthError';
}

/** Parses the JSON text of a credentials file; throws RegistryAuthError naming the entry that is wrong. */
export function parseRegistryAuth(text: string): RegistryAuthTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new RegistryAuthError(`is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(parsed)) throw new RegistryAuthError('must hold a JSON object of registries');
  const entries = isObject(parsed.auths) ? parsed.auths : parsed;
  const table = new Map<string, RegistryAuth>();
  for (const [key, value] of Object.entries(entries)) {
    if (!isObject(value)) throw new RegistryAuthError(`has a non-object entry for "${key}"`);
    const registry = normaliseRegistry(key);
    if (registry === '') throw new RegistryAuthError(`has an entry without a registry name`);
    const email = typeof value.email === 'string' && value.email !== '' ? value.email : undefined;
    let username: string;
    let password: string;
    if (typeof value.username === 'string' && typeof value.password === 'string') {
      username = value.username;
      password = value.password;
    } else if (typeof value.auth === 'string') {
      const decoded = Buffer.from(value.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0)
        throw new RegistryAuthError(`has an "auth" for "${key}" that is not base64 of user:password`);
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    } else {
      throw new RegistryAuthError(`needs "auth" or "username" and "password" for "${key}"`);
    }
    table.set(registry, {
      username,
      password,
      ...(email !== undefined && { email }),
      serveraddress: registry === DOCKER_HUB ? DOCKER_HUB_SERVER_ADDRESS : registry,
    });
  }
  return table;
}

/** The credentials for the registry an image lives in, if the table has them. */
export function authForImage(table: RegistryAuthTable, image: string): RegistryAuth | undefined {
  return table.get(parseImageRef(image).registry);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

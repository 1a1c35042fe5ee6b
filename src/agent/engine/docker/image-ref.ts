/**
 * Image references as Docker reads them (`[registry[:port]/]path[:tag][@digest]`), reduced to what the
 * engine needs: which registry to authenticate against, and a reference that pulls exactly one image
 * (dockerd pulls every tag of a repository when asked for a reference without tag or digest). Pure.
 */

/** Docker Hub, the registry of references without a registry part, as Docker normalises it. */
export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

export interface ImageRef {
  /** Lowercase host[:port]; `docker.io` for Docker Hub. */
  readonly registry: string;
  /** Repository path without registry, tag or digest. */
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

export function parseImageRef(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let registry = DOCKER_HUB;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    // Docker's rule: the first component names a registry only if it looks like a host.
    if (
      first.includes('.') ||
      first.includes(':') ||
      first === 'localhost' ||
      first !== first.toLowerCase()
    ) {
      registry = normaliseRegistry(first);
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && !rest.slice(colon + 1).includes('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { registry, repository: rest, tag, digest };
}

/** The reference to pull: the given one, with `:latest` added when it names neither tag nor digest. */
export function pullReference(image: string): string {
  const ref = parseImageRef(image);
  return ref.tag === undefined && ref.digest === undefined ? `${image.trim()}:latest` : image.trim();
}

/**
 * A registry as written in a credentials file (`https://index.docker.io/v1/`, `registry.example.com:5000`,
 * `http://10.0.0.1:5000/v2/`) reduced to host[:port], Docker Hub's aliases to `docker.io`.
 */
export function normaliseRegistry(text: string): string {
  const host = text
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

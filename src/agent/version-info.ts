/**
 * RegisterContainerInstance's `versionInfo`: the agent's version, the commit it was built from when known,
 * and the Docker engine's version when the engine answers. Both extras are best effort, as in ECS: an agent
 * whose engine is slow to start must still register (and report the engine later, on its next start).
 */
import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import type { DockerEndpoint } from './config.js';

/** How long the engine gets to say its version; the ECS agent waits about as long before giving up on it. */
export const DOCKER_VERSION_TIMEOUT_MS = 2_000;
/** Git's default abbreviation. */
const SHORT_HASH_LENGTH = 7;

/** A dockerode client for the configured endpoint. */
export function dockerClient(endpoint: DockerEndpoint, timeoutMs?: number): Docker {
  const timeout = timeoutMs === undefined ? {} : { timeout: timeoutMs };
  return endpoint.kind === 'unix'
    ? new Docker({ socketPath: endpoint.socketPath, ...timeout })
    : new Docker({ protocol: endpoint.protocol, host: endpoint.host, port: endpoint.port, ...timeout });
}

/** The engine's version (e.g. `24.0.7`), or undefined if it does not answer within `timeoutMs`. */
export async function readDockerVersion(
  endpoint: DockerEndpoint,
  timeoutMs: number = DOCKER_VERSION_TIMEOUT_MS,
): Promise<string | undefined> {
  const docker = dockerClient(endpoint, timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    const answer = await Promise.race([docker.version().catch(() => undefined), gaveUp]);
    return typeof answer?.Version === 'string' && answer.Version !== '' ? answer.Version : undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The short commit hash of the checkout the agent runs from, read from `.git` without running git (which a
 * host need not have); undefined for an installed package or a detached copy.
 */
export function readAgentHash(packageRoot: URL = new URL('../../', import.meta.url)): string | undefined {
  const git = new URL('.git/', packageRoot);
  const read = (path: string) => {
    try {
      return readFileSync(new URL(path, git), 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const head = read('HEAD');
  if (head === undefined) return undefined;
  const ref = /^ref: (\S+)$/.exec(head)?.[1];
  const hash =
    ref === undefined
      ? head
      : (read(ref) ??
        read('packed-refs')
          ?.split('\n')
          .find((line) => line.endsWith(` ${ref}`))
          ?.split(' ')[0]);
  return hash !== undefined && /^[0-9a-f]{40,64}$/.test(hash) ? hash.slice(0, SHORT_HASH_LENGTH) : undefined;
}

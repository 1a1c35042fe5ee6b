/**
 * Named Docker errors, in the ECS agent's vocabulary (`agent/dockerclient/dockerapi/errors.go`): the name
 * is what a user sees at the start of a container's `reason` ("CannotPullContainerError: ..."), and
 * `retriable` tells the engine whether trying the same call again can help (dockerd busy or unreachable,
 * a registry hiccup) or cannot (no such image, a bad option).
 */

export const DOCKER_ERROR_NAMES = [
  'CannotPullContainerError',
  'CannotCreateContainerError',
  'CannotStartContainerError',
  'CannotStopContainerError',
  'CannotInspectContainerError',
  'CannotRemoveContainerError',
  'CannotListContainersError',
  'CannotInspectImageError',
  'CannotRemoveImageError',
  'CannotCreateVolumeError',
  'CannotInspectVolumeError',
  'CannotRemoveVolumeError',
  'CannotInspectNetworkError',
  'CannotGetDockerInfoError',
  'CannotGetStatsError',
  'CannotSubscribeEventsError',
  'DockerTimeoutError',
] as const;
export type DockerErrorName = (typeof DOCKER_ERROR_NAMES)[number];

/** The most a container's reason may hold (ECS Container.reason). */
export const MAX_REASON_LENGTH = 1024;

export class DockerError extends Error {
  override readonly name: DockerErrorName;
  /** Whether the same call may succeed if tried again. */
  readonly retriable: boolean;
  /** The HTTP status dockerd answered with, when it answered. */
  readonly statusCode: number | undefined;

  constructor(
    name: DockerErrorName,
    message: string,
    options: { retriable: boolean; statusCode?: number; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    this.retriable = options.retriable;
    this.statusCode = options.statusCode;
  }

  /** "Name: message", cut to what a container's reason may hold. */
  reason(): string {
    return truncateReason(`${this.name}: ${this.message}`);
  }
}

/** A call did not finish within its limit (see timeouts.ts). Retriable: dockerd may just be slow. */
export class DockerTimeoutError extends DockerError {
  readonly operation: string;
  readonly timeoutMs: number;
  constructor(operation: string, timeoutMs: number) {
    super('DockerTimeoutError', `docker ${operation} did not finish within ${formatMs(timeoutMs)}`, {
      retriable: true,
    });
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

export function truncateReason(reason: string): string {
  return reason.length <= MAX_REASON_LENGTH ? reason : `${reason.slice(0, MAX_REASON_LENGTH - 3)}...`;
}

export function isDockerError(e: unknown): e is DockerError {
  return e instanceof DockerError;
}

/** The reason to record for any failure: a DockerError's own, else the given name and the message. */
export function reasonOf(e: unknown, fallback: DockerErrorName): string {
  if (e instanceof DockerError) return e.reason();
  return truncateReason(`${fallback}: ${e instanceof Error ? e.message : String(e)}`);
}

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

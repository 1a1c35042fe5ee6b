/**
 * How long the engine waits for each Docker Engine API call before giving up with a DockerTimeoutError.
 * Every call has its own limit because their normal durations differ by orders of magnitude: an inspect
 * answers in milliseconds, a pull of a large image over a slow uplink can take an hour. The values follow
 * the ECS agent's (`agent/dockerclient/timeout.go`, `agent/config/config.go`), so a host that copes with the
 * ECS agent copes with Berth; the reason for each is beside it.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Overall limit of one pull (ECS_IMAGE_PULL_TIMEOUT): large images over edge uplinks are slow but finish. */
export const PULL_TIMEOUT_MS = 2 * 60 * MINUTE;
/**
 * A pull that has produced no progress for this long is stuck (ECS_IMAGE_PULL_INACTIVITY_TIMEOUT): dockerd
 * reports layer progress every few hundred milliseconds while bytes flow.
 */
export const PULL_INACTIVITY_TIMEOUT_MS = 1 * MINUTE;
/** ECS_CONTAINER_CREATE_TIMEOUT: create copies nothing but can wait on a busy storage driver. */
export const CREATE_TIMEOUT_MS = 4 * MINUTE;
/** ECS_CONTAINER_START_TIMEOUT: start sets up namespaces, cgroups, iptables; slow on loaded hosts. */
export const START_TIMEOUT_MS = 3 * MINUTE;
/**
 * Added to a container's stop timeout (the SIGTERM grace): dockerd answers a stop only after the grace
 * period, then needs a moment to SIGKILL and reap the process.
 */
export const STOP_TIMEOUT_BUFFER_MS = 30 * SECOND;
/** SIGKILL needs no grace; the limit only covers a dockerd that does not answer. */
export const KILL_TIMEOUT_MS = 30 * SECOND;
/** ECS's inspect timeout: reads in-memory state, so 30 s means dockerd is in trouble. */
export const INSPECT_TIMEOUT_MS = 30 * SECOND;
/** ECS's remove timeout: removing a container deletes its writable layer, which can be large. */
export const REMOVE_TIMEOUT_MS = 5 * MINUTE;
/** ECS's list timeout: on hosts with thousands of stopped containers a full listing is slow. */
export const LIST_TIMEOUT_MS = 10 * MINUTE;
/** Version and info are cheap; a dockerd that cannot answer them in 10 s is not usable. */
export const VERSION_TIMEOUT_MS = 10 * SECOND;
export const INFO_TIMEOUT_MS = 10 * SECOND;
/** One stats sample: dockerd needs two cgroup reads about a second apart. */
export const STATS_TIMEOUT_MS = 10 * SECOND;
/** ECS's volume timeouts: volume drivers may reach remote storage. */
export const VOLUME_TIMEOUT_MS = 5 * MINUTE;
/** Network inspect reads dockerd's own state. */
export const NETWORK_INSPECT_TIMEOUT_MS = 30 * SECOND;
/** ECS's image remove timeout: deletes layers from disk. */
export const REMOVE_IMAGE_TIMEOUT_MS = 3 * MINUTE;

/** The stop call's limit for a container given `stopTimeoutSeconds` of SIGTERM grace. */
export function stopCallTimeoutMs(stopTimeoutSeconds: number): number {
  return stopTimeoutSeconds * SECOND + STOP_TIMEOUT_BUFFER_MS;
}

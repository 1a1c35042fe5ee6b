/**
 * The control plane's session liveness numbers: how often it sends a heartbeat, and how long it waits for
 * anything at all from an agent before it drops the session. Validated here, once, for `server/config.ts`.
 */
import { formatDuration, parseDuration } from '../../util/duration.js';

/**
 * 20 s: the ECS agent closes a session that brings it no message for 60 s (+ up to 60 s jitter), and Berth's
 * agent does the same, so the heartbeat must come well inside 60 s even when one is delayed; 20 s leaves room
 * for two to be late and is what an idle fleet of thousands of hosts can afford.
 */
export const DEFAULT_HEARTBEAT_INTERVAL = '20s';

/**
 * 60 s: three heartbeat intervals. A partitioned host (half-open TCP: no FIN ever arrives) is marked
 * disconnected within this time; one or two acks lost or late do not flap `agentConnected`.
 */
export const DEFAULT_SESSION_TIMEOUT = '60s';

/** The agent's shortest read timeout: heartbeats must come more often than this or idle sessions churn. */
export const AGENT_READ_TIMEOUT_MS = 60_000;

/** Below this a heartbeat is a busy loop; tests use a few hundred milliseconds. */
const MIN_HEARTBEAT_MS = 10;

export interface SessionTimings {
  readonly heartbeatIntervalMs: number;
  readonly sessionTimeoutMs: number;
}

/** The timings, or the message naming the fix. */
export function sessionTimings(heartbeat: string, timeout: string): SessionTimings | string {
  const heartbeatIntervalMs = parseDuration(heartbeat);
  if (heartbeatIntervalMs === undefined || heartbeatIntervalMs < MIN_HEARTBEAT_MS) {
    return `--heartbeat-interval '${heartbeat}' must be a duration like 20s or 500ms (at least ${MIN_HEARTBEAT_MS}ms).`;
  }
  if (heartbeatIntervalMs >= AGENT_READ_TIMEOUT_MS) {
    return (
      `--heartbeat-interval '${heartbeat}' must be below ${formatDuration(AGENT_READ_TIMEOUT_MS)}: agents ` +
      `close a session that brings them no message for that long. The default is ${DEFAULT_HEARTBEAT_INTERVAL}.`
    );
  }
  const sessionTimeoutMs = parseDuration(timeout);
  if (sessionTimeoutMs === undefined || sessionTimeoutMs <= heartbeatIntervalMs) {
    return (
      `--session-timeout '${timeout}' must be a duration longer than the heartbeat interval ` +
      `(${formatDuration(heartbeatIntervalMs)}), e.g. three intervals; the default is ${DEFAULT_SESSION_TIMEOUT}.`
    );
  }
  return { heartbeatIntervalMs, sessionTimeoutMs };
}

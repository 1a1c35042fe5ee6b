/**
 * The gateway's Prometheus metrics, registered on the server's registry (one registry per server, never
 * prom-client's global one, so several servers in one process — tests, benchmarks — don't collide).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Why a session ended; a closed set, so the `reason` label cannot grow without bound. */
export const SESSION_CLOSE_REASONS = [
  /** The agent closed the socket, or its host's kernel did (the agent process died). */
  'agent_closed',
  /** Nothing arrived from the agent within the session timeout (a partition: half-open TCP). */
  'timeout',
  /** A newer session of the same container instance took over. */
  'replaced',
  /** The control plane is stopping. */
  'server_stop',
  /** Closed after an error message, e.g. the instance was deregistered. */
  'error',
  /** Closed on request of another part of the control plane (`closeInstanceSessions`). */
  'closed_by_control_plane',
] as const;
export type SessionCloseReason = (typeof SESSION_CLOSE_REASONS)[number];

export interface SessionMetrics {
  readonly sessions: Gauge;
  readonly heartbeatRtt: Histogram;
  readonly opened: Counter;
  readonly closed: Counter<'reason'>;
}

/**
 * Round trips within a site are a few hundred microseconds (the fleet benchmark measures them on loopback);
 * on a busy LAN about a millisecond; across a WAN or a congested uplink, tens to hundreds; past a few seconds
 * a session is close to its timeout. The buckets cover that range, finely enough below a millisecond that
 * p50 and p99 of a healthy site do not fall into one bucket.
 */
const RTT_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export function createSessionMetrics(registry: Registry): SessionMetrics {
  const registers = [registry];
  const closed = new Counter({
    name: 'berth_session_closed_total',
    help: 'Agent sessions closed, by reason.',
    labelNames: ['reason'] as const,
    registers,
  });
  // Zero for every reason from the start, so rates and alerts work before the first close of a kind.
  for (const reason of SESSION_CLOSE_REASONS) closed.inc({ reason }, 0);
  return {
    sessions: new Gauge({
      name: 'berth_agent_sessions',
      help: 'Agent sessions currently open.',
      registers,
    }),
    heartbeatRtt: new Histogram({
      name: 'berth_heartbeat_rtt_seconds',
      help: 'Time from sending a HeartbeatMessage to receiving its HeartbeatAckRequest.',
      buckets: RTT_BUCKETS,
      registers,
    }),
    opened: new Counter({
      name: 'berth_session_opened_total',
      help: 'Agent sessions opened.',
      registers,
    }),
    closed,
  };
}

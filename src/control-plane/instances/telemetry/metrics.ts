/**
 * The telemetry sessions' Prometheus metrics, on the server's registry: how many sessions are open, what
 * arrived, and the latest task and instance figures from `TelemetryStats`, read when `/metrics` is scraped.
 *
 * Label sets stay bounded: `type` is a closed set; task and container labels exist only for entries the
 * stats cache holds (at most its `maxContainers`, each gone a minute after its last publication); the
 * cluster is its name and the task its id, not the long ARNs.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { TELEMETRY_AGENT_MESSAGE_TYPES } from '../../../acs/telemetry-codec.js';
import type { TelemetryStats } from './stats-cache.js';

/** What a received frame is counted as: its type, or `invalid` when it did not decode. */
export type ReceivedLabel = keyof typeof TELEMETRY_AGENT_MESSAGE_TYPES | 'invalid';

export interface TelemetryMetrics {
  readonly sessions: Gauge;
  readonly received: Counter<'type'>;
}

const lastSegment = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

export function createTelemetryMetrics(registry: Registry, stats: TelemetryStats): TelemetryMetrics {
  const registers = [registry];
  const received = new Counter({
    name: 'berth_telemetry_messages_total',
    help: 'Telemetry (TCS) frames received from agents, by message type (invalid: dropped undecoded).',
    labelNames: ['type'] as const,
    registers,
  });
  for (const type of [...Object.keys(TELEMETRY_AGENT_MESSAGE_TYPES), 'invalid']) received.inc({ type }, 0);
  new Gauge({
    name: 'berth_task_cpu_utilization',
    help: 'CPU of a task container in percent of one CPU (100 = one core), the mean of its last publication.',
    labelNames: ['cluster', 'task', 'container'] as const,
    registers,
    collect() {
      this.reset();
      for (const c of stats.containers()) {
        if (c.cpuPercent === undefined) continue;
        this.set(labels(c), c.cpuPercent);
      }
    },
  });
  new Gauge({
    name: 'berth_task_memory_bytes',
    help: 'Memory used by a task container, the mean of its last publication.',
    labelNames: ['cluster', 'task', 'container'] as const,
    registers,
    collect() {
      this.reset();
      for (const c of stats.containers()) {
        if (c.memoryBytes === undefined) continue;
        this.set(labels(c), c.memoryBytes);
      }
    },
  });
  new Gauge({
    name: 'berth_instance_filesystem_utilization',
    help: "A container instance's filesystem use in percent (os: the root filesystem, data: Docker's).",
    labelNames: ['cluster', 'container_instance', 'filesystem'] as const,
    registers,
    collect() {
      this.reset();
      for (const i of stats.instances()) {
        const base = {
          cluster: lastSegment(i.clusterArn),
          container_instance: lastSegment(i.containerInstanceArn),
        };
        if (i.osFilesystemPercent !== undefined)
          this.set({ ...base, filesystem: 'os' }, i.osFilesystemPercent);
        if (i.dataFilesystemPercent !== undefined)
          this.set({ ...base, filesystem: 'data' }, i.dataFilesystemPercent);
      }
    },
  });
  return {
    sessions: new Gauge({
      name: 'berth_telemetry_sessions',
      help: 'Telemetry (TCS) sessions currently open.',
      registers,
    }),
    received,
  };
}

function labels(c: { clusterArn: string; taskArn: string; containerName: string }) {
  return { cluster: lastSegment(c.clusterArn), task: lastSegment(c.taskArn), container: c.containerName };
}

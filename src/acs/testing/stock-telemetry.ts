/**
 * Test fixtures: telemetry (TCS) traffic as the stock amazon-ecs-agent writes it (agent 1.105.x, read from its
 * stats engine and TCS client): the handshake query, and frames whose envelope is preceded by the SigV4 header
 * block the agent signs every frame with. Members are those the Go structs carry, timestamps are epoch seconds
 * with milliseconds, and absent values are left out (Go's `omitempty`).
 */
import { goSignedGet, type GoCredentials } from '../../sigv4/testing/go-signer.js';

export interface StockTelemetryIdentity {
  /** As configured (ECS_CLUSTER): a name, e.g. `default`. */
  readonly cluster: string;
  readonly containerInstanceArn: string;
}

/** The TCS handshake query, member for member (bare docker version, unlike ACS's). */
export function stockTelemetryQuery(id: StockTelemetryIdentity): Record<string, string> {
  return {
    agentHash: 'a8b3e7d3',
    agentVersion: '1.105.1',
    cluster: id.cluster,
    containerInstance: id.containerInstanceArn,
    dockerVersion: '20.10.24+dfsg1',
  };
}

/** Go's `time.Time` written by the agent's timestamp type: seconds with milliseconds. */
export function goTimestamp(at: Date): number {
  return at.getTime() / 1000;
}

export interface StockContainerStats {
  readonly containerName: string;
  /** Percent of one CPU, averaged over the interval. */
  readonly cpuPercent: number;
  readonly memoryMiB: number;
}

/** Stats over a 20 s interval sampled every second (the agent's `CWStatsSet`), all samples equal. */
function statsSet(value: number) {
  return { max: value, min: value, sampleCount: 20, sum: value * 20 };
}

export function stockPublishMetrics(
  id: StockTelemetryIdentity,
  tasks: readonly { readonly taskArn: string; readonly containers: readonly StockContainerStats[] }[],
  at: Date,
): string {
  return JSON.stringify({
    type: 'PublishMetricsRequest',
    message: {
      instanceMetrics: { storage: { DataFilesystem: 41.5, OSFilesystem: 17.25 } },
      metadata: {
        cluster: id.cluster,
        containerInstance: id.containerInstanceArn,
        fin: true,
        idle: tasks.length === 0,
        messageId: '7d1cbd0e-59c6-4a1a-9a0e-4c1a1e7d5a01',
      },
      taskMetrics: tasks.map((t) => ({
        containerMetrics: t.containers.map((c) => ({
          containerName: c.containerName,
          cpuStatsSet: statsSet(c.cpuPercent),
          memoryStatsSet: statsSet(c.memoryMiB),
          storageStatsSet: {
            readSizeBytes: { max: 0, min: 0, sampleCount: 20, sum: 0 },
            writeSizeBytes: { max: 4096, min: 0, sampleCount: 20, sum: 8192 },
          },
        })),
        taskArn: t.taskArn,
        taskDefinitionFamily: 'web',
        taskDefinitionVersion: '1',
      })),
      timestamp: goTimestamp(at),
    },
  });
}

export function stockPublishHealth(
  id: StockTelemetryIdentity,
  tasks: readonly {
    readonly taskArn: string;
    readonly containers: readonly { readonly containerName: string; readonly healthStatus: string }[];
  }[],
  at: Date,
): string {
  return JSON.stringify({
    type: 'PublishHealthRequest',
    message: {
      metadata: {
        cluster: id.cluster,
        containerInstance: id.containerInstanceArn,
        fin: true,
        messageId: '0b9f6f7e-3c1e-4e55-a3a8-6d1b3b0e9c02',
      },
      tasks: tasks.map((t) => ({
        containers: t.containers.map((c) => ({ ...c, statusSince: goTimestamp(at) })),
        taskArn: t.taskArn,
        taskDefinitionFamily: 'web',
        taskDefinitionVersion: '1',
      })),
      timestamp: goTimestamp(at),
    },
  });
}

export function stockPublishInstanceStatus(id: StockTelemetryIdentity, at: Date): string {
  return JSON.stringify({
    type: 'PublishInstanceStatusRequest',
    message: {
      metadata: {
        cluster: id.cluster,
        containerInstance: id.containerInstanceArn,
        requestId: '5e2a1c44-8f7b-4d0c-9d7e-1f2a3b4c5d03',
      },
      statuses: [
        {
          lastStatusChange: goTimestamp(at),
          lastUpdated: goTimestamp(at),
          status: 'OK',
          type: 'DOCKER_RUNTIME',
        },
      ],
      timestamp: goTimestamp(at),
    },
  });
}

export interface FrameSigning {
  readonly credentials: GoCredentials;
  readonly host: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly region?: string;
  readonly date: Date;
}

/**
 * A frame as the agent's TCS client writes it: the request signed over the envelope, its headers in Go's
 * `Header.Write` form (canonical names, sorted), a blank line, then the envelope.
 */
export function signedTelemetryFrame(envelope: string, signing: FrameSigning): string {
  const signed = goSignedGet({ ...signing, body: envelope });
  const headers: Record<string, string> = {
    Authorization: String(signed.headers.authorization),
    Host: signing.host,
    'X-Amz-Date': String(signed.headers['x-amz-date']),
  };
  const token = signed.headers['x-amz-security-token'];
  if (typeof token === 'string') headers['X-Amz-Security-Token'] = token;
  const block = Object.keys(headers)
    .sort()
    .map((k) => `${k}: ${headers[k] ?? ''}\r\n`)
    .join('');
  return `${block}\r\n${envelope}`;
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shapeNamed } from '../../ecs/model/service-model.js';
import {
  TELEMETRY_AGENT_MESSAGE_TYPES,
  TELEMETRY_SERVER_MESSAGE_TYPES,
  decodeTelemetryAgentFrame,
  decodeTelemetryServerFrame,
  encodeTelemetryEnvelope,
} from '../telemetry-codec.js';
import {
  signedTelemetryFrame,
  stockPublishHealth,
  stockPublishInstanceStatus,
  stockPublishMetrics,
  stockTelemetryQuery,
} from '../testing/stock-telemetry.js';
import type {
  ContainerHealth,
  ContainerMetric,
  InstanceStatus,
  MetricsMetadata,
  PublishHealthRequest,
  PublishInstanceStatusRequest,
  PublishMetricsRequest,
  TaskHealth,
  TaskMetric,
} from '../telemetry.js';
import { tcsModel } from './load-model.js';

const ID = {
  cluster: 'default',
  containerInstanceArn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/default/0f1e2d3c',
};
const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/default/5f0e';
const AT = new Date('2026-05-09T14:47:58.031Z');

/** Every member of T, so that leaving one out of a list below is a type error. */
type Members<T> = { readonly [K in keyof Required<T>]: true };
const TYPED: Record<string, Members<unknown> | undefined> = {
  PublishMetricsRequest: {
    metadata: true,
    instanceMetrics: true,
    taskMetrics: true,
    timestamp: true,
  } satisfies Members<PublishMetricsRequest>,
  MetricsMetadata: {
    cluster: true,
    containerInstance: true,
    messageId: true,
    idle: true,
    fin: true,
  } satisfies Members<MetricsMetadata>,
  TaskMetric: {
    taskArn: true,
    clusterArn: true,
    taskDefinitionFamily: true,
    taskDefinitionVersion: true,
    containerMetrics: true,
    ephemeralStorageMetrics: true,
    volumeMetrics: true,
    serviceConnectMetricsWrapper: true,
  } satisfies Members<TaskMetric>,
  ContainerMetric: {
    containerArn: true,
    containerName: true,
    cpuStatsSet: true,
    memoryStatsSet: true,
    networkStatsSet: true,
    storageStatsSet: true,
    restartStatsSet: true,
    generalMetricsPayload: true,
  } satisfies Members<ContainerMetric>,
  PublishHealthRequest: {
    metadata: true,
    tasks: true,
    timestamp: true,
  } satisfies Members<PublishHealthRequest>,
  TaskHealth: {
    taskArn: true,
    clusterArn: true,
    taskDefinitionFamily: true,
    taskDefinitionVersion: true,
    containers: true,
  } satisfies Members<TaskHealth>,
  ContainerHealth: {
    containerName: true,
    healthStatus: true,
    statusSince: true,
    statusMessage: true,
  } satisfies Members<ContainerHealth>,
  PublishInstanceStatusRequest: {
    metadata: true,
    statuses: true,
    timestamp: true,
  } satisfies Members<PublishInstanceStatusRequest>,
  InstanceStatus: {
    type: true,
    status: true,
    statusReason: true,
    lastUpdated: true,
    lastStatusChange: true,
  } satisfies Members<InstanceStatus>,
};

describe('the telemetry (TCS) model', () => {
  it('has a structure for every message type each side accepts, named like the type', () => {
    for (const type of [
      ...Object.keys(TELEMETRY_AGENT_MESSAGE_TYPES),
      ...Object.keys(TELEMETRY_SERVER_MESSAGE_TYPES),
    ]) {
      assert.equal(shapeNamed(tcsModel, type).type, 'structure', type);
    }
  });

  it('agrees with the TypeScript types on the members of the structures the control plane reads', () => {
    for (const [name, members] of Object.entries(TYPED)) {
      const shape = shapeNamed(tcsModel, name);
      assert.equal(shape.type, 'structure');
      if (shape.type !== 'structure') continue;
      assert.deepEqual(Object.keys(members ?? {}).sort(), Object.keys(shape.members).sort(), name);
    }
  });

  it('accepts the frames the stock agent writes, signed header block and all', () => {
    const signing = {
      credentials: { accessKeyId: 'ASIAGOAGENT000000001', secretAccessKey: 'secret', sessionToken: 'token' },
      host: '127.0.0.1:4650',
      path: '/tcs/ws',
      query: stockTelemetryQuery(ID),
      date: AT,
    };
    const metrics = stockPublishMetrics(
      ID,
      [{ taskArn: TASK, containers: [{ containerName: 'web', cpuPercent: 12.5, memoryMiB: 40 }] }],
      AT,
    );
    const health = stockPublishHealth(
      ID,
      [{ taskArn: TASK, containers: [{ containerName: 'web', healthStatus: 'HEALTHY' }] }],
      AT,
    );
    for (const envelope of [metrics, health, stockPublishInstanceStatus(ID, AT)]) {
      const frame = signedTelemetryFrame(envelope, signing);
      assert.match(
        frame,
        /^Authorization: AWS4-HMAC-SHA256 .*\r\nHost: .*\r\nX-Amz-Date: .*\r\n.*\r\n\r\n\{/s,
      );
      const decoded = decodeTelemetryAgentFrame(frame);
      assert.deepEqual(decoded, { ok: true, envelope: JSON.parse(envelope) as unknown });
      // An unsigned envelope (a tool, a test) is read the same.
      assert.deepEqual(decodeTelemetryAgentFrame(envelope), decoded);
    }
  });

  it('refuses a frame that does not fit, naming the member', () => {
    const frame = (type: string, message: unknown) => JSON.stringify({ type, message });
    for (const [text, error] of [
      [
        frame('PublishHealthRequest', { tasks: [{ containers: [{ healthStatus: 'SICK' }] }] }),
        "PublishHealthRequest: Invalid value 'SICK' for 'tasks[0].containers[0].healthStatus'. Valid values: HEALTHY, UNHEALTHY, UNKNOWN.",
      ],
      [
        frame('PublishMetricsRequest', {
          taskMetrics: [{ containerMetrics: [{ cpuStatsSet: { sum: '1' } }] }],
        }),
        'PublishMetricsRequest: Unexpected value at \'taskMetrics[0].containerMetrics[0].cpuStatsSet.sum\': expected a number, got the string "1".',
      ],
      [frame('HeartbeatMessage', { healthy: true }), 'unknown message type "HeartbeatMessage"'],
      ['Authorization: x\r\n\r\nnot json', 'frame is not JSON'],
    ] as const) {
      assert.deepEqual(decodeTelemetryAgentFrame(text), { ok: false, error });
    }
  });

  it('lets an agent read what the control plane sends', () => {
    for (const envelope of [
      { type: 'HeartbeatMessage', message: { healthy: true } },
      { type: 'AckPublishHealth', message: { message: 'm-1' } },
    ] as const) {
      assert.deepEqual(decodeTelemetryServerFrame(encodeTelemetryEnvelope(envelope)), { ok: true, envelope });
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shapeNamed } from '../../ecs/model/service-model.js';
import {
  AGENT_MESSAGE_TYPES,
  SERVER_MESSAGE_TYPES,
  decodeAgentEnvelope,
  decodeServerEnvelope,
  encodeEnvelope,
} from '../codec.js';
import type { AgentToServer, ServerToAgent } from '../messages.js';
import type { AcsTask, TaskIdentifier } from '../payload.js';
import { acsModel } from './load-model.js';

/** Every member present, at every depth: TypeScript then refuses a sample that leaves one out. */
type Complete<T> = T extends readonly (infer U)[]
  ? readonly Complete<U>[]
  : T extends object
    ? { readonly [K in keyof T]-?: Complete<T[K]> }
    : T;

const CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/edge';
const INSTANCE = 'arn:aws:ecs:us-east-1:123456789012:container-instance/edge/0123abcd';
const TASK_ARN = 'arn:aws:ecs:us-east-1:123456789012:task/edge/5f0e';

const IDENTIFIER: Complete<TaskIdentifier> = {
  taskArn: TASK_ARN,
  taskClusterArn: CLUSTER,
  desiredStatus: 'RUNNING',
};

const TASK: Complete<AcsTask> = {
  arn: TASK_ARN,
  taskClusterArn: CLUSTER,
  family: 'web',
  version: '3',
  desiredStatus: 'RUNNING',
  containers: [
    {
      name: 'nginx',
      containerArn: `${TASK_ARN}/nginx`,
      image: 'nginx:1.27',
      command: ['nginx', '-g', 'daemon off;'],
      entryPoint: ['/docker-entrypoint.sh'],
      cpu: 256,
      memory: 512,
      memoryReservation: 128,
      environment: { MODE: 'edge' },
      essential: true,
      links: ['db:db'],
      portMappings: [{ containerPort: 80, hostPort: 8080, containerPortRange: '', protocol: 'tcp' }],
      mountPoints: [{ sourceVolume: 'data', containerPath: '/data', readOnly: false }],
      volumesFrom: [{ sourceContainer: 'db', readOnly: true }],
      dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }],
      privileged: false,
      dockerConfig: { version: '1.41', config: '{"User":"nginx"}', hostConfig: '{"ReadonlyRootfs":true}' },
      healthCheckType: 'docker',
      startTimeout: 30,
      stopTimeout: 10,
      restartPolicy: { enabled: true, ignoredExitCodes: [0], restartAttemptPeriod: 300 },
    },
  ],
  volumes: [
    {
      name: 'data',
      type: 'docker',
      host: { sourcePath: '/srv/data' },
      dockerVolumeConfiguration: {
        scope: 'shared',
        autoprovision: true,
        driver: 'local',
        driverOpts: { type: 'tmpfs' },
        labels: { team: 'edge' },
      },
    },
  ],
  networkMode: 'bridge',
  cpu: 0.5,
  memory: 1024,
  launchType: 'EXTERNAL',
  serviceName: 'web',
  group: 'service:web',
  stoppedReason: 'Scaling down',
  // Clock-based, like the control plane's sequence numbers: beyond a 32-bit integer.
  desiredStatusSeq: 1_760_000_000_000,
};

const error = { message: 'went wrong' } as const;

/** A complete sample of every message each way; a type added to the protocol without one is a type error. */
const SERVER_SAMPLES: { readonly [K in keyof ServerToAgent]: Complete<ServerToAgent[K]> } = {
  HeartbeatMessage: { healthy: true, messageId: 'hb-1' },
  PayloadMessage: {
    messageId: 'p-1',
    clusterArn: CLUSTER,
    containerInstanceArn: INSTANCE,
    tasks: [TASK],
    generatedAt: 1_760_000_000_000,
    seqNum: 1_760_000_000_001,
  },
  TaskManifestMessage: {
    messageId: 'm-1',
    clusterArn: CLUSTER,
    containerInstanceArn: INSTANCE,
    tasks: [IDENTIFIER],
    generatedAt: 1_760_000_000_000,
    timeline: 1_760_000_000_002,
  },
  TaskStopVerificationAck: { messageId: 'm-1', generatedAt: 1_760_000_000_000, stopTasks: [IDENTIFIER] },
  CloseMessage: { message: 'shutting down' },
  ServerException: error,
  BadRequestException: error,
  InvalidClusterException: error,
  InvalidInstanceException: error,
  AccessDeniedException: error,
  InactiveInstanceException: error,
  ErrorMessage: error,
};

const AGENT_SAMPLES: { readonly [K in keyof AgentToServer]: Complete<AgentToServer[K]> } = {
  HeartbeatAckRequest: { messageId: 'hb-1' },
  AckRequest: { cluster: CLUSTER, containerInstance: INSTANCE, messageId: 'p-1' },
  NackRequest: { cluster: CLUSTER, containerInstance: INSTANCE, messageId: 'p-1', reason: 'disk full' },
  TaskStopVerificationMessage: { messageId: 'm-1', stopCandidates: [IDENTIFIER] },
};

/**
 * Asserts that the sample has exactly the members the model's shape has, at every depth. Lists of
 * structures must hold an item, so that no nested structure goes unchecked.
 */
function assertSameMembers(shapeName: string, value: unknown, path: string): void {
  const shape = shapeNamed(acsModel, shapeName);
  if (shape.type === 'structure') {
    const object = value as Record<string, unknown>;
    assert.deepEqual(
      Object.keys(object).sort(),
      Object.keys(shape.members).sort(),
      `${path}: the TypeScript type and the model's ${shapeName} differ`,
    );
    for (const [name, ref] of Object.entries(shape.members))
      assertSameMembers(ref.shape, object[name], `${path}.${name}`);
  } else if (shape.type === 'list') {
    const items = value as readonly unknown[];
    if (shapeNamed(acsModel, shape.member.shape).type === 'structure')
      assert.ok(items.length > 0, `${path}: the sample list is empty, so its items go unchecked`);
    items.forEach((item, i) => assertSameMembers(shape.member.shape, item, `${path}[${i}]`));
  } else if (shape.type === 'map') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      assertSameMembers(shape.value.shape, v, `${path}[${k}]`);
  }
}

describe('the agent protocol model', () => {
  it('has a structure for every message type each side accepts, named like the type', () => {
    for (const type of [...Object.keys(SERVER_MESSAGE_TYPES), ...Object.keys(AGENT_MESSAGE_TYPES)]) {
      assert.equal(shapeNamed(acsModel, type).type, 'structure', type);
    }
  });

  for (const [type, message] of Object.entries(SERVER_SAMPLES)) {
    it(`agrees with the TypeScript type of ${type}, and the agent accepts it`, () => {
      assertSameMembers(type, message, type);
      const envelope = { type, message } as Parameters<typeof encodeEnvelope>[0];
      assert.deepEqual(decodeServerEnvelope(encodeEnvelope(envelope)), { ok: true, envelope });
    });
  }

  for (const [type, message] of Object.entries(AGENT_SAMPLES)) {
    it(`agrees with the TypeScript type of ${type}, and the control plane accepts it`, () => {
      assertSameMembers(type, message, type);
      const envelope = { type, message } as Parameters<typeof encodeEnvelope>[0];
      assert.deepEqual(decodeAgentEnvelope(encodeEnvelope(envelope)), { ok: true, envelope });
    });
  }
});

describe('a message that does not fit the model', () => {
  const frame = (type: string, message: unknown) => JSON.stringify({ type, message });
  const payloadWith = (patch: (task: Record<string, unknown>) => Record<string, unknown>) =>
    frame('PayloadMessage', { ...SERVER_SAMPLES.PayloadMessage, tasks: [patch({ ...TASK })] });
  const container = TASK.containers[0];

  it('is refused by the agent, the error naming the member', () => {
    for (const [text, error] of [
      [
        frame('HeartbeatMessage', { messageId: 7 }),
        "HeartbeatMessage: Unexpected value at 'messageId': expected a string, got the number 7.",
      ],
      [
        frame('TaskManifestMessage', { messageId: 'm', tasks: [], timeline: '12' }),
        'TaskManifestMessage: Unexpected value at \'timeline\': expected an integer, got the string "12".',
      ],
      [frame('TaskStopVerificationAck', { messageId: 'm' }), 'TaskStopVerificationAck lacks stopTasks'],
      [frame('InactiveInstanceException', {}), 'InactiveInstanceException lacks message'],
      [
        payloadWith((t) => ({ ...t, containers: [{ ...container, essential: 'yes' }] })),
        'PayloadMessage: Unexpected value at \'tasks[0].containers[0].essential\': expected a boolean (true or false), got the string "yes".',
      ],
      [
        payloadWith((t) => ({ ...t, containers: [{ ...container, portMappings: [{ protocol: 'sctp' }] }] })),
        "PayloadMessage: Invalid value 'sctp' for 'tasks[0].containers[0].portMappings[0].protocol'. Valid values: tcp, udp.",
      ],
      [
        payloadWith((t) => ({ ...t, containers: [{ ...container, environment: { SECRET: 42 } }] })),
        // Environment values may be secrets: the model marks them sensitive, so the value is not shown.
        'PayloadMessage: Unexpected value at \'tasks[0].containers[0].environment["SECRET"]\': expected a string, got a number.',
      ],
    ] as const) {
      assert.deepEqual(decodeServerEnvelope(text), { ok: false, error });
    }
  });

  it('is refused by the control plane, the error naming the member', () => {
    for (const [text, error] of [
      [frame('AckRequest', { cluster: CLUSTER }), 'AckRequest lacks messageId'],
      [frame('NackRequest', { messageId: 'p-1' }), 'NackRequest lacks reason'],
      [
        frame('TaskStopVerificationMessage', { messageId: 'm', stopCandidates: [{ taskArn: ['a'] }] }),
        "TaskStopVerificationMessage: Unexpected value at 'stopCandidates[0].taskArn': expected a string, got a list.",
      ],
      [
        frame('HeartbeatAckRequest', ['hb-1']),
        "HeartbeatAckRequest: Unexpected value at '': expected an object, got a list.",
      ],
    ] as const) {
      assert.deepEqual(decodeAgentEnvelope(text), { ok: false, error });
    }
  });

  it('is not refused for members the model does not know, or for null ones, as a newer peer may send them', () => {
    const message = { messageId: 'hb-1', healthy: null, attachments: [{ anything: 1 }] };
    assert.deepEqual(decodeServerEnvelope(frame('HeartbeatMessage', message)), {
      ok: true,
      envelope: { type: 'HeartbeatMessage', message },
    });
  });

  it('leaves a task it cannot run to the payload responder (nothing in a task is required)', () => {
    const decoded = decodeServerEnvelope(payloadWith(() => ({ desiredStatus: 'PENDING', containers: [] })));
    assert.equal(decoded.ok, true);
  });

  it('is an unknown type when named like an Object.prototype member', () => {
    assert.deepEqual(decodeAgentEnvelope(frame('constructor', {})), {
      ok: false,
      error: 'unknown message type "constructor"',
    });
  });
});

import { describe, it } from 'node:test';
import type { RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { validateTaskDefinitionInput } from './index.js';
import {
  everyFieldRequest,
  kitchenSinkExternal,
  nginxAnnouncement,
  sidecarContainer,
} from './testing/fixtures.js';
import type { Case } from './testing/cases.js';
import { base, C, P, refuses, side, web } from './testing/cases.js';

const cases: Case[] = [
  // Size, names, tags, counts.
  [
    'size over 64 KiB',
    (i) => (web(i).environment = [{ name: 'BIG', value: 'x'.repeat(70_000) }]),
    C,
    'exceeds the limit of 65536 bytes',
  ],
  ['family with a space', (i) => (i.family = 'my shop'), P, 'Family must be 1-255 characters'],
  ['family of 256 characters', (i) => (i.family = 'f'.repeat(256)), P, 'Family must be'],
  ['family missing', (i) => (i.family = undefined), P, 'it is empty'],
  [
    'reserved tag key',
    (i) => (i.tags = [{ key: 'aws:owner', value: 'x' }]),
    P,
    "starting with 'aws:' are reserved",
  ],
  [
    'duplicate tag key',
    (i) =>
      (i.tags = [
        { key: 'a', value: '1' },
        { key: 'a', value: '2' },
      ]),
    P,
    'more than once',
  ],
  ['no containers', (i) => (i.containerDefinitions = []), C, 'at least one container'],
  ['containers missing', (i) => (i.containerDefinitions = undefined), C, 'at least one container'],
  [
    'eleven containers',
    (i) =>
      (i.containerDefinitions = Array.from({ length: 11 }, (_, n) => ({ name: `c${n}`, image: 'busybox' }))),
    C,
    'Too many containers: 11 given',
  ],
  [
    'container without a name',
    (i) => (web(i).name = undefined),
    C,
    'Container.name should not be null or empty',
  ],
  [
    'container name with a space',
    (i) => (web(i).name = 'my web'),
    P,
    'Container name must be 1-255 characters',
  ],
  [
    'duplicate container names',
    (i) => (side(i).name = 'web'),
    C,
    "Container name 'web' is used more than once",
  ],
  // Essential.
  ['no essential container', (i) => (web(i).essential = false), C, 'at least one essential container'],
  // Launch types.
  [
    'awsvpc on EXTERNAL',
    (i) => (i.networkMode = 'awsvpc'),
    C,
    "Network mode 'awsvpc' is not supported on EXTERNAL",
  ],
  [
    'EFS on EXTERNAL',
    (i) => (i.volumes = [{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }]),
    C,
    "Volume 'data' uses efsVolumeConfiguration",
  ],
  [
    'FSx on EXTERNAL',
    (i) =>
      (i.volumes = [
        {
          name: 'data',
          fsxWindowsFileServerVolumeConfiguration: {
            fileSystemId: 'fs-1',
            rootDirectory: '\\',
            authorizationConfig: { credentialsParameter: 'p', domain: 'd' },
          },
        },
      ]),
    C,
    'fsxWindowsFileServerVolumeConfiguration',
  ],
  [
    'EBS at launch on EXTERNAL',
    (i) => (i.volumes = [{ name: 'data', configuredAtLaunch: true }]),
    C,
    'configuredAtLaunch',
  ],
  [
    'App Mesh on EXTERNAL',
    (i) => (i.proxyConfiguration = { type: 'APPMESH', containerName: 'sidecar' }),
    C,
    'proxyConfiguration (App Mesh) is not supported on EXTERNAL',
  ],
  [
    'Fargate in bridge mode',
    (i) => (i.requiresCompatibilities = ['FARGATE']),
    C,
    "Fargate only supports network mode 'awsvpc'.",
  ],
  [
    'Fargate without task cpu',
    (i) => {
      i.requiresCompatibilities = ['FARGATE'];
      i.networkMode = 'awsvpc';
      i.cpu = undefined;
      web(i).portMappings = [{ containerPort: 80 }];
    },
    C,
    "Fargate requires that 'cpu' be defined at the task level.",
  ],
  [
    'Fargate size that does not exist',
    (i) => {
      i.requiresCompatibilities = ['FARGATE'];
      i.networkMode = 'awsvpc';
      i.cpu = '256';
      i.memory = '4096';
      web(i).cpu = 0;
      web(i).portMappings = [{ containerPort: 80 }];
    },
    C,
    'No Fargate configuration exists for given values: 256 CPU, 4096 memory.',
  ],
  [
    'Fargate stop timeout above 120',
    (i) => {
      i.requiresCompatibilities = ['FARGATE'];
      i.networkMode = 'awsvpc';
      web(i).portMappings = [{ containerPort: 80 }];
      i.memory = '2048';
      i.volumes = [{ name: 'data' }];
      web(i).stopTimeout = 200;
    },
    C,
    'the valid values for Fargate are 2-120 seconds',
  ],
  // Volumes and mount points.
  [
    'mount of an unknown volume',
    (i) => (web(i).mountPoints = [{ sourceVolume: 'logs', containerPath: '/logs' }]),
    C,
    "sourceVolume 'logs' is not a volume of the task",
  ],
  [
    'mount without a path',
    (i) => (web(i).mountPoints = [{ sourceVolume: 'data' }]),
    C,
    "needs a 'containerPath'",
  ],
  [
    'volume name with a slash',
    (i) => (i.volumes = [{ name: 'a/b' }]),
    P,
    'Volume name must be 1-255 characters',
  ],
  ['volume without a name', (i) => (i.volumes = [{ host: {} }]), P, 'Volume name must be'],
  [
    'duplicate volume names',
    (i) => (i.volumes = [{ name: 'data' }, { name: 'data' }]),
    C,
    "Volume name 'data' is used more than once",
  ],
  [
    'volume of two kinds',
    (i) => (i.volumes = [{ name: 'data', host: {}, dockerVolumeConfiguration: {} }]),
    C,
    'Give only one kind',
  ],
  [
    'autoprovision on a task-scoped volume',
    (i) =>
      (i.volumes = [{ name: 'data', dockerVolumeConfiguration: { scope: 'task', autoprovision: true } }]),
    C,
    "only applies to Docker volumes with scope 'shared'",
  ],
  // Placement constraints.
  [
    'eleven placement constraints',
    (i) =>
      (i.placementConstraints = Array.from({ length: 11 }, () => ({
        type: 'memberOf',
        expression: 'attribute:a == b',
      }))),
    C,
    'Too many placement constraints: 11',
  ],
  [
    'constraint of another type',
    (i) => (i.placementConstraints = [{ type: 'distinctInstance' as 'memberOf' }]),
    C,
    "must have type 'memberOf'",
  ],
  [
    'constraint without expression',
    (i) => (i.placementConstraints = [{ type: 'memberOf' }]),
    C,
    'needs an expression',
  ],
  [
    'constraint expression over 2000',
    (i) => (i.placementConstraints = [{ type: 'memberOf', expression: 'a'.repeat(2001) }]),
    C,
    'longer than 2000 characters',
  ],
  // References from task-level fields (EC2, where these features exist).
  [
    'proxy for an unknown container',
    (i) => {
      i.requiresCompatibilities = ['EC2'];
      i.proxyConfiguration = { type: 'APPMESH', containerName: 'envoy' };
    },
    C,
    "proxyConfiguration.containerName 'envoy'",
  ],
  [
    'accelerator that is not declared',
    (i) => {
      i.requiresCompatibilities = ['EC2'];
      web(i).resourceRequirements = [{ type: 'InferenceAccelerator', value: 'device1' }];
    },
    C,
    "InferenceAccelerator 'device1' is not a deviceName",
  ],
];

refuses('task-level rules', cases);

const valid: [name: string, make: () => RegisterTaskDefinitionRequest][] = [
  ['the announcement nginx definition', nginxAnnouncement],
  ['the ECS Anywhere kitchen sink', kitchenSinkExternal],
  ['a request with every member on EC2', everyFieldRequest],
  [
    'memory equal to memoryReservation',
    () => ({
      family: 'f',
      containerDefinitions: [{ name: 'a', image: 'busybox', memory: 64, memoryReservation: 64 }],
    }),
  ],
  [
    'task memory instead of container memory',
    () => ({ ...base(), containerDefinitions: [{ name: 'a', image: 'busybox' }] }),
  ],
  [
    'the same port over tcp and udp, and two dynamic host ports',
    () => ({
      family: 'dns',
      containerDefinitions: [
        {
          name: 'a',
          image: 'coredns/coredns:1.11',
          memory: 64,
          portMappings: [
            { containerPort: 53, hostPort: 53 },
            { containerPort: 53, hostPort: 53, protocol: 'udp' },
          ],
        },
        {
          name: 'b',
          image: 'busybox',
          memory: 64,
          portMappings: [{ containerPort: 80 }, { containerPort: 81, hostPort: 0 }],
        },
        { name: 'c', image: 'busybox', memory: 64, portMappings: [{ containerPort: 80, hostPort: 0 }] },
      ],
    }),
  ],
  [
    'unlimited ulimits and a disabled health check',
    () => ({
      family: 'f',
      containerDefinitions: [
        {
          name: 'a',
          image: 'localhost:5000/tools/busybox:latest',
          memory: 64,
          ulimits: [
            { name: 'memlock', softLimit: -1, hardLimit: -1 },
            { name: 'nofile', softLimit: 1024, hardLimit: -1 },
          ],
          healthCheck: { command: ['NONE'] },
        },
      ],
    }),
  ],
  [
    'a Fargate definition',
    () => ({
      family: 'f',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '0.25 vCPU',
      memory: '0.5GB',
      containerDefinitions: [
        { ...sidecarContainer(), essential: true, portMappings: [{ containerPort: 80, hostPort: 80 }] },
      ],
    }),
  ],
  [
    'COMPLETE on a non-essential init container',
    () => ({
      family: 'f',
      containerDefinitions: [
        { name: 'init', image: 'busybox', memory: 16, essential: false },
        {
          name: 'app',
          image: 'busybox',
          memory: 16,
          dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }],
        },
      ],
    }),
  ],
];

describe('validateTaskDefinitionInput accepts what ECS accepts', () => {
  for (const [name, make] of valid) it(name, () => validateTaskDefinitionInput(make()));
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';
import type { TaskRecord } from '../domain/task-record.js';
import { toAcsTask, TranslationError } from './to-acs-task.js';

const CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/edge';
const TASK_ARN = 'arn:aws:ecs:us-east-1:123456789012:task/edge/0123456789abcdef0123456789abcdef';

function definition(containers: ContainerDefinition[], extra: Partial<TaskDefinition> = {}): TaskDefinition {
  return {
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
    family: 'web',
    revision: 7,
    networkMode: 'bridge',
    containerDefinitions: containers,
    ...extra,
  };
}

function task(extra: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskArn: TASK_ARN,
    clusterArn: CLUSTER,
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
    containerInstanceArn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/edge/i1',
    desiredStatus: 'RUNNING',
    lastStatus: 'PENDING',
    createdAt: new Date('2026-11-21T10:00:00.000Z'),
    version: 1,
    containers: [
      {
        name: 'web',
        containerArn: 'arn:aws:ecs:us-east-1:123456789012:container/edge/t/c1',
        taskArn: TASK_ARN,
        lastStatus: 'PENDING',
      },
    ],
    ...extra,
  };
}

const base: ContainerDefinition = { name: 'web', image: '127.0.0.1:5000/web:1' };

/** The translated container's Docker Config and HostConfig, parsed. */
function docker(c: ContainerDefinition, t: TaskRecord = task()) {
  const container = toAcsTask(t, definition([c])).containers[0];
  assert.ok(container);
  return {
    container,
    config: JSON.parse(container.dockerConfig?.config ?? '{}') as Record<string, unknown>,
    hostConfig: JSON.parse(container.dockerConfig?.hostConfig ?? '{}') as Record<string, unknown>,
  };
}

describe('toAcsTask: task members', () => {
  it('names the task, its family and revision, and its desired status with a sequence', () => {
    const acs = toAcsTask(
      task({ group: 'service:api', cpu: '99', memory: '99' }),
      definition([base], { cpu: '512', memory: '1024' }),
    );
    assert.equal(acs.arn, TASK_ARN);
    assert.equal(acs.taskClusterArn, CLUSTER);
    assert.equal(acs.family, 'web');
    assert.equal(acs.version, '7');
    assert.equal(acs.desiredStatus, 'RUNNING');
    assert.equal(acs.desiredStatusSeq, 1);
    assert.equal(acs.networkMode, 'bridge');
    assert.equal(acs.launchType, 'EXTERNAL');
    assert.equal(acs.group, 'service:api');
    assert.equal(acs.serviceName, 'api');
    assert.equal(acs.cpu, 512);
    assert.equal(acs.memory, 1024);
    assert.equal(acs.stoppedReason, undefined);
  });

  it('carries STOPPED with a higher sequence and the stop reason', () => {
    const acs = toAcsTask(
      task({ desiredStatus: 'STOPPED', stoppedReason: 'maintenance' }),
      definition([base]),
    );
    assert.equal(acs.desiredStatus, 'STOPPED');
    assert.equal(acs.desiredStatusSeq, 2);
    assert.equal(acs.stoppedReason, 'maintenance');
  });

  it('takes task-level cpu and memory overrides first', () => {
    const acs = toAcsTask(
      task({ cpu: '256', overrides: { cpu: '1024', memory: '2048' } }),
      definition([base], { cpu: '256' }),
    );
    assert.equal(acs.cpu, 1024);
    assert.equal(acs.memory, 2048);
  });

  it("sets no task-level limits when the definition has none (the record's cpu/memory are reservations)", () => {
    const acs = toAcsTask(task({ cpu: '256', memory: '512' }), definition([base]));
    assert.equal(acs.cpu, undefined);
    assert.equal(acs.memory, undefined);
  });

  it('translates host, task-scoped and Docker volumes', () => {
    const acs = toAcsTask(
      task(),
      definition([base], {
        volumes: [
          { name: 'logs', host: { sourcePath: '/var/log/web' } },
          { name: 'scratch' },
          {
            name: 'data',
            dockerVolumeConfiguration: {
              scope: 'shared',
              autoprovision: true,
              driver: 'local',
              driverOpts: { o: 'x' },
              labels: { a: 'b' },
            },
          },
        ],
      }),
    );
    assert.deepEqual(acs.volumes, [
      { name: 'logs', type: 'host', host: { sourcePath: '/var/log/web' } },
      { name: 'scratch', type: 'host', host: {} },
      {
        name: 'data',
        type: 'docker',
        dockerVolumeConfiguration: {
          scope: 'shared',
          autoprovision: true,
          driver: 'local',
          driverOpts: { o: 'x' },
          labels: { a: 'b' },
        },
      },
    ]);
  });

  it('refuses a task definition without family or revision', () => {
    assert.throws(() => toAcsTask(task(), definition([base], { family: undefined })), TranslationError);
  });
});

describe('toAcsTask: container members', () => {
  it('copies what ACS has members for', () => {
    const { container } = docker({
      ...base,
      command: ['nginx', '-g', 'daemon off;'],
      entryPoint: ['/docker-entrypoint.sh'],
      cpu: 128,
      memory: 256,
      essential: false,
      links: ['db:db'],
      portMappings: [
        { containerPort: 80, hostPort: 8080, protocol: 'tcp' },
        { containerPort: 53, protocol: 'udp' },
      ],
      mountPoints: [{ sourceVolume: 'logs', containerPath: '/logs', readOnly: true }],
      volumesFrom: [{ sourceContainer: 'side', readOnly: false }],
      dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }],
      privileged: true,
      linuxParameters: {
        capabilities: { add: ['NET_ADMIN'], drop: ['MKNOD'] },
        initProcessEnabled: true,
        sharedMemorySize: 64,
        tmpfs: [{ containerPath: '/run', size: 16, mountOptions: ['noexec'] }],
      },
      startTimeout: 60,
      stopTimeout: 10,
      restartPolicy: { enabled: true, ignoredExitCodes: [0], restartAttemptPeriod: 60 },
    });
    assert.deepEqual(container, {
      name: 'web',
      containerArn: 'arn:aws:ecs:us-east-1:123456789012:container/edge/t/c1',
      image: '127.0.0.1:5000/web:1',
      command: ['nginx', '-g', 'daemon off;'],
      entryPoint: ['/docker-entrypoint.sh'],
      cpu: 128,
      memory: 256,
      essential: false,
      links: ['db:db'],
      portMappings: [
        { containerPort: 80, hostPort: 8080, protocol: 'tcp' },
        { containerPort: 53, protocol: 'udp' },
      ],
      mountPoints: [{ sourceVolume: 'logs', containerPath: '/logs', readOnly: true }],
      volumesFrom: [{ sourceContainer: 'side', readOnly: false }],
      dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }],
      privileged: true,
      linuxParameters: {
        capabilities: { add: ['NET_ADMIN'], drop: ['MKNOD'] },
        initProcessEnabled: true,
        sharedMemorySize: 64,
        tmpfs: [{ containerPath: '/run', size: 16, mountOptions: ['noexec'] }],
      },
      startTimeout: 60,
      stopTimeout: 10,
      restartPolicy: { enabled: true, ignoredExitCodes: [0], restartAttemptPeriod: 60 },
    });
  });

  it('is essential by default, and sends no Docker config when nothing needs one', () => {
    const { container } = docker(base);
    assert.equal(container.essential, true);
    assert.equal(container.dockerConfig, undefined);
    assert.equal(container.healthCheckType, undefined);
  });

  it('turns the environment list into a map', () => {
    const { container } = docker({
      ...base,
      environment: [
        { name: 'A', value: '1' },
        { name: 'B', value: '' },
      ],
    });
    assert.deepEqual(container.environment, { A: '1', B: '' });
  });

  // Definition field -> where it lands in Docker's JSON, and how.
  const configTable: readonly [string, ContainerDefinition, Record<string, unknown>][] = [
    ['hostname', { ...base, hostname: 'web-1' }, { Hostname: 'web-1' }],
    ['user', { ...base, user: '1000:1000' }, { User: '1000:1000' }],
    ['workingDirectory', { ...base, workingDirectory: '/srv' }, { WorkingDir: '/srv' }],
    ['dockerLabels', { ...base, dockerLabels: { team: 'edge' } }, { Labels: { team: 'edge' } }],
    ['disableNetworking', { ...base, disableNetworking: true }, { NetworkDisabled: true }],
    ['interactive', { ...base, interactive: true }, { OpenStdin: true }],
    ['pseudoTerminal', { ...base, pseudoTerminal: true }, { Tty: true }],
    [
      'healthCheck (all set, seconds -> nanoseconds)',
      {
        ...base,
        healthCheck: {
          command: ['CMD-SHELL', 'curl -f localhost'],
          interval: 10,
          timeout: 3,
          retries: 5,
          startPeriod: 20,
        },
      },
      {
        Healthcheck: {
          Test: ['CMD-SHELL', 'curl -f localhost'],
          Interval: 10_000_000_000,
          Timeout: 3_000_000_000,
          Retries: 5,
          StartPeriod: 20_000_000_000,
        },
      },
    ],
    [
      "healthCheck (ECS's defaults: 30 s, 5 s, 3 retries)",
      { ...base, healthCheck: { command: ['CMD', 'true'] } },
      {
        Healthcheck: { Test: ['CMD', 'true'], Interval: 30_000_000_000, Timeout: 5_000_000_000, Retries: 3 },
      },
    ],
  ];
  for (const [field, definitionOf, expected] of configTable) {
    it(`puts ${field} in Config`, () => {
      const { config, hostConfig } = docker(definitionOf);
      assert.deepEqual(config, expected);
      assert.deepEqual(hostConfig, {});
    });
  }

  it('marks a container with a health check for Docker health checks', () => {
    assert.equal(
      docker({ ...base, healthCheck: { command: ['CMD', 'true'] } }).container.healthCheckType,
      'docker',
    );
  });

  const hostConfigTable: readonly [string, ContainerDefinition, Record<string, unknown>][] = [
    [
      'ulimits',
      { ...base, ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }] },
      { Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 4096 }] },
    ],
    ['readonlyRootFilesystem', { ...base, readonlyRootFilesystem: true }, { ReadonlyRootfs: true }],
    [
      'extraHosts',
      { ...base, extraHosts: [{ hostname: 'db', ipAddress: '10.0.0.5' }] },
      { ExtraHosts: ['db:10.0.0.5'] },
    ],
    ['dnsServers', { ...base, dnsServers: ['1.1.1.1'] }, { Dns: ['1.1.1.1'] }],
    ['dnsSearchDomains', { ...base, dnsSearchDomains: ['corp'] }, { DnsSearch: ['corp'] }],
    [
      'logConfiguration',
      { ...base, logConfiguration: { logDriver: 'json-file', options: { 'max-size': '10m' } } },
      { LogConfig: { Type: 'json-file', Config: { 'max-size': '10m' } } },
    ],
    [
      'logConfiguration without options',
      { ...base, logConfiguration: { logDriver: 'journald' } },
      { LogConfig: { Type: 'journald', Config: {} } },
    ],
    [
      'memoryReservation (MiB -> bytes)',
      { ...base, memoryReservation: 128 },
      { MemoryReservation: 134_217_728 },
    ],
    [
      'systemControls',
      { ...base, systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }] },
      { Sysctls: { 'net.core.somaxconn': '1024' } },
    ],
    [
      'dockerSecurityOptions',
      { ...base, dockerSecurityOptions: ['no-new-privileges'] },
      { SecurityOpt: ['no-new-privileges'] },
    ],
  ];
  for (const [field, definitionOf, expected] of hostConfigTable) {
    it(`puts ${field} in HostConfig`, () => {
      const { config, hostConfig } = docker(definitionOf);
      assert.deepEqual(hostConfig, expected);
      assert.deepEqual(config, {});
    });
  }
});

describe('toAcsTask: container overrides', () => {
  const definitionContainer: ContainerDefinition = {
    ...base,
    command: ['serve'],
    cpu: 128,
    memory: 512,
    memoryReservation: 256,
    environment: [
      { name: 'MODE', value: 'prod' },
      { name: 'KEEP', value: 'yes' },
    ],
  };

  it('replaces command, cpu, memory and memoryReservation, and merges the environment by name', () => {
    const { container, hostConfig } = docker(
      definitionContainer,
      task({
        overrides: {
          containerOverrides: [
            {
              name: 'web',
              command: ['migrate'],
              cpu: 256,
              memory: 1024,
              memoryReservation: 512,
              environment: [
                { name: 'MODE', value: 'debug' },
                { name: 'EXTRA', value: '1' },
              ],
            },
          ],
        },
      }),
    );
    assert.deepEqual(container.command, ['migrate']);
    assert.equal(container.cpu, 256);
    assert.equal(container.memory, 1024);
    assert.equal(container.memoryReservation, 512);
    assert.deepEqual(container.environment, { MODE: 'debug', KEEP: 'yes', EXTRA: '1' });
    assert.equal(hostConfig.MemoryReservation, 512 * 1024 * 1024);
  });

  it('leaves containers without an override as defined', () => {
    const { container } = docker(
      definitionContainer,
      task({ overrides: { containerOverrides: [{ name: 'other', command: ['x'] }] } }),
    );
    assert.deepEqual(container.command, ['serve']);
    assert.deepEqual(container.environment, { MODE: 'prod', KEEP: 'yes' });
  });
});

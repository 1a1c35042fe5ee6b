import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linuxHostConfig } from '../../acs/linux-host-config.js';
import type { AcsContainer, AcsTask } from '../../acs/payload.js';
import {
  buildCreateBody,
  ConfigProblem,
  dockerContainerName,
  planVolumes,
  type CreateFacts,
} from './container-config.js';
import type { ContainerCreateBody } from './docker/docker-client.js';
import { hostProblem } from './host-support.js';

const MIB = 1024 * 1024;
const ARN = 'arn:aws:ecs:us-east-1:123456789012:task/edge/0123456789abcdef';
const CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/edge';

function task(container: Partial<AcsContainer>, extra: Partial<AcsTask> = {}): AcsTask {
  return {
    arn: ARN,
    taskClusterArn: CLUSTER,
    family: 'web',
    version: '3',
    desiredStatus: 'RUNNING',
    containers: [{ name: 'app', image: 'registry.example.com/app:1', essential: true, ...container }],
    ...extra,
  };
}

const facts: CreateFacts = { dockerNames: new Map([['db', 'ecs-web-3-db-aaaa']]), ownerId: 'owner-1' };

function body(
  container: Partial<AcsContainer>,
  extra: Partial<AcsTask> = {},
  f: CreateFacts = facts,
): ContainerCreateBody {
  const t = task(container, extra);
  return buildCreateBody(t, t.containers[0]!, f);
}

/** One row per field: the definition, and what Docker must be given for it. */
const rows: readonly [string, Partial<AcsContainer>, Partial<AcsTask>, (b: ContainerCreateBody) => void][] = [
  ['image', {}, {}, (b) => assert.equal(b.Image, 'registry.example.com/app:1')],
  [
    'command',
    { command: ['sh', '-c', 'echo hi'] },
    {},
    (b) => assert.deepEqual(b.Cmd, ['sh', '-c', 'echo hi']),
  ],
  ['no command keeps the image default', {}, {}, (b) => assert.equal(b.Cmd, undefined)],
  ['entryPoint', { entryPoint: ['/bin/sh'] }, {}, (b) => assert.deepEqual(b.Entrypoint, ['/bin/sh'])],
  ['environment', { environment: { A: '1', B: '' } }, {}, (b) => assert.deepEqual(b.Env, ['A=1', 'B='])],
  ['cpu', { cpu: 512 }, {}, (b) => assert.equal(b.HostConfig?.CpuShares, 512)],
  ['cpu absent -> 2 shares', {}, {}, (b) => assert.equal(b.HostConfig?.CpuShares, 2)],
  ['cpu 0 -> 2 shares', { cpu: 0 }, {}, (b) => assert.equal(b.HostConfig?.CpuShares, 2)],
  ['cpu 1 -> 2 shares', { cpu: 1 }, {}, (b) => assert.equal(b.HostConfig?.CpuShares, 2)],
  ['memory (MiB -> bytes)', { memory: 128 }, {}, (b) => assert.equal(b.HostConfig?.Memory, 128 * MIB)],
  [
    'memoryReservation',
    { memoryReservation: 64 },
    {},
    (b) => assert.equal(b.HostConfig?.MemoryReservation, 64 * MIB),
  ],
  [
    'bridge: static and dynamic host ports',
    {
      portMappings: [
        { containerPort: 80, hostPort: 8080 },
        { containerPort: 53, protocol: 'udp' },
      ],
    },
    {},
    (b) => {
      assert.deepEqual(b.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
      assert.deepEqual(b.HostConfig?.PortBindings, {
        '80/tcp': [{ HostPort: '8080' }],
        '53/udp': [{ HostPort: '' }],
      });
      assert.equal(b.HostConfig?.NetworkMode, 'bridge');
    },
  ],
  [
    'bridge: containerPortRange',
    { portMappings: [{ containerPortRange: '7000-7002' }] },
    {},
    (b) =>
      assert.deepEqual(Object.keys((b.HostConfig?.PortBindings ?? {}) as object), [
        '7000/tcp',
        '7001/tcp',
        '7002/tcp',
      ]),
  ],
  [
    'host mode: no bindings',
    { portMappings: [{ containerPort: 80, hostPort: 80 }] },
    { networkMode: 'host' },
    (b) => {
      assert.equal(b.HostConfig?.NetworkMode, 'host');
      assert.equal(b.HostConfig?.PortBindings, undefined);
      assert.equal(b.ExposedPorts, undefined);
    },
  ],
  ['none mode', {}, { networkMode: 'none' }, (b) => assert.equal(b.HostConfig?.NetworkMode, 'none')],
  [
    'links use Docker names',
    { links: ['db:database', 'db'] },
    {},
    (b) => assert.deepEqual(b.HostConfig?.Links, ['ecs-web-3-db-aaaa:database', 'ecs-web-3-db-aaaa:db']),
  ],
  [
    'volumesFrom',
    { volumesFrom: [{ sourceContainer: 'db', readOnly: true }] },
    {},
    (b) => assert.deepEqual(b.HostConfig?.VolumesFrom, ['ecs-web-3-db-aaaa:ro']),
  ],
  [
    'mountPoints: host path, task-scoped and shared Docker volumes',
    {
      mountPoints: [
        { sourceVolume: 'logs', containerPath: '/logs', readOnly: true },
        { sourceVolume: 'scratch', containerPath: '/scratch' },
        { sourceVolume: 'cache', containerPath: '/cache' },
        { sourceVolume: 'empty', containerPath: '/empty' },
      ],
    },
    {
      volumes: [
        { name: 'logs', type: 'host', host: { sourcePath: '/var/log/app' } },
        { name: 'scratch', type: 'docker', dockerVolumeConfiguration: { scope: 'task' } },
        {
          name: 'cache',
          type: 'docker',
          dockerVolumeConfiguration: { scope: 'shared', autoprovision: true },
        },
        { name: 'empty', type: 'host' },
      ],
    },
    (b) =>
      assert.deepEqual(b.HostConfig?.Binds, [
        '/var/log/app:/logs:ro',
        'ecs-web-3-scratch-0123456789abcdef:/scratch',
        'cache:/cache',
        'ecs-web-3-empty-0123456789abcdef:/empty',
      ]),
  ],
  ['privileged', { privileged: true }, {}, (b) => assert.equal(b.HostConfig?.Privileged, true)],
  [
    'linuxParameters, as the control plane sends them in dockerConfig.hostConfig',
    {
      memory: 64,
      dockerConfig: {
        hostConfig: JSON.stringify(
          linuxHostConfig(
            {
              capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
              devices: [{ hostPath: '/dev/fuse', permissions: ['read', 'write'] }],
              initProcessEnabled: true,
              sharedMemorySize: 64,
              tmpfs: [{ containerPath: '/run', size: 16, mountOptions: ['noexec', 'nosuid'] }],
              maxSwap: 32,
              swappiness: 10,
            },
            64,
          ),
        ),
      },
    },
    {},
    (b) => {
      assert.deepEqual(b.HostConfig?.CapAdd, ['NET_ADMIN']);
      assert.deepEqual(b.HostConfig?.CapDrop, ['ALL']);
      assert.equal(b.HostConfig?.Init, true);
      assert.deepEqual(b.HostConfig?.Devices, [
        { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rw' },
      ]);
      assert.equal(b.HostConfig?.ShmSize, 64 * MIB);
      assert.deepEqual(b.HostConfig?.Tmpfs, { '/run': 'size=16m,noexec,nosuid' });
      assert.equal(b.HostConfig?.Memory, 64 * MIB);
      assert.equal(b.HostConfig?.MemorySwap, 96 * MIB, 'memory plus maxSwap');
      assert.equal(b.HostConfig?.MemorySwappiness, 10);
    },
  ],
  [
    'dockerConfig.config: user, workingDirectory, hostname, labels, health check',
    {
      dockerConfig: {
        config: JSON.stringify({
          User: '1000:1000',
          WorkingDir: '/srv',
          Hostname: 'web-1',
          Labels: { team: 'edge', 'com.amazonaws.ecs.task-arn': 'spoofed' },
          Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 5e9 },
          Env: ['FROM_FRAGMENT=1'],
        }),
      },
      environment: { A: '1' },
    },
    {},
    (b) => {
      assert.equal(b.User, '1000:1000');
      assert.equal(b.WorkingDir, '/srv');
      assert.equal(b.Hostname, 'web-1');
      assert.deepEqual(b.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 5e9 });
      assert.deepEqual(b.Env, ['A=1', 'FROM_FRAGMENT=1']);
      assert.deepEqual(b.Labels, {
        team: 'edge',
        'com.amazonaws.ecs.task-arn': ARN,
        'com.amazonaws.ecs.container-name': 'app',
        'com.amazonaws.ecs.cluster': CLUSTER,
        'com.amazonaws.ecs.task-definition-family': 'web',
        'com.amazonaws.ecs.task-definition-version': '3',
        'berth.agent-owner': 'owner-1',
      });
    },
  ],
  [
    'dockerConfig.hostConfig: ulimits, readonly root, hosts, dns, logging, sysctls, security options',
    {
      dockerConfig: {
        hostConfig: JSON.stringify({
          Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 4096 }],
          ReadonlyRootfs: true,
          ExtraHosts: ['db:10.0.0.2'],
          Dns: ['1.1.1.1'],
          DnsSearch: ['corp'],
          LogConfig: { Type: 'syslog', Config: {} },
          Sysctls: { 'net.core.somaxconn': '1024' },
          SecurityOpt: ['no-new-privileges'],
          MemoryReservation: 32 * MIB,
        }),
      },
    },
    {},
    (b) => {
      const h = b.HostConfig!;
      assert.deepEqual(h.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 4096 }]);
      assert.equal(h.ReadonlyRootfs, true);
      assert.deepEqual(h.ExtraHosts, ['db:10.0.0.2']);
      assert.deepEqual(h.Dns, ['1.1.1.1']);
      assert.deepEqual(h.DnsSearch, ['corp']);
      assert.deepEqual(h.LogConfig, { Type: 'syslog', Config: {} });
      assert.deepEqual(h.Sysctls, { 'net.core.somaxconn': '1024' });
      assert.deepEqual(h.SecurityOpt, ['no-new-privileges']);
      assert.equal(h.MemoryReservation, 32 * MIB);
    },
  ],
  [
    'the fragment cannot change the network mode or port bindings',
    {
      portMappings: [{ containerPort: 80, hostPort: 8080 }],
      dockerConfig: { hostConfig: JSON.stringify({ NetworkMode: 'host', PortBindings: {} }) },
    },
    {},
    (b) => {
      assert.equal(b.HostConfig?.NetworkMode, 'bridge');
      assert.deepEqual(b.HostConfig?.PortBindings, { '80/tcp': [{ HostPort: '8080' }] });
    },
  ],
  [
    'fragment binds add to the mount points',
    {
      mountPoints: [{ sourceVolume: 'logs', containerPath: '/logs' }],
      dockerConfig: { hostConfig: JSON.stringify({ Binds: ['/etc/zoneinfo:/etc/zoneinfo:ro'] }) },
    },
    { volumes: [{ name: 'logs', type: 'host', host: { sourcePath: '/var/log/app' } }] },
    (b) => assert.deepEqual(b.HostConfig?.Binds, ['/var/log/app:/logs', '/etc/zoneinfo:/etc/zoneinfo:ro']),
  ],
];

void describe('container create body', () => {
  for (const [name, container, extra, check] of rows) {
    void it(name, () => check(body(container, extra)));
  }

  void it('adds the agent environment, the task environment winning', () => {
    const b = body(
      { environment: { X: 'task' } },
      {},
      { ...facts, agentEnvironment: { X: 'agent', META: 'url' } },
    );
    assert.deepEqual(b.Env, ['X=task', 'META=url']);
  });

  const problems: readonly [string, Partial<AcsContainer>, Partial<AcsTask>, RegExp][] = [
    ['damaged config JSON', { dockerConfig: { config: '{' } }, {}, /dockerConfig.config is not valid JSON/],
    [
      'hostConfig not an object',
      { dockerConfig: { hostConfig: '[1]' } },
      {},
      /dockerConfig.hostConfig must be a JSON object/,
    ],
    [
      'ports in none mode',
      { portMappings: [{ containerPort: 80 }] },
      { networkMode: 'none' },
      /bridge or host network mode/,
    ],
    [
      'links outside bridge mode',
      { links: ['db'] },
      { networkMode: 'host' },
      /links work only in the bridge/,
    ],
    [
      'link to a container not created',
      { links: ['cache'] },
      {},
      /refers to container cache, which has not been created/,
    ],
    [
      'unknown volume',
      { mountPoints: [{ sourceVolume: 'nope', containerPath: '/x' }] },
      {},
      /volume nope, which the task does not define/,
    ],
    ['bad port range', { portMappings: [{ containerPortRange: '9-3' }] }, {}, /containerPortRange "9-3"/],
    [
      'awslogs without a group',
      { dockerConfig: { hostConfig: JSON.stringify({ LogConfig: { Type: 'awslogs', Config: {} } }) } },
      {},
      /container app: the awslogs log driver needs the option awslogs-group/,
    ],
  ];
  for (const [name, container, extra, message] of problems) {
    void it(`refuses: ${name}`, () =>
      assert.throws(
        () => body(container, extra),
        (e: unknown) => e instanceof ConfigProblem && message.test(e.message),
      ));
  }

  void it('runs awslogs as a bounded json-file log, its options on a label for the agent to ship', () => {
    const options = { 'awslogs-group': '/ecs/web', 'awslogs-stream-prefix': 'web', mode: 'non-blocking' };
    const b = body({
      dockerConfig: { hostConfig: JSON.stringify({ LogConfig: { Type: 'awslogs', Config: options } }) },
    });
    assert.deepEqual(b.HostConfig?.LogConfig, {
      Type: 'json-file',
      Config: { 'max-size': '10m', 'max-file': '5', mode: 'non-blocking' },
    });
    assert.deepEqual(JSON.parse(b.Labels?.['berth.awslogs'] ?? ''), options);
  });

  void it('names containers as the ECS agent does', () => {
    const t = task({});
    assert.equal(dockerContainerName(t, t.containers[0]!, 'abc123'), 'ecs-web-3-app-abc123');
  });

  void it('plans task-scoped volumes per task and shared ones by name', () => {
    const plans = planVolumes(
      task(
        {},
        {
          volumes: [
            {
              name: 'a',
              type: 'docker',
              dockerVolumeConfiguration: { scope: 'task', driver: 'local', labels: { x: '1' } },
            },
            {
              name: 'b',
              type: 'docker',
              dockerVolumeConfiguration: { scope: 'shared', autoprovision: false, driver: 'nfs' },
            },
          ],
        },
      ),
    );
    assert.deepEqual(plans.get('a'), {
      kind: 'docker',
      volume: 'a',
      dockerName: 'ecs-web-3-a-0123456789abcdef',
      taskScoped: true,
      autoprovision: false,
      driver: 'local',
      driverOpts: {},
      labels: { x: '1', 'com.amazonaws.ecs.task-arn': ARN },
    });
    assert.equal(plans.get('b')?.kind === 'docker' && plans.get('b')?.kind, 'docker');
    const b = plans.get('b');
    assert.ok(b?.kind === 'docker' && b.dockerName === 'b' && !b.taskScoped && b.driver === 'nfs');
  });
});

void describe('what the host cannot do', () => {
  const host = {
    logDrivers: ['json-file', 'syslog'],
    volumeDrivers: ['local'],
    networkDrivers: ['bridge'],
    warnings: [],
  };

  void it('accepts what dockerd has, and the none log driver', () => {
    assert.equal(
      hostProblem({ HostConfig: { LogConfig: { Type: 'syslog', Config: {} } } }, [], host),
      undefined,
    );
    assert.equal(
      hostProblem({ HostConfig: { LogConfig: { Type: 'none', Config: {} } } }, [], host),
      undefined,
    );
    assert.equal(hostProblem({}, [], host), undefined);
  });

  void it('names a missing log driver', () => {
    assert.match(
      hostProblem({ HostConfig: { LogConfig: { Type: 'gelf', Config: {} } } }, [], host) ?? '',
      /log driver "gelf" is not available on this host \(dockerd has: json-file, syslog, none\)/,
    );
  });

  void it('names a missing volume driver', () => {
    const plans = [
      ...planVolumes(
        task(
          {},
          { volumes: [{ name: 'v', type: 'docker', dockerVolumeConfiguration: { driver: 'rexray' } }] },
        ),
      ).values(),
    ];
    assert.match(hostProblem({}, plans, host) ?? '', /volume driver "rexray" of volume v is not installed/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type Dockerode from 'dockerode';
import type { AcsTask } from '../../acs/payload.js';
import type { ContainerState, TaskState } from '../tasks/contracts.js';
import {
  containerDetails,
  gatewayOf,
  inSubnet,
  localAddresses,
  type ContainerDetails,
} from './docker-details.js';
import { containerView, healthView, taskView } from './views.js';

/** `docker inspect` of a bridge container with a health check (Docker 20.10), trimmed to what is read. */
const INSPECT = {
  Id: 'e592a686c84ae06f69cda5dd525c805a569908495d4efdff8e9f085cd5a1bf2c',
  Created: '2026-11-21T19:52:09.522259364Z',
  Name: '/ecs-web-3-app-a1b2c3',
  Image: 'sha256:549267ea9c37d6e35bf7c80347582a1c573e02539c1bb6116be85da55e1583c0',
  State: {
    Status: 'running',
    Running: true,
    ExitCode: 0,
    StartedAt: '2026-11-21T19:52:09.715984054Z',
    FinishedAt: '0001-01-01T00:00:00Z',
    Health: {
      Status: 'healthy',
      FailingStreak: 0,
      Log: [
        { Start: '', End: '2026-11-21T19:52:10.768311447Z', ExitCode: 1, Output: 'refused\n' },
        { Start: '', End: '2026-11-21T19:52:11.821948437Z', ExitCode: 0, Output: 'ok\n' },
        { Start: '', End: '2026-11-21T19:52:12.821948437Z', ExitCode: 0, Output: 'ok\n' },
      ],
    },
  },
  HostConfig: { NetworkMode: 'default', LogConfig: { Type: 'json-file', Config: { 'max-size': '10m' } } },
  Config: {
    Labels: {
      'com.amazonaws.ecs.task-arn': 'arn:aws:ecs:us-east-1:123456789012:task/c/abc',
      'berth.agent-owner': 'berth-0123',
      team: 'edge',
    },
  },
  NetworkSettings: {
    Networks: { bridge: { Gateway: '172.17.0.1', IPAddress: '172.17.0.3', IPPrefixLen: 16 } },
  },
} as unknown as Dockerode.ContainerInspectInfo;

const TASK: AcsTask = {
  arn: 'arn:aws:ecs:us-east-1:123456789012:task/c/abc',
  taskClusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c',
  family: 'web',
  version: '3',
  desiredStatus: 'RUNNING',
  cpu: 0.25,
  memory: 512,
  serviceName: 'front',
  containers: [
    {
      name: 'app',
      image: 'registry:5000/app:1',
      essential: true,
      cpu: 10,
      memory: 128,
      containerArn: 'arn:c/1',
    },
    { name: 'side', image: 'busybox', essential: false },
  ],
};

const APP: ContainerState = {
  name: 'app',
  runtimeId: INSPECT.Id,
  knownStatus: 'RUNNING',
  networkBindings: [{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 8080, protocol: 'tcp' }],
  healthStatus: 'HEALTHY',
};

const STATE: TaskState = {
  task: TASK,
  knownStatus: 'RUNNING',
  containers: [APP, { name: 'side', knownStatus: 'PULLED' }],
  pullStartedAt: Date.UTC(2026, 10, 21, 19, 52, 8, 1),
  pullStoppedAt: Date.UTC(2026, 10, 21, 19, 52, 9, 2),
};

const DETAILS = containerDetails(INSPECT);
const APP_DEF = TASK.containers[0]!;

void describe('docker inspect, as the views read it', () => {
  void it('keeps names, times, addresses, health and logging', () => {
    assert.equal(DETAILS.dockerName, 'ecs-web-3-app-a1b2c3');
    assert.equal(DETAILS.createdAt, '2026-11-21T19:52:09.522259364Z');
    assert.equal(DETAILS.finishedAt, undefined, "Docker's zero time");
    assert.equal(DETAILS.networkMode, 'bridge', '"default" is the bridge');
    assert.deepEqual(DETAILS.ipv4Addresses, ['172.17.0.3']);
    assert.equal(DETAILS.health?.status, 'healthy');
    assert.equal(DETAILS.logDriver, 'json-file');
    assert.deepEqual(DETAILS.logOptions, { 'max-size': '10m' });
  });

  void it("finds the bridge gateway in IPAM, else the host's own address in the bridge subnet", () => {
    const host = {
      interfaceAddress: (name: string) => (name === 'br0' ? '10.9.0.1' : undefined),
      localAddresses: () => ['127.0.0.1', '192.0.2.2', '172.17.0.1'],
    };
    assert.equal(
      gatewayOf({ IPAM: { Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] } }, host),
      '172.18.0.1',
    );
    // Docker 20.10 with an adopted docker0: a subnet and no gateway.
    assert.equal(gatewayOf({ IPAM: { Config: [{ Subnet: '172.17.0.0/16' }] } }, host), '172.17.0.1');
    assert.equal(
      gatewayOf(
        {
          IPAM: { Config: [{ Subnet: '10.1.0.0/24' }] },
          Options: { 'com.docker.network.bridge.name': 'br0' },
        },
        host,
      ),
      '10.9.0.1',
    );
    assert.equal(
      gatewayOf({ IPAM: { Config: null }, Options: null }, { ...host, interfaceAddress: () => undefined }),
      undefined,
    );
  });

  void it('reads the host addresses from the kernel routing table dump', () => {
    const fib = [
      'Main:',
      '  +-- 0.0.0.0/0 3 0 4',
      '     +-- 172.17.0.0/16 2 0 2',
      '           |-- 172.17.0.0',
      '              /16 link UNICAST',
      '           |-- 172.17.0.1',
      '              /32 host LOCAL',
      '        |-- 172.17.255.255',
      '           /32 link BROADCAST',
      'Local:',
      '           |-- 172.17.0.1',
      '              /32 host LOCAL',
    ].join('\n');
    assert.deepEqual(localAddresses(fib), ['172.17.0.1']);
    assert.equal(inSubnet('172.17.3.4', '172.17.0.0/16'), true);
    assert.equal(inSubnet('172.18.0.1', '172.17.0.0/16'), false);
    assert.equal(inSubnet('10.0.0.1', '0.0.0.0/0'), true);
    assert.equal(inSubnet('10.0.0.1', 'nonsense'), false);
  });
});

void describe('task metadata v4 views', () => {
  void it('shows a container with the fields and names of ECS', () => {
    const view = containerView(STATE, APP_DEF, APP, INSPECT.Id, DETAILS);
    assert.deepEqual(view, {
      DockerId: INSPECT.Id,
      Name: 'app',
      DockerName: 'ecs-web-3-app-a1b2c3',
      Image: 'registry:5000/app:1',
      ImageID: INSPECT.Image,
      Ports: [{ ContainerPort: 80, Protocol: 'tcp', HostPort: 8080, HostIp: '0.0.0.0' }],
      Labels: { 'com.amazonaws.ecs.task-arn': TASK.arn, team: 'edge' },
      DesiredStatus: 'RUNNING',
      KnownStatus: 'RUNNING',
      Limits: { CPU: 10, Memory: 128 },
      CreatedAt: '2026-11-21T19:52:09.522259364Z',
      StartedAt: '2026-11-21T19:52:09.715984054Z',
      Type: 'NORMAL',
      LogDriver: 'json-file',
      LogOptions: { 'max-size': '10m' },
      ContainerARN: 'arn:c/1',
      Networks: [{ NetworkMode: 'bridge', IPv4Addresses: ['172.17.0.3'] }],
      Health: { status: 'HEALTHY', statusSince: '2026-11-21T19:52:11.821948437Z', exitCode: 0, output: 'ok' },
    });
    assert.equal(
      JSON.stringify(view).includes('berth.agent-owner'),
      false,
      "the agent's own label stays out",
    );
  });

  void it('shows a stopped container with its exit code and what is left when Docker lost it', () => {
    const exited: ContainerState = { ...APP, knownStatus: 'STOPPED', exitCode: 137, healthStatus: undefined };
    const view = containerView(
      { ...STATE, task: { ...TASK, desiredStatus: 'STOPPED' } },
      APP_DEF,
      exited,
      'abc',
      undefined,
    );
    assert.equal(view.ExitCode, 137);
    assert.equal(view.DesiredStatus, 'STOPPED');
    assert.equal(view.DockerName, '');
    assert.equal(view.Networks, undefined);
    assert.equal(view.Health, undefined, 'no health check known');
  });

  void it('reports health only for containers with a check, with Docker status as fallback', () => {
    const noCheck: ContainerDetails = { ...DETAILS, health: undefined };
    assert.equal(healthView({ name: 'x', knownStatus: 'RUNNING' }, noCheck), undefined);
    assert.deepEqual(
      healthView(
        { name: 'x', knownStatus: 'RUNNING' },
        { ...DETAILS, health: { status: 'starting', log: [] } },
      ),
      {
        status: 'UNKNOWN',
      },
    );
    const failing: ContainerDetails = {
      ...DETAILS,
      health: {
        status: 'unhealthy',
        log: [
          { end: 't1', exitCode: 0, output: '' },
          { end: 't2', exitCode: 1, output: 'x' },
          { end: 't3', exitCode: 2, output: 'y\n' },
        ],
      },
    };
    assert.deepEqual(healthView({ name: 'x', knownStatus: 'RUNNING' }, failing), {
      status: 'UNHEALTHY',
      statusSince: 't2',
      exitCode: 2,
      output: 'y',
    });
  });

  void it('shows the task with vCPU limits, RFC 3339 times and EXTERNAL launch type', () => {
    const app = containerView(STATE, APP_DEF, APP, INSPECT.Id, DETAILS);
    const view = taskView(STATE, [app]);
    assert.deepEqual(
      { ...view, Containers: view.Containers?.map((c) => c.Name) },
      {
        Cluster: TASK.taskClusterArn,
        ServiceName: 'front',
        TaskARN: TASK.arn,
        Family: 'web',
        Revision: '3',
        DesiredStatus: 'RUNNING',
        KnownStatus: 'RUNNING',
        Limits: { CPU: 0.25, Memory: 512 },
        PullStartedAt: '2026-11-21T19:52:08.001Z',
        PullStoppedAt: '2026-11-21T19:52:09.002Z',
        LaunchType: 'EXTERNAL',
        Containers: ['app'],
      },
    );
    const bare = taskView(
      { ...STATE, task: { ...TASK, cpu: undefined, memory: undefined, serviceName: undefined } },
      [],
    );
    assert.equal('Limits' in bare, false);
    assert.equal('ServiceName' in bare, false);
    assert.equal('Containers' in bare, false);
  });
});

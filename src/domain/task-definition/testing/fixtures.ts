/** Task definitions and helpers shared by the task-definition tests. */
import assert from 'node:assert/strict';
import type { ContainerDefinition, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import type { ErrorCode } from '../../../ecs/errors.js';
import { isApiError } from '../../../ecs/errors.js';

/** The definition from the ECS Anywhere launch announcement. */
export function nginxAnnouncement(): RegisterTaskDefinitionRequest {
  return {
    requiresCompatibilities: ['EXTERNAL'],
    containerDefinitions: [
      {
        name: 'nginx',
        image: 'public.ecr.aws/nginx/nginx:latest',
        memory: 256,
        cpu: 256,
        essential: true,
        portMappings: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }],
      },
    ],
    networkMode: 'bridge',
    family: 'nginx',
  };
}

/**
 * A container that sets every member of ContainerDefinition (the `Required<>` makes the compiler say so when
 * the SDK grows a field), each to its non-default value where that is valid in bridge mode, so a round trip
 * that drops or rewrites anything shows.
 */
export function everyFieldContainer(): Required<ContainerDefinition> {
  return {
    name: 'app',
    image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/app@sha256:' + 'a'.repeat(64),
    repositoryCredentials: {
      credentialsParameter: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:reg',
    },
    cpu: 256,
    memory: 512,
    memoryReservation: 256,
    links: ['sidecar:side'],
    portMappings: [
      { containerPort: 8080, hostPort: 80, protocol: 'tcp', name: 'http', appProtocol: 'http' },
      { containerPortRange: '9000-9010', protocol: 'udp' },
    ],
    essential: true,
    restartPolicy: { enabled: true, ignoredExitCodes: [0, 143], restartAttemptPeriod: 120 },
    entryPoint: ['/bin/sh', '-c'],
    command: ['exec app --port 8080'],
    environment: [{ name: 'MODE', value: 'edge' }],
    environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::bucket/app.env' }],
    mountPoints: [{ sourceVolume: 'data', containerPath: '/data', readOnly: false }],
    volumesFrom: [{ sourceContainer: 'sidecar', readOnly: true }],
    linuxParameters: {
      capabilities: { add: ['NET_ADMIN', 'SYS_PTRACE'], drop: ['MKNOD'] },
      devices: [{ hostPath: '/dev/ttyUSB0', containerPath: '/dev/ttyUSB0', permissions: ['read', 'write'] }],
      initProcessEnabled: true,
      sharedMemorySize: 64,
      tmpfs: [{ containerPath: '/tmp', size: 32, mountOptions: ['noexec'] }],
      maxSwap: 0,
      swappiness: 10,
    },
    secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/db' }],
    dependsOn: [{ containerName: 'sidecar', condition: 'HEALTHY' }],
    startTimeout: 30,
    stopTimeout: 300,
    versionConsistency: 'disabled',
    hostname: 'app',
    user: '1000:1000',
    workingDirectory: '/srv',
    disableNetworking: false,
    privileged: true,
    readonlyRootFilesystem: true,
    dnsServers: ['10.0.0.2'],
    dnsSearchDomains: ['shop.internal'],
    extraHosts: [{ hostname: 'db', ipAddress: '10.0.0.5' }],
    dockerSecurityOptions: ['no-new-privileges'],
    interactive: false,
    pseudoTerminal: false,
    dockerLabels: { team: 'edge' },
    ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }],
    logConfiguration: {
      logDriver: 'awsfirelens',
      options: { Name: 'cloudwatch' },
      secretOptions: [
        { name: 'apikey', valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:k' },
      ],
    },
    healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8080/ || exit 1'], interval: 10 },
    systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }],
    resourceRequirements: [{ type: 'GPU', value: '1' }],
    firelensConfiguration: { type: 'fluentbit', options: { 'enable-ecs-log-metadata': 'true' } },
    credentialSpecs: ['credentialspecdomainless:arn:aws:s3:::bucket/spec.json'],
  };
}

/** A second container for `everyFieldContainer` to link to, take volumes from and wait for. */
export function sidecarContainer(): ContainerDefinition {
  return {
    name: 'sidecar',
    image: 'busybox:1.36',
    cpu: 0,
    memoryReservation: 32,
    portMappings: [],
    essential: false,
    environment: [],
    mountPoints: [],
    volumesFrom: [],
    systemControls: [],
    healthCheck: { command: ['CMD', 'true'], interval: 5, timeout: 2, retries: 1, startPeriod: 0 },
  };
}

/** An ECS Anywhere definition using every container member (host and Docker volumes only). */
export function kitchenSinkExternal(): RegisterTaskDefinitionRequest {
  return {
    family: 'kitchen-sink',
    taskRoleArn: 'arn:aws:iam::123456789012:role/app',
    executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
    networkMode: 'bridge',
    requiresCompatibilities: ['EXTERNAL'],
    containerDefinitions: [everyFieldContainer(), sidecarContainer()],
    volumes: [
      { name: 'data', host: { sourcePath: '/srv/data' } },
      {
        name: 'cache',
        dockerVolumeConfiguration: {
          scope: 'shared',
          autoprovision: true,
          driver: 'local',
          labels: { a: 'b' },
        },
      },
    ],
    placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.cpu-architecture == arm64' }],
    cpu: '1 vCPU',
    memory: '2GB',
    pidMode: 'task',
    ipcMode: 'task',
    runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
    tags: [{ key: 'team', value: 'edge' }],
  };
}

/** Every member of the request at once; only EC2 accepts all of them together. */
export function everyFieldRequest(): Required<RegisterTaskDefinitionRequest> {
  return {
    family: 'everything',
    taskRoleArn: 'arn:aws:iam::123456789012:role/app',
    executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
    networkMode: 'bridge',
    containerDefinitions: [everyFieldContainer(), sidecarContainer()],
    volumes: [
      { name: 'data', host: { sourcePath: '/srv/data' } },
      { name: 'scratch', host: {} },
      { name: 'cache', dockerVolumeConfiguration: { scope: 'task', driver: 'local' } },
      { name: 'efs', efsVolumeConfiguration: { fileSystemId: 'fs-1234', transitEncryption: 'ENABLED' } },
      {
        name: 'fsx',
        fsxWindowsFileServerVolumeConfiguration: {
          fileSystemId: 'fs-5678',
          rootDirectory: '\\share',
          authorizationConfig: { credentialsParameter: 'arn:aws:ssm:::parameter/fsx', domain: 'corp' },
        },
      },
      { name: 'ebs', configuredAtLaunch: true },
    ],
    placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' }],
    requiresCompatibilities: ['EC2'],
    cpu: '2048',
    memory: '4096',
    tags: [{ key: 'team', value: 'edge' }],
    pidMode: 'task',
    ipcMode: 'task',
    proxyConfiguration: {
      type: 'APPMESH',
      containerName: 'sidecar',
      properties: [{ name: 'AppPorts', value: '80' }],
    },
    inferenceAccelerators: [{ deviceName: 'device1', deviceType: 'eia2.medium' }],
    ephemeralStorage: { sizeInGiB: 30 },
    runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
    enableFaultInjection: true,
  };
}

/** Asserts that `fn` throws an ApiError with `code` whose message contains `fragment`. */
export function assertApiError(fn: () => unknown, code: ErrorCode, fragment: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isApiError(e), `expected an ApiError, got ${String(e)}`);
    assert.equal(e.code, code, `wrong code for: ${e.message}`);
    assert.ok(
      e.message.includes(fragment),
      `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(fragment)}`,
    );
    return true;
  });
}

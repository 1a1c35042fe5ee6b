import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDefinition, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { computeRequiresAttributes } from './index.js';

const base: ContainerDefinition = { name: 'a', image: 'busybox', memory: 64 };
const names = (
  input: Partial<RegisterTaskDefinitionRequest>,
  c: Partial<ContainerDefinition> = {},
): string[] =>
  computeRequiresAttributes({ family: 'f', containerDefinitions: [{ ...base, ...c }], ...input }).map(
    (a) => a.name,
  );
const L = 'com.amazonaws.ecs.capability.';
const E = 'ecs.capability.';

describe('computeRequiresAttributes', () => {
  it('asks nothing of a plain container', () => assert.deepStrictEqual(names({}), []));

  const table: [string, Partial<RegisterTaskDefinitionRequest>, Partial<ContainerDefinition>, string[]][] = [
    ['task role', { taskRoleArn: 'arn:aws:iam::1:role/r' }, {}, [`${L}task-iam-role`]],
    [
      'task role on the host network',
      { taskRoleArn: 'r', networkMode: 'host' },
      {},
      [`${L}task-iam-role`, `${L}task-iam-role-network-host`],
    ],
    ['awsvpc', { networkMode: 'awsvpc' }, {}, [`${E}task-eni`]],
    ['pidMode', { pidMode: 'task' }, {}, [`${E}pid-ipc-namespace-sharing`]],
    ['privileged', {}, { privileged: true }, [`${L}privileged-container`]],
    ['not privileged', {}, { privileged: false }, []],
    ['memoryReservation', {}, { memoryReservation: 32 }, [`${L}docker-remote-api.1.21`]],
    ['dockerLabels', {}, { dockerLabels: { a: 'b' } }, [`${L}docker-remote-api.1.18`]],
    [
      'ulimits',
      {},
      { ulimits: [{ name: 'nofile', softLimit: 1, hardLimit: 1 }] },
      [`${L}docker-remote-api.1.18`],
    ],
    [
      'json-file logging',
      {},
      { logConfiguration: { logDriver: 'json-file' } },
      [`${L}docker-remote-api.1.18`, `${L}logging-driver.json-file`],
    ],
    [
      'awslogs with an execution role',
      { executionRoleArn: 'arn:aws:iam::1:role/x' },
      { logConfiguration: { logDriver: 'awslogs' } },
      [
        `${L}docker-remote-api.1.18`,
        `${L}docker-remote-api.1.19`,
        `${L}logging-driver.awslogs`,
        `${E}execution-role-awslogs`,
      ],
    ],
    ['init process', {}, { linuxParameters: { initProcessEnabled: true } }, [`${L}docker-remote-api.1.25`]],
    ['health check', {}, { healthCheck: { command: ['CMD', 'true'] } }, [`${E}container-health-check`]],
    [
      'dependsOn',
      {},
      { dependsOn: [{ containerName: 'b', condition: 'START' }] },
      [`${E}container-ordering`],
    ],
    ['restart policy', {}, { restartPolicy: { enabled: true } }, [`${E}container-restart-policy`]],
    [
      'port range',
      {},
      { portMappings: [{ containerPortRange: '1-2' }] },
      [`${E}network.container-port-range`],
    ],
    [
      'private registry',
      {},
      { repositoryCredentials: { credentialsParameter: 'x' } },
      [`${E}private-registry-authentication.secretsmanager`],
    ],
    [
      'secrets from both stores',
      {},
      {
        secrets: [
          { name: 'A', valueFrom: 'arn:aws:secretsmanager:r:1:secret:a' },
          { name: 'B', valueFrom: '/param/b' },
        ],
      },
      [`${E}secrets.asm.environment-variables`, `${E}secrets.ssm.environment-variables`],
    ],
    ['environment files', {}, { environmentFiles: [{ type: 's3', value: 'arn' }] }, [`${E}env-files.s3`]],
    ['FireLens router', {}, { firelensConfiguration: { type: 'fluentbit' } }, [`${E}firelens.fluentbit`]],
    [
      'ECR image with an execution role',
      { executionRoleArn: 'x' },
      { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1' },
      [`${L}ecr-auth`, `${E}execution-role-ecr-pull`],
    ],
    [
      'Docker volume',
      { volumes: [{ name: 'v', dockerVolumeConfiguration: { scope: 'shared' } }] },
      {},
      [`${E}docker-plugin.local`],
    ],
  ];
  for (const [name, input, c, expected] of table) {
    it(name, () => assert.deepStrictEqual(names(input, c), [...expected].sort()));
  }
});

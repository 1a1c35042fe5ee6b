/** The table-driven harness of the validation tests: one valid definition, broken one way per case. */
import { describe, it } from 'node:test';
import type { ContainerDefinition, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import type { ErrorCode } from '../../../ecs/errors.js';
import { validateTaskDefinitionInput } from '../validate-task.js';
import { assertApiError } from './fixtures.js';

/** A valid ECS Anywhere definition each case breaks in one way. */
export function base(): RegisterTaskDefinitionRequest {
  return {
    family: 'shop',
    requiresCompatibilities: ['EXTERNAL'],
    networkMode: 'bridge',
    cpu: '1024',
    memory: '1024',
    volumes: [{ name: 'data', host: { sourcePath: '/srv/data' } }],
    containerDefinitions: [
      {
        name: 'web',
        image: 'nginx:1.25',
        cpu: 256,
        memory: 256,
        portMappings: [{ containerPort: 80, hostPort: 8080 }],
        mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }],
      },
      {
        name: 'sidecar',
        image: 'busybox',
        memory: 64,
        essential: false,
        healthCheck: { command: ['CMD', 'true'] },
      },
    ],
  };
}

export const web = (i: RegisterTaskDefinitionRequest): ContainerDefinition =>
  i.containerDefinitions?.[0] as ContainerDefinition;
export const side = (i: RegisterTaskDefinitionRequest): ContainerDefinition =>
  i.containerDefinitions?.[1] as ContainerDefinition;
export const C: ErrorCode = 'ClientException';
export const P: ErrorCode = 'InvalidParameterException';

/** A refused definition: how to break `base()`, and the error code and message fragment ECS users get. */
export type Case = [
  name: string,
  mutate: (i: RegisterTaskDefinitionRequest) => void,
  code: ErrorCode,
  fragment: string,
];

export function refuses(title: string, cases: readonly Case[]): void {
  describe(title, () => {
    it('accepts the base definition', () => validateTaskDefinitionInput(base()));
    for (const [name, mutate, code, fragment] of cases) {
      it(name, () => {
        const input = base();
        mutate(input);
        assertApiError(() => validateTaskDefinitionInput(input), code, fragment);
      });
    }
  });
}

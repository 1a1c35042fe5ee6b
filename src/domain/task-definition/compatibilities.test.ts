import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Compatibility, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { computeCompatibilities, incompatibilityReasons } from './index.js';

const container = { name: 'a', image: 'busybox', memory: 64 };
const def = (extra: Partial<RegisterTaskDefinitionRequest>): RegisterTaskDefinitionRequest => ({
  family: 'f',
  containerDefinitions: [container],
  ...extra,
});

describe('computeCompatibilities', () => {
  const table: [string, RegisterTaskDefinitionRequest, Compatibility[]][] = [
    ['default bridge', def({}), ['EXTERNAL', 'EC2']],
    ['host', def({ networkMode: 'host' }), ['EXTERNAL', 'EC2']],
    ['none', def({ networkMode: 'none' }), ['EXTERNAL', 'EC2']],
    ['awsvpc without a task size', def({ networkMode: 'awsvpc' }), ['EC2']],
    [
      'awsvpc with a Fargate size',
      def({ networkMode: 'awsvpc', cpu: '256', memory: '512' }),
      ['EC2', 'FARGATE'],
    ],
    ['awsvpc with a size Fargate lacks', def({ networkMode: 'awsvpc', cpu: '256', memory: '4096' }), ['EC2']],
    [
      'EFS volume',
      def({ volumes: [{ name: 'v', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }] }),
      ['EC2'],
    ],
    [
      'MANAGED_INSTANCES when asked for',
      def({ requiresCompatibilities: ['MANAGED_INSTANCES'] }),
      ['EXTERNAL', 'EC2', 'MANAGED_INSTANCES'],
    ],
    [
      'privileged on awsvpc with a Fargate size',
      def({
        networkMode: 'awsvpc',
        cpu: '512',
        memory: '1024',
        containerDefinitions: [{ ...container, privileged: true }],
      }),
      ['EC2'],
    ],
  ];
  for (const [name, input, expected] of table) {
    it(name, () => assert.deepStrictEqual(computeCompatibilities(input), expected));
  }

  it('explains every launch type left out', () => {
    const input = def({ networkMode: 'awsvpc', pidMode: 'host' });
    assert.deepStrictEqual(incompatibilityReasons(input, 'EC2'), []);
    assert.match(incompatibilityReasons(input, 'EXTERNAL').join(' '), /awsvpc/);
    const fargate = incompatibilityReasons(input, 'FARGATE').join(' ');
    assert.match(fargate, /'cpu' be defined/);
    assert.match(fargate, /pidMode 'host'/);
  });
});

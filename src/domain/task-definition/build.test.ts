import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { buildTaskDefinition, validateTaskDefinitionInput } from './index.js';
import type { TaskDefinitionContext } from './index.js';
import { everyFieldRequest, kitchenSinkExternal, nginxAnnouncement } from './testing/fixtures.js';

const registeredAt = new Date('2021-05-26T12:00:00.000Z');
const ctx = (family: string): TaskDefinitionContext => ({
  arn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:1`,
  revision: 1,
  registeredAt,
  registeredBy: 'arn:aws:iam::123456789012:root',
});

function register(input: RegisterTaskDefinitionRequest) {
  validateTaskDefinitionInput(input);
  return buildTaskDefinition(input, ctx(input.family ?? ''));
}

describe('buildTaskDefinition', () => {
  it('builds the ECS Anywhere announcement definition as ECS returns it', () => {
    assert.deepStrictEqual(register(nginxAnnouncement()), {
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/nginx:1',
      containerDefinitions: [
        {
          name: 'nginx',
          image: 'public.ecr.aws/nginx/nginx:latest',
          cpu: 256,
          memory: 256,
          portMappings: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }],
          essential: true,
          environment: [],
          mountPoints: [],
          volumesFrom: [],
          systemControls: [],
        },
      ],
      family: 'nginx',
      networkMode: 'bridge',
      revision: 1,
      volumes: [],
      status: 'ACTIVE',
      requiresAttributes: [],
      placementConstraints: [],
      compatibilities: ['EXTERNAL', 'EC2'],
      requiresCompatibilities: ['EXTERNAL'],
      registeredAt,
      registeredBy: 'arn:aws:iam::123456789012:root',
    });
  });

  it('orders members as the ECS model does', () => {
    const built = register(nginxAnnouncement());
    assert.deepStrictEqual(Object.keys(built).slice(0, 4), [
      'taskDefinitionArn',
      'containerDefinitions',
      'family',
      'networkMode',
    ]);
    assert.deepStrictEqual(Object.keys(built.containerDefinitions?.[0] ?? {}).slice(0, 3), [
      'name',
      'image',
      'cpu',
    ]);
  });

  for (const [name, make] of [
    ['an ECS Anywhere kitchen sink', kitchenSinkExternal],
    ['a request with every member (EC2)', everyFieldRequest],
  ] as const) {
    it(`round-trips every container member of ${name}`, () => {
      const input = make();
      const built = register(input);
      assert.deepStrictEqual(built.containerDefinitions, input.containerDefinitions);
      for (const [key, value] of Object.entries(input)) {
        if (key === 'tags' || key === 'cpu' || key === 'memory' || key === 'containerDefinitions') continue;
        assert.deepStrictEqual(built[key as keyof typeof built], value, `member ${key}`);
      }
      assert.equal('tags' in built, false, 'tags travel beside the task definition, not inside it');
    });
  }

  it('normalises task cpu and memory to integer strings', () => {
    const built = register(kitchenSinkExternal());
    assert.equal(built.cpu, '1024');
    assert.equal(built.memory, '2048');
    const plain = register({ ...nginxAnnouncement(), cpu: ' 512 ', memory: '0.5 gb' });
    assert.equal(plain.cpu, '512');
    assert.equal(plain.memory, '512');
  });

  it('computes compatibilities and required attributes of the kitchen sinks', () => {
    assert.deepStrictEqual(register(kitchenSinkExternal()).compatibilities, ['EXTERNAL', 'EC2']);
    assert.deepStrictEqual(register(everyFieldRequest()).compatibilities, ['EC2']);
    const names = (register(kitchenSinkExternal()).requiresAttributes ?? []).map((a) => a.name);
    assert.deepStrictEqual(names, [...names].sort());
    for (const expected of [
      'com.amazonaws.ecs.capability.task-iam-role',
      'com.amazonaws.ecs.capability.privileged-container',
      'com.amazonaws.ecs.capability.logging-driver.awsfirelens',
      'ecs.capability.container-health-check',
      'ecs.capability.container-ordering',
      'ecs.capability.docker-plugin.local',
    ]) {
      assert.ok(names.includes(expected), `missing ${expected}`);
    }
  });

  it('fills ECS defaults for a minimal container', () => {
    const built = register({
      family: 'minimal',
      containerDefinitions: [
        { name: 'web', image: 'busybox', memory: 64, portMappings: [{ containerPort: 80 }] },
      ],
    });
    assert.deepStrictEqual(built.containerDefinitions?.[0], {
      name: 'web',
      image: 'busybox',
      cpu: 0,
      memory: 64,
      portMappings: [{ containerPort: 80, protocol: 'tcp' }],
      essential: true,
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
    });
    assert.equal(built.networkMode, 'bridge');
    assert.equal('requiresCompatibilities' in built, false, 'omitted when not given, as ECS does');
    assert.equal('cpu' in built, false);
  });

  it('fills hostPort from containerPort in host and awsvpc modes only', () => {
    for (const [networkMode, hostPort] of [
      ['host', 80],
      ['awsvpc', 80],
      ['bridge', undefined],
    ] as const) {
      const built = register({
        family: 'ports',
        networkMode,
        containerDefinitions: [
          { name: 'web', image: 'busybox', memory: 64, portMappings: [{ containerPort: 80 }] },
        ],
      });
      assert.equal(built.containerDefinitions?.[0]?.portMappings?.[0]?.hostPort, hostPort, networkMode);
    }
  });

  it('shows an unconfigured volume as a host volume', () => {
    const built = register({
      family: 'vols',
      volumes: [{ name: 'scratch' }],
      containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64 }],
    });
    assert.deepStrictEqual(built.volumes, [{ name: 'scratch', host: {} }]);
  });

  it('omits registeredBy when unknown, keeps fields it does not know, and does not alias the input', () => {
    const input = nginxAnnouncement();
    const container = input.containerDefinitions?.[0] as Record<string, unknown>;
    container.futureField = { enabled: true };
    const built = buildTaskDefinition(input, { arn: 'arn', revision: 7, registeredAt });
    assert.equal('registeredBy' in built, false);
    assert.equal(built.revision, 7);
    const out = built.containerDefinitions?.[0] as { futureField?: { enabled: boolean } };
    assert.deepStrictEqual(out.futureField, { enabled: true });
    out.futureField.enabled = false;
    assert.deepStrictEqual(container.futureField, { enabled: true }, 'the input is copied, not shared');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ecsModel } from './load-model.js';
import { expectApiError } from '../testing/api-error.js';
import { inputShapeOf, operationNames, validateInput } from './validate-input.js';

/** The nginx task definition from the ECS Anywhere getting-started guide. */
function nginx(): Record<string, unknown> & { containerDefinitions: Record<string, unknown>[] } {
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

function withContainer(patch: Record<string, unknown>): Record<string, unknown> {
  const body = nginx();
  body.containerDefinitions[0] = { ...body.containerDefinitions[0], ...patch };
  return body;
}

const register = (body: unknown) => () => validateInput(ecsModel, 'RegisterTaskDefinition', body);

void describe('validateInput: accepted bodies', () => {
  void it('accepts the nginx task definition', () => {
    validateInput(ecsModel, 'RegisterTaskDefinition', nginx());
  });

  void it('ignores unknown members, as AWS does', () => {
    validateInput(ecsModel, 'RegisterTaskDefinition', { ...nginx(), notAMember: { x: [1, 2] } });
  });

  void it('treats null like an absent optional member', () => {
    validateInput(ecsModel, 'RegisterTaskDefinition', { ...nginx(), networkMode: null, tags: null });
    validateInput(ecsModel, 'RegisterTaskDefinition', withContainer({ memory: null, portMappings: null }));
  });

  void it('leaves what the model does not constrain to the operation (hostPort is a plain BoxedInteger)', () => {
    validateInput(ecsModel, 'RegisterTaskDefinition', withContainer({ portMappings: [{ hostPort: 70000 }] }));
  });

  void it('leaves a container without a name to the operation (ContainerDefinition requires nothing)', () => {
    validateInput(ecsModel, 'RegisterTaskDefinition', { family: 'f', containerDefinitions: [{}] });
  });

  void it('accepts timestamps as epoch seconds or ISO-8601 strings', () => {
    for (const t of [
      1700000000,
      1700000000.123,
      '2024-05-01T12:00:00Z',
      '2024-05-01T12:00:00.5+02:00',
      '2024-05-01',
    ]) {
      validateInput(ecsModel, 'SubmitTaskStateChange', { pullStartedAt: t });
    }
  });

  void it('accepts any JSON in a document member', () => {
    const hook = (hookDetails: unknown) => ({
      serviceName: 's',
      deploymentConfiguration: { lifecycleHooks: [{ hookDetails }] },
    });
    for (const d of [1, 'x', [1, { a: null }], { deep: { er: true } }]) {
      validateInput(ecsModel, 'CreateService', hook(d));
    }
  });

  void it('accepts doubles as numbers and as the non-finite strings awsJson uses', () => {
    const resources = (doubleValue: unknown) => ({ totalResources: [{ name: 'CPU', doubleValue }] });
    for (const v of [1, 2.5, -3, 'NaN', 'Infinity', '-Infinity']) {
      validateInput(ecsModel, 'RegisterContainerInstance', resources(v));
    }
  });

  void it('accepts both ends of every range', () => {
    const strategy = (weight: number, base: number) => ({
      taskDefinition: 'nginx',
      capacityProviderStrategy: [{ capacityProvider: 'cp', weight, base }],
    });
    validateInput(ecsModel, 'RunTask', strategy(0, 0));
    validateInput(ecsModel, 'RunTask', strategy(1000, 100000));
    const tags = Array.from({ length: 50 }, (_, i) => ({ key: 'k'.repeat(128), value: `${i}` }));
    validateInput(ecsModel, 'RegisterTaskDefinition', { ...nginx(), tags });
  });

  void it('counts string lengths in code points', () => {
    // U+1D400 (a letter, so the pattern allows it): 128 of them are 256 UTF-16 units but 128 characters.
    const key = '\u{1D400}'.repeat(128);
    validateInput(ecsModel, 'TagResource', { resourceArn: 'arn', tags: [{ key }] });
    expectApiError(
      () => validateInput(ecsModel, 'TagResource', { resourceArn: 'arn', tags: [{ key: key + 'x' }] }),
      'InvalidParameterException',
      'got 129.',
    );
  });

  void it('accepts Unicode letters, spaces and numbers in tag keys', () => {
    validateInput(ecsModel, 'TagResource', {
      resourceArn: 'arn',
      tags: [{ key: 'Équipe näme 1_.:/=+-@', value: '' }],
    });
  });
});

void describe('validateInput: SerializationException for JSON type mismatches', () => {
  void it('a string where an integer is expected', () => {
    expectApiError(
      register(withContainer({ memory: '256x' })),
      'SerializationException',
      `Unexpected value at 'containerDefinitions[0].memory': expected an integer, got the string "256x".`,
    );
    expectApiError(
      register(withContainer({ memory: '256' })),
      'SerializationException',
      'containerDefinitions[0].memory',
    );
  });

  void it('an object where a list is expected', () => {
    expectApiError(
      register(withContainer({ portMappings: { containerPort: 80 } })),
      'SerializationException',
      `'containerDefinitions[0].portMappings': expected a list, got an object.`,
    );
  });

  void it('a string where a boolean is expected', () => {
    expectApiError(
      register(withContainer({ essential: 'yes' })),
      'SerializationException',
      `'containerDefinitions[0].essential': expected a boolean (true or false), got the string "yes".`,
    );
  });

  void it('a non-integer number, and integers outside the Java int range', () => {
    expectApiError(
      register(withContainer({ cpu: 1.5 })),
      'SerializationException',
      'containerDefinitions[0].cpu',
      'the number 1.5',
    );
    expectApiError(
      register(withContainer({ memory: 2 ** 31 })),
      'SerializationException',
      'expected an integer between -2147483648 and 2147483647, got the number 2147483648.',
    );
    expectApiError(register(withContainer({ memory: -(2 ** 31) - 1 })), 'SerializationException', 'memory');
    validateInput(ecsModel, 'RegisterTaskDefinition', withContainer({ memory: 2 ** 31 - 1 }));
  });

  void it('a long that is not an integer', () => {
    expectApiError(
      () =>
        validateInput(ecsModel, 'RegisterContainerInstance', {
          totalResources: [{ name: 'm', longValue: 1.25 }],
        }),
      'SerializationException',
      `'totalResources[0].longValue': expected an integer`,
    );
  });

  void it('a timestamp that is neither epoch seconds nor ISO-8601', () => {
    for (const t of ['yesterday', '2024-13-45T99:00:00Z', true, [1]]) {
      expectApiError(
        () => validateInput(ecsModel, 'SubmitTaskStateChange', { pullStartedAt: t }),
        'SerializationException',
        `'pullStartedAt': expected a timestamp (epoch seconds or an ISO-8601 string)`,
      );
    }
  });

  void it('a number where a string is expected, and a scalar where an object is expected', () => {
    expectApiError(
      register({ ...nginx(), family: 7 }),
      'SerializationException',
      `'family': expected a string, got the number 7.`,
    );
    expectApiError(
      register({ ...nginx(), containerDefinitions: ['nginx'] }),
      'SerializationException',
      `'containerDefinitions[0]': expected an object, got the string "nginx".`,
    );
  });

  void it('null inside a list or a map', () => {
    expectApiError(
      register({ ...nginx(), requiresCompatibilities: [null] }),
      'SerializationException',
      `'requiresCompatibilities[0]': expected a string, got null.`,
    );
    expectApiError(
      register(withContainer({ dockerLabels: { a: 'b', 'my key': null } })),
      'SerializationException',
      `'containerDefinitions[0].dockerLabels["my key"]': expected a string, got null.`,
    );
  });

  void it('map values of the wrong type, with the key in the path', () => {
    expectApiError(
      register(
        withContainer({ logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 5 } } }),
      ),
      'SerializationException',
      `'containerDefinitions[0].logConfiguration.options["awslogs-group"]': expected a string, got the number 5.`,
    );
  });

  void it('does not echo values of sensitive shapes', () => {
    const e = expectApiError(
      register(withContainer({ environment: [{ name: 'DB_PASSWORD', value: 12345 }] })),
      'SerializationException',
      `'containerDefinitions[0].environment[0].value': expected a string, got a number.`,
    );
    assert.ok(!e.message.includes('12345'));
  });

  void it('wins over a constraint violation elsewhere, as the deserializer runs before validation', () => {
    const body = { networkMode: 'bridged', containerDefinitions: [{ memory: 'lots' }] }; // also no family
    expectApiError(register(body), 'SerializationException', 'containerDefinitions[0].memory');
  });

  void it('requires the body to be a JSON object', () => {
    for (const body of [[], 'x', 1, true, null, undefined]) {
      expectApiError(register(body), 'SerializationException', 'The request body must be a JSON object');
    }
    expectApiError(register([]), 'SerializationException', 'got a list.');
  });
});

void describe('validateInput: InvalidParameterException for constraint violations', () => {
  void it('a missing required member', () => {
    const { family: _family, ...noFamily } = nginx();
    expectApiError(register(noFamily), 'InvalidParameterException', `Missing required parameter 'family'.`);
    expectApiError(
      register({ ...nginx(), family: null }),
      'InvalidParameterException',
      `Missing required parameter 'family'.`,
    );
  });

  void it('a missing required member of a nested structure, with its path', () => {
    expectApiError(
      () => validateInput(ecsModel, 'PutAttributes', { attributes: [{ name: 'a' }, { value: 'v' }] }),
      'InvalidParameterException',
      `Missing required parameter 'attributes[1].name'.`,
    );
    expectApiError(
      () =>
        validateInput(ecsModel, 'CreateService', {
          serviceName: 's',
          serviceConnectConfiguration: {
            enabled: true,
            services: [{ portName: 'web', clientAliases: [{}] }],
          },
        }),
      'InvalidParameterException',
      `Missing required parameter 'serviceConnectConfiguration.services[0].clientAliases[0].port'.`,
    );
  });

  void it('an enum violation, listing the valid values in the model order', () => {
    expectApiError(
      () => validateInput(ecsModel, 'RunTask', { taskDefinition: 'nginx', launchType: 'FOO' }),
      'InvalidParameterException',
      `Invalid value 'FOO' for 'launchType'. Valid values: EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES.`,
    );
    expectApiError(
      register({ ...nginx(), networkMode: 'bridged' }),
      'InvalidParameterException',
      `Invalid value 'bridged' for 'networkMode'. Valid values: bridge, host, awsvpc, none.`,
    );
    expectApiError(
      register(withContainer({ portMappings: [{ containerPort: 80, protocol: 'TCP' }] })),
      'InvalidParameterException',
      `'containerDefinitions[0].portMappings[0].protocol'. Valid values: tcp, udp.`,
    );
    expectApiError(
      register({ ...nginx(), requiresCompatibilities: ['EXTERNAL', 'external'] }),
      'InvalidParameterException',
      `'requiresCompatibilities[1]'`,
    );
  });

  void it('too many items in a list', () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expectApiError(
      register({ ...nginx(), tags }),
      'InvalidParameterException',
      `Invalid number of items in 'tags': must be between 0 and 50, got 51.`,
    );
  });

  void it('a string that is too long or too short', () => {
    expectApiError(
      register({ ...nginx(), tags: [{ key: 'k'.repeat(129), value: 'v' }] }),
      'InvalidParameterException',
      `Invalid length for 'tags[0].key': must be between 1 and 128 characters, got 129.`,
    );
    expectApiError(
      register({ ...nginx(), tags: [{ key: '' }] }),
      'InvalidParameterException',
      `'tags[0].key': must be between 1 and 128 characters, got 0.`,
    );
    expectApiError(
      register({ ...nginx(), tags: [{ key: 'k', value: 'v'.repeat(257) }] }),
      'InvalidParameterException',
      `'tags[0].value': must be between 0 and 256 characters, got 257.`,
    );
  });

  void it('a string that fails its pattern', () => {
    expectApiError(
      register({ ...nginx(), tags: [{ key: 'team!', value: 'v' }] }),
      'InvalidParameterException',
      `Invalid value 'team!' for 'tags[0].key': must match the pattern ([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*).`,
    );
    expectApiError(
      register({ ...nginx(), tags: [{ key: 'k', value: 'a\nb' }] }),
      'InvalidParameterException',
      `'tags[0].value': must match the pattern`,
    );
  });

  void it('a number outside its range', () => {
    const run = (item: Record<string, unknown>) => () =>
      validateInput(ecsModel, 'RunTask', {
        taskDefinition: 'nginx',
        capacityProviderStrategy: [{ capacityProvider: 'cp', ...item }],
      });
    expectApiError(
      run({ weight: 1001 }),
      'InvalidParameterException',
      `Invalid value 1001 for 'capacityProviderStrategy[0].weight': must be between 0 and 1000.`,
    );
    expectApiError(
      run({ base: -1 }),
      'InvalidParameterException',
      `Invalid value -1 for 'capacityProviderStrategy[0].base': must be between 0 and 100000.`,
    );
    expectApiError(
      () =>
        validateInput(ecsModel, 'CreateService', {
          serviceName: 's',
          serviceConnectConfiguration: {
            enabled: true,
            services: [{ portName: 'web', ingressPortOverride: 70000 }],
          },
        }),
      'InvalidParameterException',
      `Invalid value 70000 for 'serviceConnectConfiguration.services[0].ingressPortOverride': must be between 0 and 65535.`,
    );
  });

  void it('reports the first problem in member order', () => {
    // family comes before containerDefinitions in RegisterTaskDefinitionRequest.
    expectApiError(
      register({ containerDefinitions: [], networkMode: 'x' }),
      'InvalidParameterException',
      `'family'`,
    );
    expectApiError(register({ family: 'f', networkMode: 'x' }), 'InvalidParameterException', `'networkMode'`);
    expectApiError(
      register({ family: 'f', containerDefinitions: [], networkMode: 'x', tags: [{ key: '' }] }),
      'InvalidParameterException',
      `'networkMode'`,
    );
  });

  void it('clips long values in messages', () => {
    const e = expectApiError(
      register({ ...nginx(), networkMode: 'x'.repeat(5000) }),
      'InvalidParameterException',
      `'networkMode'`,
    );
    assert.ok(e.message.length < 300, e.message);
  });
});

void describe('validateInput: operations', () => {
  void it('rejects an operation the model does not define, including Object.prototype names', () => {
    for (const op of ['NoSuchThing', 'constructor', 'toString', '__proto__']) {
      expectApiError(() => validateInput(ecsModel, op, {}), 'UnknownOperationException', op);
    }
  });

  void it('lists the operations, sorted', () => {
    const names = operationNames(ecsModel);
    assert.ok(names.includes('RegisterTaskDefinition') && names.includes('SubmitTaskStateChange'));
    assert.deepEqual(names, [...names].sort());
    assert.equal(names.length, Object.keys(ecsModel.operations).length);
  });

  void it('gives the input shape of an operation', () => {
    const shape = inputShapeOf(ecsModel, 'RegisterTaskDefinition');
    assert.equal(shape?.type, 'structure');
    assert.deepEqual(shape?.required, ['family', 'containerDefinitions']);
    assert.equal(Object.keys(shape?.members ?? {})[0], 'family');
    assert.equal(inputShapeOf(ecsModel, 'NoSuchThing'), undefined);
    assert.equal(inputShapeOf(ecsModel, 'constructor'), undefined);
  });
});

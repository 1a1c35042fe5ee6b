import { describe, it } from 'node:test';
import { logsModel, ssmModel } from './load-model.js';
import { expectApiError } from '../testing/api-error.js';
import { validateInput } from './validate-input.js';

void describe('validateInput against the SSM model', () => {
  const activation = (body: Record<string, unknown>) => () =>
    validateInput(ssmModel, 'CreateActivation', body);
  const role = { IamRole: 'SSMServiceRole' };

  void it('accepts a CreateActivation as the ECS Anywhere guide sends it', () => {
    validateInput(ssmModel, 'CreateActivation', {
      IamRole: 'ecsAnywhereRole',
      RegistrationLimit: 10,
      DefaultInstanceName: 'edge host',
      ExpirationDate: '2030-01-01T00:00:00Z',
      Tags: [{ Key: 'site', Value: 'lyon-3' }],
    });
  });

  void it('requires IamRole', () => {
    expectApiError(
      activation({ RegistrationLimit: 5 }),
      'InvalidParameterException',
      `Missing required parameter 'IamRole'.`,
    );
  });

  void it('keeps RegistrationLimit within 1..1000', () => {
    validateInput(ssmModel, 'CreateActivation', { ...role, RegistrationLimit: 1000 });
    expectApiError(
      activation({ ...role, RegistrationLimit: 0 }),
      'InvalidParameterException',
      `Invalid value 0 for 'RegistrationLimit': must be between 1 and 1000.`,
    );
    expectApiError(
      activation({ ...role, RegistrationLimit: 1001 }),
      'InvalidParameterException',
      `'RegistrationLimit': must be between 1 and 1000.`,
    );
    expectApiError(
      activation({ ...role, RegistrationLimit: '5' }),
      'SerializationException',
      `'RegistrationLimit': expected an integer, got the string "5".`,
    );
  });

  void it('checks IamRole length and anchored patterns', () => {
    expectApiError(
      activation({ IamRole: 'r'.repeat(65) }),
      'InvalidParameterException',
      `'IamRole': must be at most 64 characters, got 65.`,
    );
    expectApiError(
      activation({ ...role, DefaultInstanceName: 'bad|name' }),
      'InvalidParameterException',
      `Invalid value 'bad|name' for 'DefaultInstanceName': must match`,
    );
    expectApiError(
      activation({ ...role, Tags: [{ Key: 'k' }] }),
      'InvalidParameterException',
      `Missing required parameter 'Tags[0].Value'.`,
    );
  });

  void it('checks managed instance ids with their alternation pattern', () => {
    validateInput(ssmModel, 'DeregisterManagedInstance', { InstanceId: 'mi-0123456789abcdef0' });
    expectApiError(
      () => validateInput(ssmModel, 'DeregisterManagedInstance', { InstanceId: 'i-0123456789abcdef0' }),
      'InvalidParameterException',
      `for 'InstanceId'`,
    );
  });

  void it('checks DescribeActivations filter keys against their enum', () => {
    validateInput(ssmModel, 'DescribeActivations', {
      Filters: [{ FilterKey: 'ActivationIds', FilterValues: ['x'] }],
    });
    expectApiError(
      () => validateInput(ssmModel, 'DescribeActivations', { Filters: [{ FilterKey: 'Ids' }] }),
      'InvalidParameterException',
      `Invalid value 'Ids' for 'Filters[0].FilterKey'. Valid values: ActivationIds, DefaultInstanceName, IamRole.`,
    );
  });
});

void describe('validateInput against the CloudWatch Logs model', () => {
  const put = (body: Record<string, unknown>) => () => validateInput(logsModel, 'PutLogEvents', body);
  const stream = { logGroupName: '/ecs/nginx', logStreamName: 'ecs/nginx/abc' };

  void it('accepts PutLogEvents as the awslogs driver sends it', () => {
    validateInput(logsModel, 'PutLogEvents', {
      ...stream,
      logEvents: [{ timestamp: 1700000000000, message: 'hello' }],
    });
  });

  void it('requires at least one event, each with a timestamp and a non-empty message', () => {
    expectApiError(
      put({ ...stream, logEvents: [] }),
      'InvalidParameterException',
      `Invalid number of items in 'logEvents': must be between 1 and 10000, got 0.`,
    );
    expectApiError(
      put({ ...stream, logEvents: [{ message: 'm' }] }),
      'InvalidParameterException',
      `Missing required parameter 'logEvents[0].timestamp'.`,
    );
    expectApiError(
      put({ ...stream, logEvents: [{ timestamp: 1, message: '' }] }),
      'InvalidParameterException',
      `'logEvents[0].message': must be at least 1 characters, got 0.`,
    );
  });

  void it('checks a long timestamp for type and range', () => {
    expectApiError(
      put({ ...stream, logEvents: [{ timestamp: 1.5, message: 'm' }] }),
      'SerializationException',
      `'logEvents[0].timestamp': expected an integer, got the number 1.5.`,
    );
    expectApiError(
      put({ ...stream, logEvents: [{ timestamp: -1, message: 'm' }] }),
      'InvalidParameterException',
      `Invalid value -1 for 'logEvents[0].timestamp': must be at least 0.`,
    );
  });

  void it('checks log group names against their pattern and length', () => {
    expectApiError(
      () => validateInput(logsModel, 'CreateLogGroup', { logGroupName: 'my group' }),
      'InvalidParameterException',
      `Invalid value 'my group' for 'logGroupName': must match the pattern [\\.\\-_/#A-Za-z0-9]+.`,
    );
    expectApiError(
      () => validateInput(logsModel, 'CreateLogGroup', { logGroupName: 'g'.repeat(513) }),
      'InvalidParameterException',
      `must be between 1 and 512 characters, got 513.`,
    );
    expectApiError(
      () => validateInput(logsModel, 'CreateLogStream', { logGroupName: 'g', logStreamName: 'a:b' }),
      'InvalidParameterException',
      `'logStreamName': must match the pattern [^:*]*.`,
    );
  });

  void it('checks the keys of the tags map as well as its size', () => {
    validateInput(logsModel, 'CreateLogGroup', { logGroupName: 'g', tags: { team: 'infra' } });
    expectApiError(
      () => validateInput(logsModel, 'CreateLogGroup', { logGroupName: 'g', tags: {} }),
      'InvalidParameterException',
      `Invalid number of entries in 'tags': must be between 1 and 50, got 0.`,
    );
    expectApiError(
      () => validateInput(logsModel, 'CreateLogGroup', { logGroupName: 'g', tags: { 'bad!key': 'v' } }),
      'InvalidParameterException',
      `Invalid value 'bad!key' for a key of 'tags': must match`,
    );
    expectApiError(
      () => validateInput(logsModel, 'CreateLogGroup', { logGroupName: 'g', tags: { k: 'bad!value' } }),
      'InvalidParameterException',
      `Invalid value 'bad!value' for 'tags["k"]': must match`,
    );
  });

  void it('checks GetLogEvents limits', () => {
    expectApiError(
      () => validateInput(logsModel, 'GetLogEvents', { logStreamName: 's', limit: 10001 }),
      'InvalidParameterException',
      `'limit': must be between 1 and 10000.`,
    );
    expectApiError(
      () => validateInput(logsModel, 'GetLogEvents', { logStreamName: 's', startFromHead: 'true' }),
      'SerializationException',
      `'startFromHead': expected a boolean`,
    );
  });

  void it('knows only the operations Berth serves', () => {
    expectApiError(() => validateInput(logsModel, 'StartQuery', {}), 'UnknownOperationException');
  });
});

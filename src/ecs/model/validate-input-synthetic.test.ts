// Shape features the bundled models' subset barely uses (blobs, unions, floats, map key enums), on a small
// hand-written model.
import { describe, it } from 'node:test';
import { parseServiceModel } from './service-model.js';
import { expectApiError } from '../testing/api-error.js';
import { validateInput } from './validate-input.js';

const model = parseServiceModel(
  {
    metadata: { targetPrefix: 'Test', jsonVersion: '1.1', signingName: 'test', apiVersion: '2020-01-01' },
    operations: {
      Put: { input: 'PutInput', output: null, errors: [] },
      Ping: { input: null, output: null, errors: [] },
    },
    shapes: {
      PutInput: {
        type: 'structure',
        members: {
          data: { shape: 'Data' },
          choice: { shape: 'Choice' },
          ratio: { shape: 'Ratio' },
          limits: { shape: 'Limits' },
          secret: { shape: 'Secret' },
        },
      },
      Data: { type: 'blob', min: 1, max: 4 },
      Choice: { type: 'structure', union: true, members: { a: { shape: 'Str' }, b: { shape: 'Str' } } },
      Ratio: { type: 'float', min: 0, max: 1 },
      Limits: { type: 'map', key: { shape: 'LimitName' }, value: { shape: 'Int' }, max: 2 },
      LimitName: { type: 'string', enum: ['cpu', 'memory'] },
      Secret: { type: 'string', sensitive: true, enum: ['open-sesame'] },
      Str: { type: 'string' },
      Int: { type: 'integer' },
    },
  },
  'synthetic',
);

const put = (body: unknown) => () => validateInput(model, 'Put', body);

void describe('validateInput on a synthetic model', () => {
  void it('accepts a full valid body, and any object for an operation without input', () => {
    put({
      data: 'AQID',
      choice: { b: 'x' },
      ratio: 0.5,
      limits: { cpu: 1, memory: 2 },
      secret: 'open-sesame',
    })();
    validateInput(model, 'Ping', { anything: 1 });
    expectApiError(() => validateInput(model, 'Ping', 'x'), 'SerializationException');
  });

  void it('wants blobs as base64 and measures them in bytes', () => {
    expectApiError(
      put({ data: 'not base64!' }),
      'SerializationException',
      `'data': expected a base64-encoded string, got the string "not base64!".`,
    );
    expectApiError(put({ data: 42 }), 'SerializationException', `'data': expected a base64-encoded string`);
    put({ data: 'AQIDBA==' })();
    expectApiError(
      put({ data: 'AQIDBAU=' }),
      'InvalidParameterException',
      `Invalid length for 'data': must be between 1 and 4 bytes, got 5.`,
    );
  });

  void it('wants exactly one member of a union', () => {
    expectApiError(
      put({ choice: {} }),
      'InvalidParameterException',
      `Invalid value for 'choice': set exactly one of a, b; got 0.`,
    );
    expectApiError(put({ choice: { a: 'x', b: 'y' } }), 'InvalidParameterException', 'got 2.');
    put({ choice: { a: 'x', b: null } })();
  });

  void it('checks float ranges, including NaN against a bounded float', () => {
    expectApiError(
      put({ ratio: 1.5 }),
      'InvalidParameterException',
      `Invalid value 1.5 for 'ratio': must be between 0 and 1.`,
    );
    expectApiError(put({ ratio: 'NaN' }), 'InvalidParameterException', `'ratio': must be between 0 and 1.`);
    expectApiError(
      put({ ratio: 1e39 }),
      'SerializationException',
      `'ratio': expected a number in the range of a float`,
    );
    expectApiError(
      put({ ratio: 'half' }),
      'SerializationException',
      `'ratio': expected a number, got the string "half".`,
    );
  });

  void it('checks map keys against their enum and the map size', () => {
    expectApiError(
      put({ limits: { gpu: 1 } }),
      'InvalidParameterException',
      `Invalid value 'gpu' for a key of 'limits'. Valid values: cpu, memory.`,
    );
    expectApiError(
      put({ limits: { cpu: 1, memory: 2, x: 3 } }),
      'InvalidParameterException',
      `Invalid number of entries in 'limits': must be at most 2, got 3.`,
    );
    expectApiError(
      put({ limits: { cpu: 1.5 } }),
      'SerializationException',
      `'limits["cpu"]': expected an integer, got the number 1.5.`,
    );
  });

  void it('names sensitive members without their value', () => {
    const e = expectApiError(
      put({ secret: 'guess' }),
      'InvalidParameterException',
      `Invalid value for 'secret'. Valid values: open-sesame.`,
    );
    if (e.message.includes('guess')) throw new Error('leaked a sensitive value');
  });
});

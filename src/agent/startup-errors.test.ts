import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientException, ECSServiceException } from '@aws-sdk/client-ecs';
import { ConfigError } from '../util/options.js';
import { IdentityError, InstanceCredentialsRefusedError } from './identity/index.js';
import { classifyStartupError, EXIT_CODES } from './startup-errors.js';

void describe('start-up failures', () => {
  const ctx = { endpoint: 'http://cp:4650', clusterName: 'edge', dataDir: '/var/lib/berth-agent' };
  const ecsError = (name: string, fault: 'client' | 'server' = 'client') =>
    new ECSServiceException({ name, $fault: fault, $metadata: {}, message: `${name} says no` });

  void it('retries what may pass', () => {
    const missing = classifyStartupError(ecsError('ClusterNotFoundException'), ctx);
    assert.equal(missing.kind, 'retry');
    assert.match(
      missing.message,
      /aws ecs create-cluster --cluster-name edge --endpoint-url http:\/\/cp:4650/,
    );
    assert.equal(classifyStartupError(ecsError('ServerException', 'server'), ctx).kind, 'retry');
    assert.equal(classifyStartupError(new TypeError('fetch failed'), ctx).kind, 'retry');
    assert.equal(
      classifyStartupError(new IdentityError('registration-failed', 'no route', true), ctx).kind,
      'retry',
    );
  });

  void it('stops on what only a person can fix, with the code that says which', () => {
    const code = (e: unknown) => {
      const v = classifyStartupError(e, ctx);
      return v.kind === 'exit' ? v.code : 'retry';
    };
    assert.equal(code(new ConfigError('bad')), EXIT_CODES.config);
    assert.equal(code(new IdentityError('not-registered', 'give the activation')), EXIT_CODES.config);
    assert.equal(code(new IdentityError('registration-failed', 'wrong code', false)), EXIT_CODES.refused);
    assert.equal(
      code(new InstanceCredentialsRefusedError('deregistered', 'InvalidInstanceId', 'gone')),
      EXIT_CODES.refused,
    );
    const inactive = new ClientException({ $metadata: {}, message: 'Container instance x is inactive.' });
    const verdict = classifyStartupError(inactive, ctx);
    assert.equal(verdict.kind === 'exit' && verdict.code, EXIT_CODES.refused);
    assert.match(verdict.message, /inactive.*\/var\/lib\/berth-agent\/state.json/);
  });
});

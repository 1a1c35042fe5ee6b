import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../util/options.js';
import { resolveCredentialsConfig } from './options.js';

const ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

void describe('resolveCredentialsConfig', () => {
  void it('layers flags over the environment over the defaults', () => {
    const config = resolveCredentialsConfig(
      { endpoint: 'http://berth.example:4650/', write: 'creds' },
      {
        BERTH_ENDPOINT: 'http://ignored.example',
        BERTH_ACTIVATION_ID: ID,
        BERTH_ACTIVATION_CODE: 'code',
        BERTH_CREDENTIALS_FILE: '/ignored',
        BERTH_AGENT_LOG_LEVEL: '',
      },
    );
    assert.deepEqual(config, {
      endpoint: 'http://berth.example:4650',
      activationId: ID,
      activationCode: 'code',
      dataDir: '/var/lib/berth-agent',
      file: `${process.cwd()}/creds`,
      logLevel: 'info',
    });
    assert.equal(resolveCredentialsConfig({ endpoint: 'http://b' }, {}).file, '/rotatingcreds/credentials');
  });

  for (const [flags, env, message] of [
    [{}, {}, /--endpoint is required/],
    [{ endpoint: 'http://b', write: '/dir/' }, {}, /--write "\/dir\/" must name a file/],
    [
      { endpoint: 'http://b' },
      { BERTH_CREDENTIALS_FILE: ' ' },
      /BERTH_CREDENTIALS_FILE " " must name a file/,
    ],
    [
      { endpoint: 'http://b' },
      { BERTH_AGENT_LOG_LEVEL: 'loud' },
      /BERTH_AGENT_LOG_LEVEL "loud" must be one of/,
    ],
    [{ endpoint: 'http://b', activationCode: '' }, {}, /--activation-code must not be empty/],
  ] as const) {
    void it(`refuses ${JSON.stringify({ ...flags, ...env })}, naming where the value came from`, () => {
      assert.throws(
        () => resolveCredentialsConfig(flags, env),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
      );
    });
  }
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, resolveServerConfig } from './config.js';

void describe('--logs-max-size', () => {
  const resolveWith = (flags: Parameters<typeof resolveServerConfig>[0], env = {}) =>
    resolveServerConfig({ dataDir: '/tmp/berth-options', ...flags }, env);

  void it('defaults to 1 GiB and reads decimal and binary units, the flag over BERTH_LOGS_MAX_SIZE', () => {
    assert.equal(resolveWith({}).logsMaxBytes, 2 ** 30);
    assert.equal(resolveWith({}, { BERTH_LOGS_MAX_SIZE: '500MB' }).logsMaxBytes, 500e6);
    assert.equal(
      resolveWith({ logsMaxSize: '2gib' }, { BERTH_LOGS_MAX_SIZE: '500MB' }).logsMaxBytes,
      2 * 2 ** 30,
    );
    assert.equal(resolveWith({ logsMaxSize: '1048576' }).logsMaxBytes, 1_048_576);
  });

  void it('refuses sizes below 1 MiB and what is not a size, naming the flag', () => {
    for (const bad of ['1000KB', '10 parsecs', '', '-5MB']) {
      assert.throws(
        () => resolveWith({ logsMaxSize: bad }),
        (e: unknown) => e instanceof ConfigError && /--logs-max-size .* at least 1MiB/.test(e.message),
        bad,
      );
    }
  });
});

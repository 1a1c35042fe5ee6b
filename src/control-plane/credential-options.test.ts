import assert from 'node:assert/strict';
import { isIPv4 } from 'node:net';
import { describe, it } from 'node:test';
import { ConfigError, resolveServerConfig } from './config.js';
import { defaultPublicUrl } from './http/public-url.js';

void describe('credential lifetime and public URL options', () => {
  const resolveWith = (flags: Parameters<typeof resolveServerConfig>[0], env = {}) =>
    resolveServerConfig({ dataDir: '/tmp/berth-options', ...flags }, env);

  void it('defaults to 30-minute credentials and a public URL derived from the listen address', () => {
    const config = resolveWith({});
    assert.equal(config.credentialLifetimeMs, 30 * 60_000);
    assert.equal(config.publicUrl, undefined);
  });

  void it('takes the lifetime from the flag over BERTH_CREDENTIAL_LIFETIME, within 1s..12h', () => {
    assert.equal(resolveWith({}, { BERTH_CREDENTIAL_LIFETIME: '1h' }).credentialLifetimeMs, 3_600_000);
    assert.equal(
      resolveWith({ credentialLifetime: '2s' }, { BERTH_CREDENTIAL_LIFETIME: '1h' }).credentialLifetimeMs,
      2000,
    );
    for (const bad of ['500ms', '13h', 'soon']) {
      assert.throws(
        () => resolveWith({ credentialLifetime: bad }),
        (e: unknown) => e instanceof ConfigError && /--credential-lifetime .* from 1s to 12h/.test(e.message),
      );
    }
  });

  void it('normalises --public-url to end in a slash and refuses what agents could not use', () => {
    assert.equal(
      resolveWith({ publicUrl: 'https://berth.example.com' }).publicUrl,
      'https://berth.example.com/',
    );
    assert.equal(
      resolveWith({}, { BERTH_PUBLIC_URL: 'http://10.0.0.1:4650/x/' }).publicUrl,
      'http://10.0.0.1:4650/x/',
    );
    for (const bad of ['berth.example.com', 'ftp://x/', 'http://x/?a=1']) {
      assert.throws(() => resolveWith({ publicUrl: bad }), ConfigError);
    }
  });

  void it('derives a reachable URL from the listen address', () => {
    assert.equal(defaultPublicUrl('127.0.0.1', 4650), 'http://127.0.0.1:4650/');
    assert.equal(defaultPublicUrl('::1', 4650), 'http://[::1]:4650/');
    const wildcard = new URL(defaultPublicUrl('0.0.0.0', 4650));
    assert.ok(isIPv4(wildcard.hostname) && wildcard.hostname !== '0.0.0.0', wildcard.href);
    assert.equal(wildcard.port, '4650');
  });
});

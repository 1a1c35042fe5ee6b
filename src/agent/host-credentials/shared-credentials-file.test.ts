import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeSharedCredentials } from './shared-credentials-file.js';

const KEYS = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 's3cr/t+x', sessionToken: 'tok=en' };

void describe('writeSharedCredentials', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-shared-creds-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  void it('creates the directory and writes the [default] profile, mode 0600', () => {
    const file = join(root, 'a', 'rotatingcreds', 'credentials');
    writeSharedCredentials(file, KEYS);
    assert.equal(
      readFileSync(file, 'utf8'),
      '[default]\naws_access_key_id = ASIAEXAMPLE\naws_secret_access_key = s3cr/t+x\naws_session_token = tok=en\n',
    );
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(root, 'a', 'rotatingcreds')).mode & 0o077, 0);
  });

  void it('replaces a file that others could read with one that they cannot, leaving no temporary file', () => {
    const dir = join(root, 'b');
    const file = join(dir, 'credentials');
    writeSharedCredentials(file, KEYS);
    writeFileSync(file, 'old', { mode: 0o644 });
    writeSharedCredentials(file, { ...KEYS, accessKeyId: 'ASIANEW' });
    assert.match(readFileSync(file, 'utf8'), /^aws_access_key_id = ASIANEW$/m);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['credentials']);
  });

  void it('refuses a value that would break the format, keeping the old file', () => {
    const dir = join(root, 'c');
    const file = join(dir, 'credentials');
    writeSharedCredentials(file, KEYS);
    const before = readFileSync(file, 'utf8');
    assert.throws(() => writeSharedCredentials(file, { ...KEYS, sessionToken: 'a\naws_access_key_id = x' }));
    assert.equal(readFileSync(file, 'utf8'), before);
    assert.deepEqual(readdirSync(dir), ['credentials']);
  });
});

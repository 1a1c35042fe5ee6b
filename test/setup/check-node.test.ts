/**
 * The set-up's Node.js check (scripts/check-node.cjs) against package.json's "engines", the one place the
 * requirement is written: the versions below it are refused with a sentence naming the requirement, the
 * ones at or above it pass.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');

function check(version: string): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [resolve(ROOT, 'scripts/check-node.cjs'), version], {
    encoding: 'utf8',
  });
  return { code: r.status, stderr: r.stderr };
}

describe('the Node.js check', () => {
  void it('reads the requirement from package.json engines', () => {
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    assert.equal(pkg.engines.node, '>=20.19');
  });

  void it('refuses versions below >=20.19 and says what is needed', () => {
    for (const version of ['20.18.3', 'v20.0.0', '18.20.4', '19.99.0']) {
      const r = check(version);
      assert.equal(r.code, 1, version);
      assert.match(r.stderr, /Berth needs Node\.js >=20\.19 \(package\.json "engines"\)/);
      assert.ok(r.stderr.includes(`this is ${version.replace(/^v/, '')}`), r.stderr);
    }
  });

  void it('accepts 20.19 and newer', () => {
    for (const version of ['20.19.0', 'v20.19.5', '20.20.2', '21.0.0', '22.12.0', '24.1.0']) {
      const r = check(version);
      assert.equal(r.code, 0, `${version}: ${r.stderr}`);
      assert.equal(r.stderr, '');
    }
  });

  void it('checks the running Node.js when given no version', () => {
    const r = spawnSync(process.execPath, [resolve(ROOT, 'scripts/check-node.cjs')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});

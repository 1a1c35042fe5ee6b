import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, resolveAgentConfig, type AgentOptions } from '../config.js';
import { ownerIdOf } from './agent-engine.js';

const root = mkdtempSync(join(tmpdir(), 'berth-engine-options-'));
const base = { endpoint: 'http://127.0.0.1:4650' };

function resolveWith(flags: AgentOptions, env: Record<string, string> = {}) {
  return resolveAgentConfig({ ...base, ...flags }, env, { defaultConfigFile: join(root, 'absent.json') });
}

function refused(flags: AgentOptions, message: RegExp, env: Record<string, string> = {}): void {
  assert.throws(
    () => resolveWith(flags, env),
    (e: unknown) => e instanceof ConfigError && message.test(e.message),
  );
}

void describe('task engine options', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  void it("default to the ECS agent's values, image cleanup off", () => {
    const c = resolveWith({});
    assert.equal(c.containerStopTimeoutMs, 30_000);
    assert.equal(c.taskCleanupWaitMs, 3 * 3_600_000);
    assert.equal(c.imagePullBehavior, 'default');
    assert.equal(c.imageCleanup, undefined);
    assert.equal(c.registryAuth.size, 0);
  });

  void it('take durations, behaviours and switches from flags, variables and the file', () => {
    const file = join(root, 'agent.json');
    writeFileSync(file, JSON.stringify({ taskCleanupWait: 600, imageCleanup: true, imageMinimumAge: '2h' }));
    const c = resolveWith(
      { containerStopTimeout: '45s', config: file },
      { BERTH_IMAGE_PULL_BEHAVIOR: 'prefer-cached', BERTH_IMAGE_CLEANUP_INTERVAL: '15m' },
    );
    assert.equal(c.containerStopTimeoutMs, 45_000);
    assert.equal(c.taskCleanupWaitMs, 600_000);
    assert.equal(c.imagePullBehavior, 'prefer-cached');
    assert.deepEqual(c.imageCleanup, { intervalMs: 900_000, minimumAgeMs: 7_200_000, imagesPerCycle: 5 });
  });

  void it('refuse bad values, naming the option and the fix', () => {
    refused(
      { containerStopTimeout: 'soon' },
      /--container-stop-timeout "soon" must be a duration of at least 1s/,
    );
    refused({ containerStopTimeout: '500ms' }, /at least 1s/);
    refused({}, /BERTH_TASK_CLEANUP_WAIT "forever" must be a duration/, {
      BERTH_TASK_CLEANUP_WAIT: 'forever',
    });
    refused({ imagePullBehavior: 'never' }, /must be one of default, always, once, prefer-cached/);
    refused({ imageCleanup: 'maybe' }, /--image-cleanup "maybe" must be on or off/);
    refused(
      { imageCleanup: 'on', imageCleanupInterval: '1m' },
      /--image-cleanup-interval "1m" must be a duration of at least 10m/,
    );
  });

  void it('reads the registry credentials file, and refuses a broken one', () => {
    const good = join(root, 'auth.json');
    writeFileSync(good, JSON.stringify({ '127.0.0.1:5000': { username: 'u', password: 'p' } }));
    const c = resolveWith({ dockerAuth: good });
    assert.deepEqual(c.registryAuth.get('127.0.0.1:5000'), {
      username: 'u',
      password: 'p',
      serveraddress: '127.0.0.1:5000',
    });
    const bad = join(root, 'bad.json');
    writeFileSync(bad, JSON.stringify({ r: { email: 'x' } }));
    refused(
      { dockerAuth: bad },
      /credentials file .*bad.json needs "auth" or "username" and "password" for "r"/,
    );
    refused({ dockerAuth: join(root, 'missing.json') }, /--docker-auth ".*missing.json" cannot be read/);
  });

  void it('derives a stable owner id per data directory', () => {
    assert.equal(ownerIdOf('/var/lib/berth-agent'), ownerIdOf('/var/lib/berth-agent'));
    assert.notEqual(ownerIdOf('/var/lib/berth-agent'), ownerIdOf('/srv/other'));
    assert.match(ownerIdOf('/x'), /^berth-[0-9a-f]{16}$/);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AcsTask } from '../../acs/payload.js';
import { ConfigError } from '../../util/options.js';
import type { TaskState } from '../tasks/contracts.js';
import { EndpointIndex, endpointId, loadOrCreateSecret, SECRET_FILE } from './endpoint-ids.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'berth-metadata-ids-'));
  dirs.push(d);
  return d;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function state(arn: string, names: string[]): TaskState {
  const task: AcsTask = {
    arn,
    taskClusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c',
    family: 'f',
    version: '1',
    desiredStatus: 'RUNNING',
    containers: names.map((name) => ({ name, image: 'busybox', essential: true })),
  };
  return { task, knownStatus: 'RUNNING', containers: [{ name: names[0] ?? '', knownStatus: 'RUNNING' }] };
}

void describe('endpoint ids', () => {
  void it('keeps one secret per data directory, readable by the agent only', () => {
    const dir = join(dataDir(), 'nested');
    const first = loadOrCreateSecret(dir);
    assert.equal(first.length, 32);
    assert.equal(statSync(join(dir, SECRET_FILE)).mode & 0o777, 0o600);
    assert.deepEqual(loadOrCreateSecret(dir), first, 'the same after a restart');
    assert.notDeepEqual(loadOrCreateSecret(dataDir()), first, 'another agent, another secret');
  });

  void it('refuses a damaged secret instead of silently changing every id', () => {
    const dir = dataDir();
    writeFileSync(join(dir, SECRET_FILE), 'not hex\n');
    assert.throws(
      () => loadOrCreateSecret(dir),
      (e: unknown) => e instanceof ConfigError && /damaged. Remove it/.test(e.message),
    );
    assert.equal(readFileSync(join(dir, SECRET_FILE), 'utf8'), 'not hex\n');
  });

  void it('derives a UUID-shaped id from the secret, task and container', () => {
    const secret = Buffer.alloc(32, 1);
    const id = endpointId(secret, 'arn:task/1', 'web');
    assert.match(id, UUID);
    assert.equal(endpointId(secret, 'arn:task/1', 'web'), id);
    assert.notEqual(endpointId(secret, 'arn:task/1', 'app'), id);
    assert.notEqual(endpointId(secret, 'arn:task/2', 'web'), id);
    assert.notEqual(endpointId(Buffer.alloc(32, 2), 'arn:task/1', 'web'), id);
    // The separator keeps (task "a", container "bc") apart from (task "ab", container "c").
    assert.notEqual(endpointId(secret, 'a', 'bc'), endpointId(secret, 'ab', 'c'));
  });

  void it("resolves ids against the engine's current tasks", () => {
    const secret = Buffer.alloc(32, 7);
    const tasks = new Map<string, TaskState>([['arn:1', state('arn:1', ['web', 'sidecar'])]]);
    const index = new EndpointIndex(secret, () => tasks);
    const web = index.idOf('arn:1', 'web');
    assert.equal(web, endpointId(secret, 'arn:1', 'web'));
    assert.equal(index.has(web), false, 'nothing looked up yet');
    const found = index.resolve(web);
    assert.equal(index.has(web), true);
    assert.equal(found?.state.task.arn, 'arn:1');
    assert.equal(found?.definition.name, 'web');
    assert.equal(found?.container?.knownStatus, 'RUNNING');
    const sidecar = index.resolve(endpointId(secret, 'arn:1', 'sidecar'));
    assert.equal(sidecar?.definition.name, 'sidecar');
    assert.equal(sidecar?.container, undefined, 'no state for it yet');

    assert.equal(index.resolve('00000000-0000-0000-0000-000000000000'), undefined);
    // A task that arrives later is found; one the engine forgets is not.
    tasks.set('arn:2', state('arn:2', ['job']));
    assert.equal(index.resolve(endpointId(secret, 'arn:2', 'job'))?.state.task.arn, 'arn:2');
    tasks.delete('arn:1');
    assert.equal(index.resolve(web), undefined);
  });
});

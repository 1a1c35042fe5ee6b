import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AcsTask } from '../../acs/payload.js';
import type { TaskState } from './contracts.js';
import { FileTaskStateStore, TASKS_DIR } from './state-store.js';
import { acsTask } from '../testing/fake-task-engine.js';

function state(task: AcsTask, knownStatus: TaskState['knownStatus'] = 'NONE'): TaskState {
  return { task, knownStatus, containers: [{ name: 'web', knownStatus }] };
}

describe('FileTaskStateStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-tasks-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps one file per task, readable by its owner only, and loads them all again', async () => {
    const store = new FileTaskStateStore(dir);
    await store.save(state(acsTask('a')));
    await store.save(state(acsTask('b'), 'RUNNING'));
    const files = readdirSync(join(dir, TASKS_DIR));
    assert.equal(files.length, 2);
    for (const f of files) assert.equal(statSync(join(dir, TASKS_DIR, f)).mode & 0o777, 0o600);
    assert.equal(statSync(store.fileOf(acsTask('a').arn)).isFile(), true);
    const loaded = await new FileTaskStateStore(dir).loadAll();
    assert.deepEqual(loaded.map((s) => [s.task.arn.split('/').pop(), s.knownStatus]).sort(), [
      ['a', 'NONE'],
      ['b', 'RUNNING'],
    ]);
  });

  it('writes saves of one task in call order', async () => {
    const store = new FileTaskStateStore(dir);
    const statuses = ['NONE', 'PULLED', 'CREATED', 'RUNNING'] as const;
    await Promise.all(statuses.map((s) => store.save(state(acsTask('a'), s))));
    const [loaded] = await new FileTaskStateStore(dir).loadAll();
    assert.equal(loaded?.knownStatus, 'RUNNING');
  });

  it('never moves desired status back: a state built from an older delivery keeps the newer task', async () => {
    const store = new FileTaskStateStore(dir);
    await store.save(state(acsTask('a', 'STOPPED')));
    // The engine saves a transition of the task as it knew it before StopTask arrived.
    await store.save(state(acsTask('a', 'RUNNING'), 'RUNNING'));
    const [loaded] = await new FileTaskStateStore(dir).loadAll();
    assert.equal(loaded?.task.desiredStatus, 'STOPPED');
    assert.equal(loaded?.knownStatus, 'RUNNING');
  });

  it('removes a task, and skips damaged files and leftovers of interrupted writes', async () => {
    const store = new FileTaskStateStore(dir);
    await store.save(state(acsTask('a')));
    await store.save(state(acsTask('b')));
    await store.remove(acsTask('a').arn);
    writeFileSync(join(dir, TASKS_DIR, 'broken.json'), '{"format":1,');
    writeFileSync(join(dir, TASKS_DIR, 'x.json.tmp-0123'), 'half');
    const loaded = await new FileTaskStateStore(dir).loadAll();
    assert.deepEqual(
      loaded.map((s) => s.task.arn),
      [acsTask('b').arn],
    );
    assert.ok(!readdirSync(join(dir, TASKS_DIR)).some((f) => f.includes('.tmp-')));
  });

  it('reads what an agent before ACS-form payloads wrote: cpu units as vCPUs, linuxParameters as HostConfig', async () => {
    const old = acsTask('old');
    const [web] = old.containers;
    assert.ok(web);
    const format1 = {
      format: 1,
      state: state(
        {
          ...old,
          cpu: 512,
          containers: [
            {
              ...web,
              memory: 64,
              linuxParameters: { initProcessEnabled: true, capabilities: { drop: ['ALL'] } },
              dockerConfig: { hostConfig: JSON.stringify({ ReadonlyRootfs: true }) },
            } as AcsTask['containers'][number],
          ],
        },
        'RUNNING',
      ),
    };
    mkdirSync(join(dir, TASKS_DIR));
    writeFileSync(join(dir, TASKS_DIR, 'old.json'), JSON.stringify(format1));
    const [loaded] = await new FileTaskStateStore(dir).loadAll();
    assert.equal(loaded?.knownStatus, 'RUNNING');
    assert.equal(loaded?.task.cpu, 0.5);
    const container = loaded?.task.containers[0];
    assert.equal(container !== undefined && 'linuxParameters' in container, false);
    assert.deepEqual(JSON.parse(container?.dockerConfig?.hostConfig ?? '{}'), {
      Init: true,
      CapDrop: ['ALL'],
      ReadonlyRootfs: true,
    });
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FINISHED_TASKS_FILE, FinishedTasks } from './finished-tasks.js';
import { FileTaskStateStore } from './state-store.js';
import { acsTask } from '../testing/fake-task-engine.js';

describe('finished tasks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-finished-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a task removed from the store after cleanup is still known as finished after a restart', async () => {
    const store = new FileTaskStateStore(dir);
    await store.loadAll();
    const task = acsTask('a', 'STOPPED');
    await store.save({ task, knownStatus: 'STOPPED', containers: [] });
    await store.remove(task.arn);
    assert.equal(store.finished.has(task.arn), true);

    const next = new FileTaskStateStore(dir);
    assert.deepEqual(await next.loadAll(), []);
    assert.equal(next.finished.has(task.arn), true);
    assert.equal(next.finished.has(acsTask('b').arn), false);
  });

  it('keeps the newest ones only', async () => {
    const finished = new FinishedTasks(dir, { kept: 2 });
    for (const name of ['a', 'b', 'c']) await finished.add(acsTask(name).arn);
    const loaded = new FinishedTasks(dir, { kept: 2 });
    await loaded.load();
    assert.deepEqual(
      ['a', 'b', 'c'].map((n) => loaded.has(acsTask(n).arn)),
      [false, true, true],
    );
  });

  it('a damaged list is started afresh rather than stopping the agent', async () => {
    writeFileSync(join(dir, FINISHED_TASKS_FILE), '{"format":1,"tas');
    const finished = new FinishedTasks(dir);
    await finished.load();
    assert.equal(finished.has(acsTask('a').arn), false);
  });
});

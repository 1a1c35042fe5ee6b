import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TaskStateChange } from './contracts.js';
import { readStateChangeJournal } from './journal.js';
import { REPORT_SEQUENCE_FILE } from './report-sequence.js';
import { DurableStateChangeReporter, REPORTS_DIR } from './reporter.js';
import { toSubmitRequest } from './submit-state-change.js';

const FAST = { minMs: 5, maxMs: 20 };

function change(n: number, status: TaskStateChange['status'] = 'RUNNING'): TaskStateChange {
  return {
    taskArn: `arn:aws:ecs:us-east-1:123456789012:task/edge/t${n}`,
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge',
    status,
    containers: [{ name: 'web', knownStatus: status === 'STOPPED' ? 'STOPPED' : 'RUNNING', restartCount: n }],
    at: 1_700_000_000_000 + n,
  };
}

/** A reporter that delivers everything, recording each change's seq; `down` makes it fail instead. */
function reporterIn(dir: string, sent: number[], link = { down: false }) {
  return new DurableStateChangeReporter({
    dataDir: dir,
    backoff: FAST,
    submit: (c) => {
      if (link.down) return Promise.reject(new Error('connect ECONNREFUSED'));
      sent.push(c.seq ?? -1);
      return Promise.resolve();
    },
  });
}

describe('report numbers (seq)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-report-seq-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are unique and growing across restarts, also after the queue emptied', async () => {
    const sent: number[] = [];
    const first = reporterIn(dir, sent);
    await first.start();
    for (let n = 1; n <= 3; n++) first.report(change(n));
    await first.drained();
    await first.stop();
    assert.deepEqual(readdirSync(join(dir, REPORTS_DIR)), [], 'the queue is empty');

    const second = reporterIn(dir, sent);
    await second.start();
    second.report(change(4));
    await second.drained();
    await second.stop();
    assert.deepEqual(sent, [1, 2, 3, 4]);
  });

  it('a report sent again after a restart keeps its number; new ones come after it', async () => {
    const sent: number[] = [];
    const link = { down: true };
    const first = reporterIn(dir, sent, link);
    await first.start();
    await first.enqueue(change(1));
    await first.enqueue(change(2));
    await first.stop();

    link.down = false;
    const second = reporterIn(dir, sent, link);
    await second.start();
    await second.enqueue(change(3));
    await second.drained();
    await second.stop();
    assert.deepEqual(sent, [1, 2, 3]);
  });

  it('a damaged floor falls back on the journal instead of reusing numbers', async () => {
    const sent: number[] = [];
    const first = reporterIn(dir, sent);
    await first.start();
    for (let n = 1; n <= 2; n++) first.report(change(n));
    await first.drained();
    await first.stop();
    writeFileSync(join(dir, REPORT_SEQUENCE_FILE), '{"format":1,');

    const second = reporterIn(dir, sent);
    await second.start();
    second.report(change(3));
    await second.drained();
    await second.stop();
    assert.deepEqual(sent, [1, 2, 3]);
  });

  it('travel as berth.seq, with every container restart count', () => {
    const request = toSubmitRequest({ ...change(2), seq: 17 });
    assert.deepEqual(request.berth, {
      at: 1_700_000_000.002,
      seq: 17,
      containers: [{ containerName: 'web', restartCount: 2 }],
    });
  });

  it('tell which tasks still have a report queued', async () => {
    const link = { down: true };
    const reporter = reporterIn(dir, [], link);
    await reporter.start();
    await reporter.enqueue(change(1));
    assert.equal(reporter.hasPending(change(1).taskArn), true);
    assert.equal(reporter.hasPending(change(2).taskArn), false);
    link.down = false;
    await reporter.drained();
    assert.equal(reporter.hasPending(change(1).taskArn), false);
    await reporter.stop();
  });
});

describe('the state change journal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds one line per queued change, with the facts its report carries, after the queue let go of it', async () => {
    const sent: number[] = [];
    const reporter = reporterIn(dir, sent);
    await reporter.start();
    await reporter.enqueue({ ...change(1, 'STOPPED'), reason: 'x'.repeat(2000) });
    await reporter.enqueue(change(2));
    await reporter.drained();
    await reporter.stop();
    const journal = await readStateChangeJournal(dir);
    assert.deepEqual(
      journal.map((e) => [e.seq, e.taskArn.split('/').pop(), e.status]),
      [
        [1, 't1', 'STOPPED'],
        [2, 't2', 'RUNNING'],
      ],
    );
    assert.equal(journal[0]?.reason?.length, 1024, 'trimmed as the report is');
    assert.equal(journal[1]?.at, new Date(1_700_000_000_002).toISOString());
    assert.deepEqual(journal[1]?.containers, [{ name: 'web', status: 'RUNNING', restartCount: 2 }]);
    assert.deepEqual(sent, [1, 2]);
  });
});

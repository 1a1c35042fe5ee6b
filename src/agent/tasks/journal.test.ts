import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  JOURNAL_DIR,
  JOURNAL_FILE,
  JOURNAL_ROTATED_FILE,
  journalEntry,
  readStateChangeJournal,
  StateChangeJournal,
} from './journal.js';

const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/edge/t1';

function entry(seq: number) {
  return journalEntry(seq, {
    taskArn: TASK,
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge',
    status: 'RUNNING',
    containers: [
      { name: 'app', knownStatus: 'RUNNING', restartCount: 1 },
      { name: 'init', knownStatus: 'STOPPED', exitCode: 0 },
      // Not reported (neither RUNNING nor STOPPED), so not journaled either.
      { name: 'later', knownStatus: 'CREATED' },
    ],
    at: Date.UTC(2024, 4, 1),
  });
}

describe('StateChangeJournal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends lines in call order, readable by the agent only', async () => {
    const journal = new StateChangeJournal(dir);
    await Promise.all([1, 2, 3].map((n) => journal.append(entry(n))));
    const read = await readStateChangeJournal(dir);
    assert.deepEqual(
      read.map((e) => e.seq),
      [1, 2, 3],
    );
    assert.deepEqual(read[0], {
      seq: 1,
      taskArn: TASK,
      status: 'RUNNING',
      at: '2024-05-01T00:00:00.000Z',
      containers: [
        { name: 'app', status: 'RUNNING', restartCount: 1 },
        { name: 'init', status: 'STOPPED', exitCode: 0 },
      ],
    });
    assert.equal(statSync(join(dir, JOURNAL_DIR, JOURNAL_FILE)).mode & 0o777, 0o600);
  });

  it('rotates past its size, keeping one older file', async () => {
    const journal = new StateChangeJournal(dir, { maxBytes: 600 });
    const size = Buffer.byteLength(`${JSON.stringify(entry(1))}\n`);
    // Rotates after every third line: 3, 6, 9; lines 10 and 11 start the current file.
    for (let n = 1; n <= 11; n++) await journal.append(entry(n));
    assert.ok(size * 3 > 600 && size * 2 <= 600, `a line is ${size} bytes`);
    assert.deepEqual(readdirSync(join(dir, JOURNAL_DIR)).sort(), [JOURNAL_ROTATED_FILE, JOURNAL_FILE].sort());
    assert.deepEqual(
      (await readStateChangeJournal(dir)).map((e) => e.seq),
      [7, 8, 9, 10, 11],
    );
  });

  it('survives a torn last line: the next run starts a fresh line, the reader skips the torn one', async () => {
    await new StateChangeJournal(dir).append(entry(1));
    appendFileSync(join(dir, JOURNAL_DIR, JOURNAL_FILE), '{"seq":2,"taskAr');
    await new StateChangeJournal(dir).append(entry(3));
    assert.deepEqual(
      (await readStateChangeJournal(dir)).map((e) => e.seq),
      [1, 3],
    );
  });

  it('reads as empty before anything was journaled', async () => {
    assert.deepEqual(await readStateChangeJournal(dir), []);
  });
});

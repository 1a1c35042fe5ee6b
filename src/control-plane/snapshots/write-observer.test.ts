/**
 * The state change record commits and rolls back with transactions begun through the scheduler's write
 * observer (`observed.ts`), which is how the control plane runs them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { observeWrites } from './write-observer.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { StateChangeRecord, Store } from '../store/types.js';

const A = 'arn:aws:ecs:us-east-1:123456789012';

const change = (seq: number): StateChangeRecord => ({
  containerInstanceArn: `${A}:container-instance/c1/i1`,
  seq,
  taskArn: `${A}:task/c1/t1`,
  clusterArn: `${A}:cluster/c1`,
  status: 'RUNNING',
  containers: [],
  at: new Date(1_700_000_000_000),
  receivedAt: new Date(1_700_000_000_500),
});

describe('state changes through an observed store', () => {
  let dir: string;
  let raw: Store;
  let store: Store;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-observed-'));
    raw = await openSqliteStore(join(dir, 'berth.db'));
    store = observeWrites(raw, {
      begin: () => undefined,
      taskWritten: () => Promise.resolve(undefined),
      instanceWritten: () => undefined,
      end: () => undefined,
    });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits and rolls back with the observed transaction', async () => {
    await store.transaction(async (tx) => {
      await tx.clusters.put({ clusterArn: `${A}:cluster/c1`, clusterName: 'c1', status: 'ACTIVE' });
      assert.equal(await tx.stateChanges.record(change(1)), true);
    });
    await assert.rejects(
      store.transaction(async (tx) => {
        assert.equal(await tx.stateChanges.record(change(2)), true);
        throw new Error('boom');
      }),
      /boom/,
    );
    const seqs = (await raw.stateChanges.listByTask(`${A}:task/c1/t1`, { limit: 10 })).items.map(
      (c) => c.seq,
    );
    assert.deepEqual(seqs, [1]);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../util/options.js';
import {
  MANIFEST_SEQ_FILE,
  readAgentState,
  readManifestSeqNum,
  reusableArn,
  STATE_FILE,
  writeAgentState,
  writeManifestSeqNum,
} from './state.js';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:container-instance/edge/0123456789abcdef0123456789abcdef';
const MI = 'mi-0123456789abcdef0';

void describe('agent state', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-agent-state-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  void it('is written whole, for the agent only, and read back', () => {
    const dir = join(root, 'data');
    assert.equal(readAgentState(dir), undefined);
    writeAgentState(dir, { cluster: 'edge', containerInstanceArn: ARN, ec2InstanceId: MI });
    writeAgentState(dir, { cluster: 'edge', containerInstanceArn: ARN, ec2InstanceId: MI });
    assert.deepEqual(readAgentState(dir), { cluster: 'edge', containerInstanceArn: ARN, ec2InstanceId: MI });
    assert.equal(statSync(join(dir, STATE_FILE)).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), [STATE_FILE], 'no temporary file left');
  });

  void it('refuses a damaged file instead of registering a second instance', () => {
    const dir = join(root, 'damaged');
    writeAgentState(dir, { cluster: 'edge', containerInstanceArn: ARN });
    writeFileSync(join(dir, STATE_FILE), '{"cluster": 1');
    assert.throws(
      () => readAgentState(dir),
      (e: unknown) => e instanceof ConfigError && /state.json is damaged.*remove it/.test(e.message),
    );
  });

  void it('keeps the task manifest sequence number per container instance, beside state.json', async () => {
    const dir = join(root, 'seq');
    writeAgentState(dir, { cluster: 'edge', containerInstanceArn: ARN, ec2InstanceId: MI });
    assert.equal(await readManifestSeqNum(dir, ARN), 0);
    await writeManifestSeqNum(dir, ARN, 1_700_000_000_123);
    assert.equal(await readManifestSeqNum(dir, ARN), 1_700_000_000_123);
    assert.equal(await readManifestSeqNum(dir, `${ARN}0`), 0, "another instance's number is not used");
    assert.deepEqual(readAgentState(dir), { cluster: 'edge', containerInstanceArn: ARN, ec2InstanceId: MI });
    assert.equal(statSync(join(dir, MANIFEST_SEQ_FILE)).mode & 0o777, 0o600);
    writeFileSync(join(dir, MANIFEST_SEQ_FILE), '{"seqNum":');
    assert.equal(await readManifestSeqNum(dir, ARN), 0, 'a damaged file counts as none');
  });

  void it('reuses the saved ARN only for the same cluster and managed instance', () => {
    const saved = { cluster: 'edge', containerInstanceArn: ARN, ec2InstanceId: MI };
    assert.equal(reusableArn(saved, 'edge', MI), ARN);
    assert.equal(reusableArn(saved, 'other', MI), undefined);
    assert.equal(reusableArn(saved, 'edge', 'mi-fffffffffffffffff'), undefined);
    assert.equal(reusableArn({ cluster: 'edge', containerInstanceArn: ARN }, 'edge', MI), ARN);
    assert.equal(reusableArn(undefined, 'edge', MI), undefined);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TaskStateChange } from './contracts.js';
import { DurableStateChangeReporter, REPORT_BACKOFF, REPORTS_DIR } from './reporter.js';
import { toSubmitRequest } from './submit-state-change.js';
import { waitFor } from '../../util/testing/wait-for.js';

const FAST = { minMs: 5, maxMs: 20 };

function change(n: number, status: TaskStateChange['status'] = 'RUNNING'): TaskStateChange {
  return {
    taskArn: `arn:aws:ecs:us-east-1:123456789012:task/edge/t${n}`,
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge',
    status,
    containers: [],
    at: 1_700_000_000_000 + n,
  };
}

describe('DurableStateChangeReporter', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-reports-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("uses the ECS agent's backoff: 1 s growing ×1.3 to 30 s, 20% jitter", () => {
    assert.deepEqual(REPORT_BACKOFF, { minMs: 1_000, maxMs: 30_000, multiplier: 1.3, jitter: 0.2 });
  });

  it('sends changes in order and deletes each once acknowledged', async () => {
    const sent: string[] = [];
    const reporter = new DurableStateChangeReporter({
      dataDir: dir,
      submit: (c) => {
        sent.push(c.taskArn);
        return Promise.resolve();
      },
    });
    await reporter.start();
    for (let n = 1; n <= 5; n += 1) reporter.report(change(n));
    await reporter.drained();
    assert.deepEqual(
      sent.map((a) => a.split('/').pop()),
      ['t1', 't2', 't3', 't4', 't5'],
    );
    assert.deepEqual(readdirSync(join(dir, REPORTS_DIR)), []);
    await reporter.stop();
  });

  it('retries the head until it goes through, without letting later changes overtake it', async () => {
    const sent: string[] = [];
    let failures = 3;
    const reporter = new DurableStateChangeReporter({
      dataDir: dir,
      backoff: FAST,
      submit: (c) => {
        if (failures > 0) {
          failures -= 1;
          return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' }));
        }
        sent.push(c.taskArn);
        return Promise.resolve();
      },
    });
    await reporter.start();
    reporter.report(change(1));
    reporter.report(change(2));
    await reporter.drained();
    assert.deepEqual(
      sent.map((a) => a.split('/').pop()),
      ['t1', 't2'],
    );
    await reporter.stop();
  });

  it('drops a change the control plane refuses for good, and goes on', async () => {
    const sent: string[] = [];
    const reporter = new DurableStateChangeReporter({
      dataDir: dir,
      backoff: FAST,
      submit: (c) => {
        if (c.taskArn.endsWith('t1')) {
          return Promise.reject(
            Object.assign(new Error('Task not found'), { name: 'InvalidParameterException' }),
          );
        }
        sent.push(c.taskArn);
        return Promise.resolve();
      },
    });
    await reporter.start();
    reporter.report(change(1));
    reporter.report(change(2));
    await reporter.drained();
    assert.deepEqual(
      sent.map((a) => a.split('/').pop()),
      ['t2'],
    );
    await reporter.stop();
  });

  it('keeps what it could not send on disk, and a new run sends it first, in order', async () => {
    const first = new DurableStateChangeReporter({
      dataDir: dir,
      backoff: FAST,
      submit: () => Promise.reject(new Error('control plane unreachable')),
    });
    await first.start();
    await first.enqueue(change(1, 'PENDING'));
    await first.enqueue(change(1, 'RUNNING'));
    await first.enqueue(change(1, 'STOPPED'));
    await first.stop();
    assert.equal(readdirSync(join(dir, REPORTS_DIR)).length, 3);

    const sent: string[] = [];
    const second = new DurableStateChangeReporter({
      dataDir: dir,
      submit: (c) => {
        sent.push(c.status);
        return Promise.resolve();
      },
    });
    await second.start();
    second.report(change(2, 'PENDING'));
    await waitFor('four reports sent', () => sent.length === 4);
    await second.drained();
    assert.deepEqual(sent, ['PENDING', 'RUNNING', 'STOPPED', 'PENDING']);
    assert.deepEqual(readdirSync(join(dir, REPORTS_DIR)), []);
    await second.stop();
  });

  it('refuses changes before it is started (it does not know the next free number yet)', async () => {
    const reporter = new DurableStateChangeReporter({ dataDir: dir, submit: () => Promise.resolve() });
    await assert.rejects(reporter.enqueue(change(1)), /not started/);
  });
});

describe('toSubmitRequest', () => {
  it("maps a change to SubmitTaskStateChange, with Berth's extension member", () => {
    const request = toSubmitRequest({
      taskArn: 'arn:t',
      clusterArn: 'arn:c',
      status: 'RUNNING',
      reason: 'r'.repeat(2000),
      containers: [
        {
          name: 'web',
          knownStatus: 'RUNNING',
          runtimeId: 'abc',
          // Docker's IPv6 copy of the binding is left out, as ECS's agent does (ECS_EXCLUDE_IPV6_PORTBINDING).
          networkBindings: [
            { bindIP: '0.0.0.0', containerPort: 80, hostPort: 8080, protocol: 'tcp' },
            { bindIP: '::', containerPort: 80, hostPort: 8080, protocol: 'tcp' },
          ],
          healthStatus: 'HEALTHY',
          imageDigest: 'sha256:1',
        },
        { name: 'init', knownStatus: 'STOPPED', exitCode: 0 },
        { name: 'later', knownStatus: 'CREATED', runtimeId: 'def' },
      ],
      pullStartedAt: 1_000,
      pullStoppedAt: 2_000,
      startedAt: 3_000,
      at: 4_000,
    });
    assert.equal(request.cluster, 'arn:c');
    assert.equal(request.task, 'arn:t');
    assert.equal(request.reason?.length, 1024);
    assert.deepEqual(request.containers, [
      {
        containerName: 'web',
        status: 'RUNNING',
        runtimeId: 'abc',
        imageDigest: 'sha256:1',
        networkBindings: [{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 8080, protocol: 'tcp' }],
      },
      { containerName: 'init', status: 'STOPPED', exitCode: 0 },
    ]);
    assert.deepEqual([request.pullStartedAt, request.pullStoppedAt], [new Date(1_000), new Date(2_000)]);
    assert.deepEqual(request.berth, {
      at: 4,
      startedAt: 3,
      containers: [{ containerName: 'web', healthStatus: 'HEALTHY' }],
    });
  });
});

/**
 * Keep working while disconnected, on the real Docker engine (issue 6): the agent's task runtime runs with
 * its control plane out of reach, is stopped (the agent restarted) and started again on the same data
 * directory while still cut off; a container's restart policy keeps restarting it meanwhile — also across
 * the agent's restart. When the link returns, every change made offline arrives once and in order (growing
 * `seq`, every restart count), matches the host's journal, and a task manifest with stop verification
 * settles the differences: a task stopped at the control plane is stopped here, an unlisted one only once
 * the control plane confirms it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Dockerode from 'dockerode';
import { pino } from 'pino';
import { busyboxImage } from '../../../test/rigs/images.js';
import type { AgentEnvelope } from '../../acs/messages.js';
import type { AcsContainer, AcsTask } from '../../acs/payload.js';
import { dockerTaskEngine, ownerIdOf, stopTaskEngine } from '../engine/agent-engine.js';
import { OWNER_LABEL } from '../engine/labels.js';
import type { TaskStateChange } from './contracts.js';
import { readStateChangeJournal } from './journal.js';
import type { SubmitStateChange } from './submit-state-change.js';
import { startTaskRuntime, type TaskRuntime } from './task-runtime.js';
import { waitFor } from '../../util/testing/wait-for.js';

const RUN = randomBytes(4).toString('hex');
const IMAGE = busyboxImage({ repository: 'berth-agent-offline/busybox' });
const CLUSTER_ARN = 'arn:aws:ecs:us-east-1:123456789012:cluster/offline';
const INSTANCE_ARN = 'arn:aws:ecs:us-east-1:123456789012:container-instance/offline/abc';
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const log = pino({ level: process.env.BERTH_TEST_LOG ?? 'silent' });

function task(id: string, container: AcsContainer): AcsTask {
  return {
    arn: `arn:aws:ecs:us-east-1:123456789012:task/offline/${RUN}${id}`,
    taskClusterArn: CLUSTER_ARN,
    family: `offline-${RUN}`,
    version: '1',
    desiredStatus: 'RUNNING',
    desiredStatusSeq: 1,
    containers: [container],
  };
}

/** What a task on Docker may take to get where a test waits for it. */
const WAIT_MS = 60_000;

describe('the task runtime cut off from its control plane, on Docker', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-offline-runtime-'));
  const link = { up: false };
  const submitted: TaskStateChange[] = [];
  const sent: AgentEnvelope[] = [];
  const submit: SubmitStateChange = (change) => {
    if (!link.up) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:4650'));
    submitted.push(change);
    return Promise.resolve();
  };
  let runtime: TaskRuntime | undefined;
  // Exits with 3 after 1.2 s, every time: its restart policy (attempt period 1 s) restarts it in place.
  const flaky = task('flaky', {
    name: 'flaky',
    image: IMAGE.ref,
    essential: true,
    memory: 32,
    command: ['sh', '-c', 'sleep 1.2; exit 3'],
    restartPolicy: { enabled: true, restartAttemptPeriod: 1 },
  });
  const steady = task('steady', {
    name: 'steady',
    image: IMAGE.ref,
    essential: true,
    memory: 32,
    command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'],
  });

  const start = async () =>
    startTaskRuntime({
      dataDir,
      clusterArn: CLUSTER_ARN,
      containerInstanceArn: INSTANCE_ARN,
      submit,
      engine: dockerTaskEngine({
        dataDir,
        docker: { kind: 'unix', socketPath: '/var/run/docker.sock' },
        containerStopTimeoutMs: 2_000,
        taskCleanupWaitMs: 3_600_000,
        imagePullBehavior: 'default',
        imageCleanup: undefined,
        registryAuth: new Map(),
      }),
      log,
      reportBackoff: { minMs: 50, maxMs: 200 },
    }).then((r) => {
      r.attach((envelope) => {
        sent.push(envelope);
        return true;
      });
      return r;
    });
  const restarts = (arn: string) => runtime?.engine.tasks().get(arn)?.containers[0]?.restartCount ?? 0;

  before(() => IMAGE.build());

  after(async () => {
    await runtime?.stop();
    await stopTaskEngine(runtime?.engine);
    const mine = await docker.listContainers({
      all: true,
      filters: { label: [`${OWNER_LABEL}=${ownerIdOf(dataDir)}`] },
    });
    for (const c of mine) await docker.getContainer(c.Id).remove({ force: true, v: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarts a container by its restart policy offline and across an agent restart, queueing each restart', async () => {
    runtime = await start();
    runtime.onPayload({
      messageId: 'p1',
      clusterArn: CLUSTER_ARN,
      containerInstanceArn: INSTANCE_ARN,
      tasks: [flaky, steady],
      generatedAt: Date.now(),
      seqNum: 100,
    });
    await waitFor('a first restart, offline', () => restarts(flaky.arn) >= 1, WAIT_MS);
    assert.ok(runtime.reporter.pending > 0, 'reports wait in the queue');

    // The agent stops (its containers keep running, or exit and stay exited), and starts again, still offline.
    await runtime.stop();
    await stopTaskEngine(runtime.engine);
    const before = restarts(flaky.arn);
    const steadyId = runtime.engine.tasks().get(steady.arn)?.containers[0]?.runtimeId;
    const flakyId = runtime.engine.tasks().get(flaky.arn)?.containers[0]?.runtimeId;
    assert.ok(flakyId);
    runtime = undefined;
    // The flaky container exits while no agent is there to restart it.
    await waitFor(
      'the flaky container to exit while the agent is away',
      async () => !(await docker.getContainer(flakyId).inspect()).State.Running,
      WAIT_MS,
    );
    runtime = await start();
    await waitFor('a restart after the agent came back', () => restarts(flaky.arn) > before, WAIT_MS);
    assert.equal(
      runtime.engine.tasks().get(steady.arn)?.containers[0]?.runtimeId,
      steadyId,
      'the running container was kept',
    );
    assert.equal(submitted.length, 0, 'nothing was delivered while cut off');

    link.up = true;
    const restarted = restarts(flaky.arn);
    await waitFor(
      'the offline reports',
      () =>
        submitted.some((c) => c.taskArn === flaky.arn && (c.containers[0]?.restartCount ?? 0) >= restarted),
      WAIT_MS,
    );
    const seqs = submitted.map((c) => c.seq ?? -1);
    assert.deepEqual(
      seqs,
      [...new Set(seqs)].sort((a, b) => a - b),
      'unique and growing',
    );
    const counts = submitted
      .filter((c) => c.taskArn === flaky.arn && c.status === 'RUNNING')
      .map((c) => c.containers[0]?.restartCount ?? 0);
    for (let n = 1; n <= restarted; n++)
      assert.ok(counts.includes(n), `restart ${n} was reported (${counts.join()})`);
    assert.deepEqual(
      counts,
      [...counts].sort((a, b) => a - b),
      'in order',
    );
    for (const c of submitted.filter(
      (c) => c.taskArn === flaky.arn && (c.containers[0]?.restartCount ?? 0) > 0,
    )) {
      assert.equal(c.status, 'RUNNING', 'a restart leaves the task RUNNING');
      assert.equal(c.containers[0]?.knownStatus, 'RUNNING');
    }
  });

  it('a task manifest stops a task stopped at the control plane; stop verification the unlisted one', async () => {
    assert.ok(runtime);
    const current = runtime;
    current.onTaskManifest({
      messageId: 'manifest-1',
      clusterArn: CLUSTER_ARN,
      containerInstanceArn: INSTANCE_ARN,
      tasks: [{ taskArn: flaky.arn, taskClusterArn: CLUSTER_ARN, desiredStatus: 'STOPPED' }],
      generatedAt: Date.now(),
      timeline: 101,
    });
    const question = await waitFor(
      'stop verification',
      () => sent.find((e) => e.type === 'TaskStopVerificationMessage'),
      WAIT_MS,
    );
    assert.ok(question.type === 'TaskStopVerificationMessage');
    assert.deepEqual(
      question.message.stopCandidates.map((c) => c.taskArn),
      [steady.arn],
    );
    await waitFor(
      'the flaky task stopped',
      () => current.engine.tasks().get(flaky.arn)?.knownStatus === 'STOPPED',
      WAIT_MS,
    );
    assert.equal(current.engine.tasks().get(steady.arn)?.knownStatus, 'RUNNING', 'not before the answer');

    current.onTaskStopVerificationAck({
      messageId: 'manifest-1',
      generatedAt: Date.now(),
      stopTasks: question.message.stopCandidates,
    });
    await waitFor(
      'the steady task stopped',
      () => current.engine.tasks().get(steady.arn)?.knownStatus === 'STOPPED',
      WAIT_MS,
    );
    const steadyId = current.engine.tasks().get(steady.arn)?.containers[0]?.runtimeId;
    assert.ok(steadyId);
    assert.equal((await docker.getContainer(steadyId).inspect()).State.Running, false);

    await waitFor(
      'both STOPPED reports',
      () =>
        [flaky.arn, steady.arn].every((arn) =>
          submitted.some((c) => c.taskArn === arn && c.status === 'STOPPED'),
        ),
      WAIT_MS,
    );
    await current.reporter.drained();
    // The host's journal tells the same story as what the control plane received, change by change.
    const journal = await readStateChangeJournal(dataDir);
    assert.deepEqual(
      journal.map((e) => [e.seq, e.taskArn, e.status, e.containers[0]?.restartCount]),
      submitted.map((c) => [c.seq, c.taskArn, c.status, c.containers[0]?.restartCount]),
    );
  });
});

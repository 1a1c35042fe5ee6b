import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentEnvelope } from '../../acs/messages.js';
import type { AcsTask, TaskIdentifier, TaskManifestMessage } from '../../acs/payload.js';
import type { TaskState, TaskStateChange } from './contracts.js';
import { MISSING_TASK_REASONS, ManifestResponder } from './manifest-responder.js';
import { ManifestTimeline } from './manifest-timeline.js';
import { PayloadResponder } from './payload-responder.js';
import { SerialQueue } from './serial.js';
import { StopVerification, VERIFIED_STOP_REASON } from './stop-verification.js';
import { TaskDelivery } from './task-delivery.js';
import { acsTask, FakeTaskEngine } from '../testing/fake-task-engine.js';
import { MemoryTaskStateStore } from '../testing/memory-task-state-store.js';

const CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/edge';
const INSTANCE = 'arn:aws:ecs:us-east-1:123456789012:container-instance/edge/abc';

function listed(task: AcsTask, desiredStatus: 'RUNNING' | 'STOPPED' = task.desiredStatus): TaskIdentifier {
  return { taskArn: task.arn, taskClusterArn: task.taskClusterArn, desiredStatus };
}

function manifest(messageId: string, timeline: number, tasks: TaskIdentifier[]): TaskManifestMessage {
  return { messageId, clusterArn: CLUSTER, containerInstanceArn: INSTANCE, tasks, generatedAt: 1, timeline };
}

const short = (arn: string) => arn.split('/').pop() ?? '';

/** The runtime's task message handlers over a fake engine, recording what they send, save and report. */
function setup(
  options: { restored?: TaskState[]; finished?: string[]; queued?: string[]; initial?: number } = {},
) {
  const sent: AgentEnvelope[] = [];
  const reports: TaskStateChange[] = [];
  const persisted: number[] = [];
  const store = new MemoryTaskStateStore();
  const saved = store.saves;
  const engine = new FakeTaskEngine(options.restored);
  const send = (e: AgentEnvelope) => {
    sent.push(e);
    return true;
  };
  const report = (c: TaskStateChange) => {
    reports.push(c);
    return Promise.resolve();
  };
  const finished = new Set(options.finished ?? []);
  const delivery = new TaskDelivery({ store, engine, finished });
  const serial = new SerialQueue();
  const timeline = new ManifestTimeline({
    initial: options.initial ?? 0,
    persist: (n) => void persisted.push(n),
  });
  const verification = new StopVerification({ delivery, serial, send });
  const manifests = new ManifestResponder({
    containerInstanceArn: INSTANCE,
    delivery,
    serial,
    timeline,
    verification,
    report,
    reportQueued: (arn) => options.queued?.includes(arn) === true,
    send,
    now: () => 42,
  });
  const payloads = new PayloadResponder({
    clusterArn: CLUSTER,
    containerInstanceArn: INSTANCE,
    store,
    engine,
    report,
    send,
    delivery,
    serial,
    timeline,
  });
  const payload = (messageId: string, seqNum: number, tasks: AcsTask[]) =>
    payloads.handle({
      messageId,
      clusterArn: CLUSTER,
      containerInstanceArn: INSTANCE,
      tasks,
      generatedAt: 1,
      seqNum,
    });
  return {
    sent,
    saved,
    reports,
    persisted,
    engine,
    manifests,
    verification,
    payload,
    idle: () => serial.idle(),
  };
}

const running = (name: string): TaskState => ({
  task: acsTask(name),
  knownStatus: 'RUNNING',
  containers: [{ name: 'web', knownStatus: 'RUNNING' }],
});

describe('ManifestResponder', () => {
  it('acknowledges every manifest, and ignores one not newer than a payload or manifest it acted on', async () => {
    const t = setup({ restored: [running('a')] });
    t.payload('p1', 100, [acsTask('b')]);
    t.manifests.handle(manifest('m-old', 100, [listed(acsTask('a'), 'STOPPED')]));
    await t.idle();
    assert.deepEqual(
      t.sent.map((e) => `${e.type} ${e.message.messageId}`),
      ['AckRequest p1', 'AckRequest m-old'],
    );
    assert.equal(t.engine.tasks().get(acsTask('a').arn)?.task.desiredStatus, 'RUNNING', 'stale: not stopped');
    assert.deepEqual(t.persisted, [100]);

    t.manifests.handle(manifest('m-new', 101, [listed(acsTask('a'), 'STOPPED'), listed(acsTask('b'))]));
    await t.idle();
    assert.equal(t.engine.tasks().get(acsTask('a').arn)?.task.desiredStatus, 'STOPPED');
    assert.deepEqual(t.persisted, [100, 101]);
  });

  it('stops a task listed STOPPED through the payload path: saved before the engine hears of it', async () => {
    const t = setup({ restored: [running('a')] });
    t.manifests.handle(manifest('m1', 5, [listed(acsTask('a'), 'STOPPED')]));
    await t.idle();
    assert.deepEqual(
      t.saved.map((s) => `${short(s.task.arn)} ${s.task.desiredStatus}`),
      ['a STOPPED'],
    );
    assert.deepEqual(
      t.engine.accepted.map((a) => `${short(a.arn)} ${a.desiredStatus} ${a.desiredStatusSeq ?? ''}`),
      ['a STOPPED 2'],
    );
    assert.equal(t.engine.accepted[0]?.stoppedReason, undefined, "the control plane's reason stands");
    assert.deepEqual(t.reports, []);
    assert.deepEqual(
      t.sent.map((e) => e.type),
      ['AckRequest'],
    );
  });

  it('reports STOPPED, once, a listed RUNNING task the host has no record of; never starts it', async () => {
    const lost = acsTask('lost');
    const cleaned = acsTask('cleaned');
    const queued = acsTask('queued');
    const t = setup({ finished: [cleaned.arn], queued: [queued.arn] });
    t.manifests.handle(manifest('m1', 5, [listed(lost), listed(cleaned), listed(queued)]));
    t.manifests.handle(manifest('m2', 6, [listed(lost), listed(cleaned), listed(queued)]));
    await t.idle();
    assert.deepEqual(t.reports, [
      {
        taskArn: lost.arn,
        clusterArn: CLUSTER,
        status: 'STOPPED',
        reason: MISSING_TASK_REASONS['no-record'],
        containers: [],
        at: 42,
      },
      {
        taskArn: cleaned.arn,
        clusterArn: CLUSTER,
        status: 'STOPPED',
        reason: MISSING_TASK_REASONS.finished,
        containers: [],
        at: 42,
      },
    ]);
    assert.deepEqual(t.engine.accepted, []);
    assert.deepEqual(t.saved, []);
  });

  it('asks about unlisted running tasks, and stops exactly those the answer names', async () => {
    const t = setup({ restored: [running('keep'), running('orphan1'), running('orphan2')] });
    t.manifests.handle(manifest('m1', 5, [listed(acsTask('keep'))]));
    await t.idle();
    const question = t.sent.find((e) => e.type === 'TaskStopVerificationMessage');
    assert.ok(question?.type === 'TaskStopVerificationMessage');
    assert.equal(question.message.messageId, 'm1');
    assert.deepEqual(question.message.stopCandidates.map((c) => short(c.taskArn)).sort(), [
      'orphan1',
      'orphan2',
    ]);
    assert.equal(t.engine.accepted.length, 0, 'nothing stopped before the answer');

    // An answer to another manifest is ignored.
    t.verification.handle({ messageId: 'm0', generatedAt: 1, stopTasks: [listed(acsTask('orphan1'))] });
    await t.idle();
    assert.equal(t.engine.accepted.length, 0);

    t.verification.handle({ messageId: 'm1', generatedAt: 1, stopTasks: [listed(acsTask('orphan2'))] });
    await t.idle();
    assert.deepEqual(
      t.engine.accepted.map((a) => `${short(a.arn)} ${a.desiredStatus}`),
      ['orphan2 STOPPED'],
    );
    assert.equal(t.engine.accepted[0]?.stoppedReason, VERIFIED_STOP_REASON);

    // Answered once: the same answer again stops nothing more.
    t.verification.handle({ messageId: 'm1', generatedAt: 1, stopTasks: [listed(acsTask('orphan1'))] });
    await t.idle();
    assert.equal(t.engine.accepted.length, 1);
  });

  it('asks nothing when every running task is listed, and ignores a late answer to an older manifest', async () => {
    const t = setup({ restored: [running('a'), running('b')] });
    t.manifests.handle(manifest('m1', 5, [listed(acsTask('a'))]));
    t.manifests.handle(manifest('m2', 6, [listed(acsTask('a')), listed(acsTask('b'))]));
    t.verification.handle({ messageId: 'm1', generatedAt: 1, stopTasks: [listed(acsTask('b'))] });
    await t.idle();
    assert.deepEqual(
      t.sent.map((e) => `${e.type} ${e.message.messageId}`),
      ['AckRequest m1', 'TaskStopVerificationMessage m1', 'AckRequest m2'],
    );
    assert.deepEqual(t.engine.accepted, []);
  });

  it('ignores a manifest for another container instance, without acknowledging it', async () => {
    const t = setup({ restored: [running('a')] });
    t.manifests.handle({ ...manifest('m1', 5, []), containerInstanceArn: `${INSTANCE}x` });
    await t.idle();
    assert.deepEqual(t.sent, []);
  });
});

describe('nothing is started twice', () => {
  it('a payload sent again, before or after a manifest, does not start a second copy', async () => {
    const t = setup();
    t.payload('p1', 10, [acsTask('a')]);
    t.manifests.handle(manifest('m1', 11, [listed(acsTask('a'))]));
    t.payload('p1-again', 12, [acsTask('a')]);
    await t.idle();
    assert.deepEqual(
      t.engine.accepted.map((a) => short(a.arn)),
      ['a'],
    );
    assert.deepEqual(
      t.sent.map((e) => `${e.type} ${e.message.messageId}`),
      ['AckRequest p1', 'AckRequest m1', 'AckRequest p1-again'],
    );
  });

  it('a payload sent again for a task that finished here and was cleaned up is acknowledged, not run', async () => {
    const t = setup({ finished: [acsTask('a').arn] });
    t.payload('p1', 10, [acsTask('a')]);
    await t.idle();
    assert.deepEqual(t.engine.accepted, []);
    assert.deepEqual(t.saved, []);
    assert.deepEqual(
      t.sent.map((e) => e.type),
      ['AckRequest'],
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentEnvelope } from '../../acs/messages.js';
import type { AcsTask, PayloadMessage } from '../../acs/payload.js';
import type { TaskState, TaskStateChange } from './contracts.js';
import { PayloadResponder, taskProblem } from './payload-responder.js';
import { acsTask, FakeTaskEngine } from '../testing/fake-task-engine.js';
import { MemoryTaskStateStore } from '../testing/memory-task-state-store.js';

const CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/edge';
const INSTANCE = 'arn:aws:ecs:us-east-1:123456789012:container-instance/edge/abc';

function payload(tasks: readonly AcsTask[], extra: Partial<PayloadMessage> = {}): PayloadMessage {
  return {
    messageId: 'm1',
    clusterArn: CLUSTER,
    containerInstanceArn: INSTANCE,
    tasks,
    generatedAt: 1,
    seqNum: 1,
    ...extra,
  };
}

/** A responder over recording fakes; `events` shows what happened in which order. */
function setup(options: { failSave?: boolean; restored?: TaskState[] } = {}) {
  const events: string[] = [];
  const reports: TaskStateChange[] = [];
  // Each save takes a moment, as an fsync does: the ack must still wait for it.
  const store = new MemoryTaskStateStore({
    saveDelayMs: 5,
    ...(options.failSave === true && { saveError: new Error('disk full') }),
    onSave: (state) =>
      events.push(`saved ${state.task.arn.split('/').pop() ?? ''} ${state.task.desiredStatus}`),
  });
  const saved = store.saves;
  const engine = new FakeTaskEngine(options.restored);
  const responder = new PayloadResponder({
    clusterArn: CLUSTER,
    containerInstanceArn: INSTANCE,
    store,
    engine,
    report: (c) => {
      reports.push(c);
      events.push(`reported ${c.taskArn.split('/').pop() ?? ''}`);
      return Promise.resolve();
    },
    send: (e: AgentEnvelope) => {
      events.push(
        e.type === 'NackRequest'
          ? `NackRequest ${e.message.reason}`
          : `${e.type} ${'messageId' in e.message ? e.message.messageId : ''}`,
      );
      return true;
    },
    now: () => 42,
  });
  return { events, reports, saved, engine, responder };
}

describe('PayloadResponder', () => {
  it('stores every task durably, then acknowledges, then hands them to the engine', async () => {
    const { events, engine, responder } = setup();
    responder.handle(payload([acsTask('a'), acsTask('b')]));
    await responder.idle();
    assert.deepEqual(events, ['saved a RUNNING', 'saved b RUNNING', 'AckRequest m1']);
    assert.deepEqual(
      engine.accepted.map((t) => t.arn.split('/').pop()),
      ['a', 'b'],
    );
    assert.equal(engine.tasks().get(acsTask('a').arn)?.knownStatus, 'NONE');
  });

  it('applies a newer desired status, ignores a stale one, and acknowledges both', async () => {
    const { events, engine, responder } = setup();
    responder.handle(payload([acsTask('a')]));
    responder.handle(payload([acsTask('a', 'STOPPED'), acsTask('b')], { messageId: 'm2' }));
    responder.handle(payload([acsTask('a')], { messageId: 'm3' }));
    await responder.idle();
    assert.deepEqual(events, [
      'saved a RUNNING',
      'AckRequest m1',
      'saved a STOPPED',
      'saved b RUNNING',
      'AckRequest m2',
      'AckRequest m3',
    ]);
    // Stops go to the engine before starts.
    assert.deepEqual(
      engine.accepted.map((t) => `${t.arn.split('/').pop() ?? ''} ${t.desiredStatus}`),
      ['a RUNNING', 'a STOPPED', 'b RUNNING'],
    );
  });

  it('knows what the engine resumed after a restart', async () => {
    const restored: TaskState = { task: acsTask('a', 'STOPPED'), knownStatus: 'STOPPED', containers: [] };
    const { events, engine, responder } = setup({ restored: [restored] });
    responder.handle(payload([acsTask('a')]));
    await responder.idle();
    assert.deepEqual(events, ['AckRequest m1']);
    assert.deepEqual(engine.accepted, []);
  });

  it('reports an invalid task STOPPED (durably, before the ack) and runs the rest', async () => {
    const { events, reports, engine, responder } = setup();
    const broken = { ...acsTask('bad'), containers: [] };
    responder.handle(payload([broken, acsTask('good')]));
    await responder.idle();
    assert.deepEqual(events, ['reported bad', 'saved good RUNNING', 'AckRequest m1']);
    assert.deepEqual(reports[0], {
      taskArn: broken.arn,
      clusterArn: CLUSTER,
      status: 'STOPPED',
      reason: 'UnrecognizedTaskError: the task has no containers',
      containers: [],
      at: 42,
    });
    assert.deepEqual(
      engine.accepted.map((t) => t.arn.split('/').pop()),
      ['good'],
    );
  });

  it('refuses (NackRequest) a payload for another instance, and one it could not store', async () => {
    const other = setup();
    other.responder.handle(payload([acsTask('a')], { containerInstanceArn: `${INSTANCE}x` }));
    await other.responder.idle();
    assert.equal(other.events.length, 1);
    assert.match(other.events[0] ?? '', /^NackRequest the payload is for container instance/);
    assert.deepEqual(other.engine.accepted, []);

    const full = setup({ failSave: true });
    full.responder.handle(payload([acsTask('a')]));
    await full.responder.idle();
    assert.equal(full.events.length, 1);
    assert.match(full.events[0] ?? '', /^NackRequest could not store .*disk full/);
    assert.deepEqual(full.engine.accepted, []);
  });
});

describe('taskProblem', () => {
  const table: readonly [string, unknown, string | undefined][] = [
    ['a well-formed task', acsTask('a'), undefined],
    ['no arn', { ...acsTask('a'), arn: '' }, 'the task has no arn'],
    [
      'an unknown desired status',
      { ...acsTask('a'), desiredStatus: 'PENDING' },
      'desiredStatus "PENDING" is neither RUNNING nor STOPPED',
    ],
    ['no containers', { ...acsTask('a'), containers: [] }, 'the task has no containers'],
    [
      'a container without image',
      { ...acsTask('a'), containers: [{ name: 'x', essential: true }] },
      'container x has no image',
    ],
    [
      'two containers of one name',
      {
        ...acsTask('a'),
        containers: [
          { name: 'x', image: 'i', essential: true },
          { name: 'x', image: 'i', essential: true },
        ],
      },
      'two containers are named x',
    ],
    [
      'no essential container',
      { ...acsTask('a'), containers: [{ name: 'x', image: 'i', essential: false }] },
      'the task has no essential container',
    ],
  ];
  for (const [what, task, expected] of table) {
    it(what, () => assert.equal(taskProblem(task as AcsTask), expected));
  }
});

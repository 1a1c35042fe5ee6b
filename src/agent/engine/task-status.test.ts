import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AcsContainer, AcsTask } from '../../acs/payload.js';
import type { ContainerState, TaskState } from '../tasks/contracts.js';
import {
  afterContainerStopped,
  ESSENTIAL_EXITED_REASON,
  reportKey,
  shouldRestart,
  stateChange,
  stopTask,
  taskKnownStatus,
  withTaskStatus,
} from './task-status.js';

const c = (
  name: string,
  knownStatus: ContainerState['knownStatus'],
  extra: Partial<ContainerState> = {},
): ContainerState => ({
  name,
  knownStatus,
  ...extra,
});

const task: AcsTask = {
  arn: 'arn:aws:ecs:us-east-1:123456789012:task/edge/1',
  taskClusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge',
  family: 'f',
  version: '1',
  desiredStatus: 'RUNNING',
  containers: [
    { name: 'a', image: 'i', essential: true },
    { name: 'b', image: 'i', essential: false },
  ],
};
const [essential, sidecar] = task.containers as [AcsContainer, AcsContainer];
const state = (knownStatus: TaskState['knownStatus'], containers: ContainerState[]): TaskState => ({
  task,
  knownStatus,
  containers,
});

void describe('task known status', () => {
  void it('is the least advanced container still in play', () => {
    assert.equal(taskKnownStatus('NONE', [c('a', 'PULLED'), c('b', 'RUNNING')]), 'PULLED');
    assert.equal(taskKnownStatus('NONE', [c('a', 'RUNNING'), c('b', 'STOPPED')]), 'RUNNING');
    assert.equal(taskKnownStatus('NONE', [c('a', 'NONE'), c('b', 'STOPPED')]), 'NONE');
    assert.equal(taskKnownStatus('RUNNING', [c('a', 'STOPPED'), c('b', 'STOPPED')]), 'STOPPED');
  });

  void it('never moves backwards', () => {
    assert.equal(taskKnownStatus('RUNNING', [c('a', 'CREATED')]), 'RUNNING');
  });

  void it('stamps startedAt and executionStoppedAt once', () => {
    const running = withTaskStatus(state('CREATED', [c('a', 'RUNNING'), c('b', 'RUNNING')]), 10);
    assert.equal(running.knownStatus, 'RUNNING');
    assert.equal(running.startedAt, 10);
    const stopped = withTaskStatus({ ...running, containers: [c('a', 'STOPPED'), c('b', 'STOPPED')] }, 20);
    assert.equal(stopped.executionStoppedAt, 20);
    assert.equal(stopped.startedAt, 10);
    assert.equal(withTaskStatus(stopped, 30), stopped);
  });

  void it('dates a stop learnt late from when Docker says the last container finished', () => {
    const running = withTaskStatus(state('CREATED', [c('a', 'RUNNING'), c('b', 'RUNNING')]), 10);
    const exited = [c('a', 'STOPPED', { finishedAt: 15 }), c('b', 'STOPPED', { finishedAt: 17 })];
    const stopped = withTaskStatus({ ...running, containers: exited }, 90);
    assert.equal(stopped.executionStoppedAt, 17);
    assert.equal(stateChange(stopped, 95).at, 17, 'the report says when it happened, not when it was made');
    // A clock that disagrees cannot date a stop in the future.
    const skewed = [c('a', 'STOPPED', { finishedAt: 200 }), c('b', 'STOPPED')];
    assert.equal(withTaskStatus({ ...running, containers: skewed }, 90).executionStoppedAt, 90);
  });
});

void describe('what a container stopping means for the task', () => {
  void it('a non-essential container changes nothing', () => {
    const s = state('RUNNING', [c('a', 'RUNNING'), c('b', 'STOPPED', { exitCode: 1 })]);
    assert.equal(afterContainerStopped(s, sidecar, undefined), s);
  });

  void it('an essential exit after start: EssentialContainerExited', () => {
    const s = afterContainerStopped(
      state('RUNNING', [c('a', 'STOPPED', { exitCode: 1 })]),
      essential,
      undefined,
    );
    assert.equal(s.task.desiredStatus, 'STOPPED');
    assert.equal(s.stopCode, 'EssentialContainerExited');
    assert.equal(s.stoppedReason, ESSENTIAL_EXITED_REASON);
  });

  void it('an essential failure before the task ran: TaskFailedToStart with the failure', () => {
    const s = afterContainerStopped(
      state('PULLED', [c('a', 'STOPPED')]),
      essential,
      'CannotPullContainerError: nope',
    );
    assert.equal(s.stopCode, 'TaskFailedToStart');
    assert.equal(s.stoppedReason, 'CannotPullContainerError: nope');
  });

  void it('the first reason wins, and a stop the control plane asked for keeps its own', () => {
    const first = stopTask(state('RUNNING', []), 'EssentialContainerExited', 'one');
    assert.equal(stopTask(first, 'TaskFailedToStart', 'two'), first);
    const asked = { ...state('RUNNING', []), task: { ...task, desiredStatus: 'STOPPED' as const } };
    assert.equal(stopTask(asked, 'TaskFailedToStart', 'x').stopCode, undefined);
  });
});

void describe('restart policy', () => {
  const policy = { enabled: true, ignoredExitCodes: [0], restartAttemptPeriod: 60 };
  const facts = { exitCode: 1, lastStartedAt: 0, taskDesired: 'RUNNING' as const, now: 60_000 };
  void it('restarts after the attempt period', () =>
    assert.equal(shouldRestart(policy, facts).restart, true));
  void it('not before it', () =>
    assert.equal(shouldRestart(policy, { ...facts, now: 59_999 }).restart, false));
  void it('not for ignored exit codes', () =>
    assert.equal(shouldRestart(policy, { ...facts, exitCode: 0 }).restart, false));
  void it('not while the task stops', () =>
    assert.equal(shouldRestart(policy, { ...facts, taskDesired: 'STOPPED' }).restart, false));
  void it('not when disabled or absent', () => {
    assert.equal(shouldRestart({ enabled: false }, facts).restart, false);
    assert.equal(shouldRestart(undefined, facts).restart, false);
  });
  void it('default period is 300 s', () => {
    assert.equal(shouldRestart({ enabled: true }, { ...facts, now: 299_000 }).restart, false);
    assert.equal(shouldRestart({ enabled: true }, { ...facts, now: 300_000 }).restart, true);
  });
});

void describe('state changes', () => {
  void it('map the known status to what the control plane knows and carry the stop reason only when stopped', () => {
    const s: TaskState = {
      ...state('CREATED', [c('a', 'CREATED')]),
      stoppedReason: 'x',
      stopCode: 'UserInitiated',
    };
    const change = stateChange(s, 5);
    assert.equal(change.status, 'PENDING');
    assert.equal(change.reason, undefined);
    const done = stateChange({ ...s, knownStatus: 'STOPPED' }, 6);
    assert.equal(done.status, 'STOPPED');
    assert.equal(done.reason, 'x');
    assert.equal(done.stopCode, 'UserInitiated');
  });

  void it('a report is due only when something the control plane sees changes', () => {
    const a = state('PULLED', [c('a', 'PULLED')]);
    assert.equal(reportKey(a), reportKey({ ...a, knownStatus: 'CREATED', containers: [c('a', 'CREATED')] }));
    assert.notEqual(reportKey(a), reportKey({ ...a, containers: [c('a', 'PULLED', { runtimeId: 'x' })] }));
    assert.notEqual(reportKey(a), reportKey({ ...a, knownStatus: 'RUNNING' }));
    // A restart by the restart policy leaves every status RUNNING: the count alone makes the report due.
    const up = state('RUNNING', [c('a', 'RUNNING', { restartCount: 1 })]);
    assert.notEqual(
      reportKey(up),
      reportKey({ ...up, containers: [c('a', 'RUNNING', { restartCount: 2 })] }),
    );
  });
});

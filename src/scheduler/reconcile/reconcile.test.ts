/** The reconciler on its own: scenarios a service goes through, step by step, on a simulated cluster. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { breakerThreshold, maxTasks, minHealthyTasks } from './health.js';
import { World } from './testing/world.js';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:container-instance/c1/';

describe('deployment limits and thresholds (ECS rounding)', () => {
  it('rounds maximumPercent down and minimumHealthyPercent up', () => {
    assert.equal(maxTasks(3, 150), 4);
    assert.equal(maxTasks(5, 200), 10);
    assert.equal(minHealthyTasks(3, 50), 2);
    assert.equal(minHealthyTasks(5, 100), 5);
    assert.equal(minHealthyTasks(0, 100), 0);
  });

  it('clamps the circuit breaker threshold to [10, 200]', () => {
    assert.equal(breakerThreshold(1), 10);
    assert.equal(breakerThreshold(25), 13);
    assert.equal(breakerThreshold(400), 200);
    assert.equal(breakerThreshold(0), 10);
  });
});

describe('reconcile: REPLICA', () => {
  it('starts the desired tasks, spread, and reaches a steady state once they are healthy', () => {
    const w = new World();
    const first = w.step();
    assert.equal(first.place.length, 3);
    assert.deepEqual([...w.perInstance().values()], [1, 1, 1]);
    assert.deepEqual(first.events, [
      '(service web) has started 3 tasks: (task t001) (task t002) (task t003).',
    ]);
    assert.equal(first.pendingCount, 3);
    assert.equal(first.deployments[0]?.rolloutState, 'IN_PROGRESS');

    w.agentStartAll();
    const running = w.step();
    assert.equal(running.runningCount, 3);
    assert.deepEqual(running.events, []);
    assert.equal(running.deployments[0]?.rolloutState, 'IN_PROGRESS', 'not healthy for 40 s yet');

    w.advance(40_000);
    const steady = w.step();
    assert.deepEqual(steady.events, [
      '(service web) (deployment ecs-svc/1) deployment completed.',
      '(service web) has reached a steady state.',
    ]);
    assert.equal(steady.deployments[0]?.rolloutState, 'COMPLETED');
    assert.equal(steady.deployments[0]?.rolloutStateReason, 'ECS deployment ecs-svc/1 completed.');
    assert.deepEqual(w.state.lastCompleted, { id: 'ecs-svc/1', taskDefinition: 'td:1' });

    // The steady state is not repeated while it lasts, until six hours have passed.
    w.advance(3_600_000);
    assert.deepEqual(w.step().events, []);
    w.advance(6 * 3_600_000);
    assert.deepEqual(w.step().events, ['(service web) has reached a steady state.']);
  });

  it('rolls a new revision out with new tasks first, never above 200% or below 100%', () => {
    const w = new World();
    w.settle();
    w.deploy('td:2');
    const start = w.step();
    assert.equal(start.place.length, 3, 'maximumPercent 200 leaves room for all three new tasks');
    assert.equal(start.stop.length, 0, 'no old task goes before a new one is healthy');
    assert.equal(w.live().length, 6);
    w.agentStartAll();
    assert.equal(w.step().stop.length, 0, 'RUNNING is not yet healthy');
    w.advance(40_000);
    const swap = w.step();
    assert.equal(swap.stop.length, 3);
    assert.match(
      swap.events[0] ?? '',
      /^\(service web\) has stopped 3 running tasks: \(task t00[123]\) \(task t00[123]\) \(task t00[123]\)\.$/,
    );
    // Its tasks asked to stop, the old deployment has nothing left running or pending: it leaves.
    assert.deepEqual(
      swap.deployments.map((d) => [d.id, d.removed]),
      [
        ['ecs-svc/2', false],
        ['ecs-svc/1', true],
      ],
    );
    w.agentStopAll();
    const done = w.step();
    assert.equal(done.deployments[0]?.rolloutState, 'COMPLETED');
    assert.ok(w.live().every((t) => t.taskDefinition === 'td:2'));
  });

  it('with maximumPercent 100 and minimumHealthyPercent 50 stops old tasks first', () => {
    const w = new World({ service: { desiredCount: 4, maximumPercent: 100, minimumHealthyPercent: 50 } });
    w.settle();
    w.deploy('td:2');
    const first = w.step();
    assert.equal(first.place.length, 0);
    assert.equal(first.stop.length, 2, 'down to ceil(4 x 50%) = 2 healthy');
    w.agentStopAll();
    const second = w.step();
    assert.equal(second.place.length, 2);
    w.settle();
    assert.equal(w.live().length, 4);
    assert.ok(w.live().every((t) => t.taskDefinition === 'td:2'));
  });

  it('says when the deployment configuration leaves no room to move', () => {
    const w = new World({ service: { desiredCount: 2, maximumPercent: 100, minimumHealthyPercent: 100 } });
    w.settle();
    w.deploy('td:2');
    const stuck = w.step();
    assert.deepEqual(stuck.place, []);
    assert.deepEqual(stuck.stop, []);
    assert.deepEqual(stuck.events, [
      '(service web) was unable to stop or start tasks during a deployment because of the service deployment ' +
        'configuration. Update the minimumHealthyPercent or maximumPercent value and try again.',
    ]);
    assert.deepEqual(w.step().events, [], 'not repeated while the cause persists');
  });

  it('replaces a task that exits, and scales in from the most loaded instance, newest first', () => {
    const w = new World({ service: { desiredCount: 4 } });
    w.settle();
    const [victim] = w.live();
    w.agentFail(victim?.arn ?? '');
    const replace = w.step();
    assert.equal(replace.place.length, 1);
    assert.equal(replace.deployments[0]?.failedTasks, 0, 'a healthy deployment no longer counts failures');
    w.settle();
    assert.equal(w.live().length, 4);
    const before = w.perInstance();
    const crowded = [...before].find(([, n]) => n === 2)?.[0];
    w.service = { ...w.service, desiredCount: 3 };
    const scaleIn = w.step();
    assert.equal(scaleIn.stop.length, 1);
    const stopped = w.tasks.find((t) => t.arn === scaleIn.stop[0]?.taskArn);
    assert.equal(stopped?.instanceArn, `${ARN}${crowded}`);
    assert.equal(scaleIn.stop[0]?.reason, 'Scaling activity initiated by (deployment ecs-svc/1)');
  });

  it('explains an unplaceable task naming the closest instance, once', () => {
    const w = new World({
      instances: [{ cpu: 100 }, { memory: 256 }, { agentConnected: false }],
      service: { desiredCount: 1 },
    });
    const plan = w.step();
    assert.deepEqual(plan.place, []);
    assert.deepEqual(plan.events, [
      '(service web) was unable to place a task because no container instance met all of its requirements. ' +
        'The closest matching (container-instance i2) has insufficient memory available. For more ' +
        'information, see the Troubleshooting section.',
    ]);
    assert.deepEqual(w.step().events, []);
  });

  it('explains a cluster without instances', () => {
    const w = new World({ instances: [], service: { desiredCount: 1 } });
    assert.deepEqual(w.step().events, [
      '(service web) was unable to place a task because no container instance met all of its requirements. ' +
        'Reason: No Container Instances were found in your cluster. For more information, see the ' +
        'Troubleshooting section.',
    ]);
  });

  it('trips the circuit breaker on tasks that never start, and rolls back to the completed deployment', () => {
    const w = new World({ service: { desiredCount: 2, circuitBreaker: { enable: true, rollback: true } } });
    w.settle();
    const old = w.live().map((t) => t.arn);
    w.deploy('td:bad');
    let plan = w.step();
    for (let i = 0; i < 20 && plan.rollback === undefined; i++) {
      for (const t of w.live().filter((x) => x.startedBy === 'ecs-svc/2')) w.agentFail(t.arn);
      plan = w.step();
    }
    assert.ok(plan.rollback, 'rolled back');
    assert.deepEqual(plan.rollback, {
      failedDeploymentId: 'ecs-svc/2',
      toDeploymentId: 'ecs-svc/1',
      toTaskDefinition: 'td:1',
    });
    const failed = plan.deployments.find((d) => d.id === 'ecs-svc/2');
    assert.equal(failed?.rolloutState, 'FAILED');
    assert.equal(failed?.rolloutStateReason, 'ECS deployment circuit breaker: tasks failed to start.');
    assert.ok((failed?.failedTasks ?? 0) >= 10);
    assert.deepEqual(plan.events.slice(0, 2), [
      '(service web) (deployment ecs-svc/2) deployment failed: tasks failed to start.',
      '(service web) rolling back to deployment ecs-svc/1.',
    ]);
    assert.deepEqual(
      w.live().map((t) => t.arn),
      old,
      'the old tasks kept running throughout',
    );
    w.settle();
    assert.deepEqual(
      w.deployments.map((d) => [d.id, d.taskDefinition, d.rolloutState]),
      [['ecs-svc/3', 'td:1', 'COMPLETED']],
    );
    assert.deepEqual(
      w.live().map((t) => t.arn),
      old,
      'the rollback adopted the running tasks instead of replacing them',
    );
  });

  it('throttles launches of a task that keeps failing to start', () => {
    const w = new World({
      service: { desiredCount: 1 },
      settings: { throttleFreeFailures: 2, throttleBaseMs: 10_000 },
    });
    for (let i = 0; i < 3; i++) {
      const plan = w.step();
      assert.equal(plan.place.length, 1, `attempt ${i + 1}`);
      w.agentFail(w.live()[0]?.arn ?? '');
    }
    const throttled = w.step();
    assert.deepEqual(throttled.place, []);
    assert.deepEqual(throttled.events, ['(service web) is unable to consistently start tasks successfully.']);
    w.advance(9_000);
    assert.deepEqual(w.step().place, []);
    w.advance(1_000);
    assert.equal(w.step().place.length, 1, 'tried again after the delay');
    w.agentFail(w.live()[0]?.arn ?? '');
    w.step();
    w.advance(10_000);
    assert.deepEqual(w.step().place, [], 'the delay doubled');
    w.advance(10_000);
    assert.equal(w.step().place.length, 1);
  });

  it('replaces a task that fails its container health checks after the grace period', () => {
    const w = new World({
      healthChecked: true,
      service: { desiredCount: 1, healthCheckGracePeriodMs: 60_000 },
    });
    w.step();
    w.agentStartAll();
    const [task] = w.live();
    w.setHealth(task?.arn ?? '', 'UNHEALTHY');
    assert.deepEqual(w.step().stop, [], 'within the grace period');
    w.advance(60_000);
    const plan = w.step();
    assert.deepEqual(plan.stop, [{ taskArn: task?.arn, reason: 'Task failed container health checks' }]);
    assert.equal(plan.place.length, 1, 'and its replacement starts at once (maximumPercent allows)');
    assert.equal(plan.events[0], `(service web) (task ${task?.id}) failed container health checks.`);
  });

  it('moves tasks off a DRAINING instance within the limits', () => {
    const w = new World({ service: { desiredCount: 3 } });
    w.settle();
    w.instances.set('i1', { status: 'DRAINING' });
    const plan = w.step();
    assert.equal(plan.place.length, 1);
    assert.ok(plan.place.every((p) => p.instanceArn !== `${ARN}i1`));
    assert.deepEqual(plan.stop, [], 'the task on i1 stays until its replacement is healthy');
    w.settle();
    assert.equal(w.perInstance().get('i1'), undefined);
    assert.equal(w.live().length, 3);
  });

  it('replaces the tasks of a deregistered instance at once, and stops their records', () => {
    const w = new World({ service: { desiredCount: 3 } });
    w.settle();
    const onI1 = w.live().filter((t) => t.instanceArn === `${ARN}i1`);
    w.instances.delete('i1');
    const plan = w.step();
    assert.deepEqual(
      plan.stop.map((s) => s.taskArn),
      onI1.map((t) => t.arn),
    );
    assert.equal(plan.place.length, onI1.length);
    assert.ok(plan.place.every((p) => p.instanceArn !== `${ARN}i1`));
  });

  it('stops every task of a deleted service and reports it drained', () => {
    const w = new World();
    w.settle();
    w.service = { ...w.service, status: 'DRAINING' };
    const plan = w.step();
    assert.equal(plan.stop.length, 3);
    assert.equal(plan.drained, true);
    assert.equal(plan.desiredCount, 0);
  });
});

describe('reconcile: disconnected instances', () => {
  it('does not replace tasks of a disconnected instance (ECS)', () => {
    const w = new World();
    w.settle();
    w.instances.set('i1', { agentConnected: false });
    w.disconnectedSince.set(`${ARN}i1`, w.now);
    w.advance(3_600_000);
    const plan = w.step();
    assert.deepEqual(plan.place, []);
    assert.deepEqual(plan.stop, []);
  });

  it('replaces them after the Berth setting, and stops the newest surplus when the host returns', () => {
    const w = new World({ settings: { replaceDisconnectedAfterMs: 60_000 } });
    w.settle();
    const onI1 = w.live().filter((t) => t.instanceArn === `${ARN}i1`);
    w.instances.set('i1', { agentConnected: false });
    w.disconnectedSince.set(`${ARN}i1`, w.now);
    assert.deepEqual(w.step().place, [], 'not before the setting');
    w.advance(60_000);
    const replace = w.step();
    assert.equal(replace.place.length, onI1.length);
    assert.ok(replace.place.every((p) => p.instanceArn !== `${ARN}i1`));
    w.settle();
    assert.equal(w.live().length, 4, 'three counted, one lost');
    w.instances.set('i1', {});
    w.disconnectedSince.delete(`${ARN}i1`);
    const back = w.step();
    assert.equal(back.stop.length, 1);
    const newest = w.live().length === 3 ? back.stop[0]?.taskArn : undefined;
    assert.ok(newest !== undefined);
    assert.notEqual(newest, onI1[0]?.arn, 'the task that ran longest stays');
  });
});

describe('reconcile: DAEMON', () => {
  it('runs one task on each matching instance and follows them as they come, drain and go', () => {
    const w = new World({
      instances: [{ id: 'a' }, { id: 'b' }, { id: 'c', attributes: { role: 'db' } }],
      memberOf: ['not(attribute:role == db)'],
      service: {
        schedulingStrategy: 'DAEMON',
        minimumHealthyPercent: 0,
        maximumPercent: 100,
        strategies: [],
      },
    });
    const plan = w.step();
    assert.equal(plan.desiredCount, 2);
    assert.deepEqual([...w.perInstance().keys()].sort(), ['a', 'b']);
    w.settle();
    w.instances.set('d', {});
    const grown = w.step();
    assert.deepEqual(
      grown.place.map((p) => p.instanceArn),
      [`${ARN}d`],
    );
    assert.equal(grown.desiredCount, 3);
    w.settle();
    w.instances.set('a', { status: 'DRAINING' });
    const drained = w.step();
    assert.equal(drained.stop.length, 1);
    assert.equal(drained.desiredCount, 2);
    w.settle();
    w.instances.delete('b');
    w.settle();
    assert.deepEqual([...w.perInstance().keys()], ['d']);
  });

  it('replaces each instance’s task on a new revision once the old one has stopped', () => {
    const w = new World({
      service: {
        schedulingStrategy: 'DAEMON',
        minimumHealthyPercent: 0,
        maximumPercent: 100,
        strategies: [],
      },
    });
    w.settle();
    w.deploy('td:2');
    const first = w.step();
    assert.equal(first.stop.length, 3);
    assert.deepEqual(first.place, [], 'the old task still holds the instance');
    w.agentStopAll();
    assert.equal(w.step().place.length, 3);
    w.settle();
    assert.ok(w.live().every((t) => t.taskDefinition === 'td:2'));
    assert.deepEqual([...w.perInstance().values()], [1, 1, 1]);
  });
});

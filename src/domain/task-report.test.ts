import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { shownReason, type TaskRecord } from './task-record.js';
import { applyTaskReport, taskHealth, type TaskReport } from './task-report.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const NOW = at(600);

const TASK_ARN = 'arn:aws:ecs:us-east-1:123456789012:task/edge/t1';
const container = (name: string) => ({
  containerArn: `arn:aws:ecs:us-east-1:123456789012:container/edge/t1/${name}`,
  taskArn: TASK_ARN,
  name,
  lastStatus: 'PENDING' as const,
});

function pending(extra: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskArn: TASK_ARN,
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge',
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
    containerInstanceArn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/edge/i1',
    desiredStatus: 'RUNNING',
    lastStatus: 'PENDING',
    createdAt: T0,
    version: 1,
    connectivity: 'CONNECTED',
    connectivityAt: T0,
    containers: [container('web'), container('side')],
    ...extra,
  };
}

const DEFINITION: Pick<TaskDefinition, 'containerDefinitions'> = {
  containerDefinitions: [
    { name: 'web', essential: true, healthCheck: { command: ['CMD', 'true'] } },
    { name: 'side', essential: false },
  ],
};

const apply = (task: TaskRecord, report: TaskReport) =>
  applyTaskReport(task, report, { now: NOW, definition: DEFINITION });

const RUNNING: TaskReport = {
  status: 'RUNNING',
  pullStartedAt: at(1),
  pullStoppedAt: at(5),
  at: at(7),
  containers: [
    {
      containerName: 'web',
      status: 'RUNNING',
      runtimeId: 'abc123',
      networkBindings: [{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 8080, protocol: 'tcp' }],
      imageDigest: 'sha256:feed',
    },
    { containerName: 'side', status: 'RUNNING', runtimeId: 'def456' },
  ],
};

describe('applyTaskReport', () => {
  it('moves PENDING to RUNNING with pull times, startedAt, runtime ids and bindings; version + 1', () => {
    const { task, changed } = apply(pending(), RUNNING);
    assert.equal(changed, true);
    assert.equal(task.lastStatus, 'RUNNING');
    assert.deepEqual([task.pullStartedAt, task.pullStoppedAt, task.startedAt], [at(1), at(5), at(7)]);
    assert.equal(task.version, 2);
    const web = task.containers?.[0];
    assert.equal(web?.lastStatus, 'RUNNING');
    assert.equal(web?.runtimeId, 'abc123');
    assert.equal(web?.imageDigest, 'sha256:feed');
    assert.deepEqual(web?.networkBindings, [
      { bindIP: '0.0.0.0', containerPort: 80, hostPort: 8080, protocol: 'tcp' },
    ]);
    assert.equal(task.stoppedAt, undefined);
  });

  it('changes nothing, not even the version, when the same report comes again', () => {
    const once = apply(pending(), RUNNING).task;
    const twice = apply(once, RUNNING);
    assert.equal(twice.changed, false);
    assert.equal(twice.task, once);
  });

  it('never moves lastStatus backwards, nor a container', () => {
    const stopped = apply(pending(), {
      status: 'STOPPED',
      at: at(9),
      containers: [{ containerName: 'web', status: 'STOPPED', exitCode: 1 }],
    }).task;
    for (const late of [RUNNING, { status: 'PENDING', containers: [] } satisfies TaskReport]) {
      const { task } = apply(stopped, late);
      assert.equal(task.lastStatus, 'STOPPED');
      assert.equal(task.containers?.[0]?.lastStatus, 'STOPPED');
      assert.equal(task.desiredStatus, 'STOPPED');
    }
    const running = apply(pending(), RUNNING).task;
    assert.equal(
      apply(running, { status: 'PENDING', containers: [{ containerName: 'web', status: 'PENDING' }] }).task
        .lastStatus,
      'RUNNING',
    );
    assert.equal(
      apply(running, { status: 'PENDING', containers: [{ containerName: 'web', status: 'PENDING' }] }).task
        .containers?.[0]?.lastStatus,
      'RUNNING',
    );
  });

  it('on STOPPED after running: EssentialContainerExited, timestamps, exit codes, every container stopped', () => {
    const running = apply(pending(), RUNNING).task;
    const { task } = apply(running, {
      status: 'STOPPED',
      executionStoppedAt: at(100),
      at: at(101),
      containers: [
        {
          containerName: 'web',
          status: 'STOPPED',
          exitCode: 137,
          reason: 'OutOfMemoryError: Container killed',
        },
      ],
    });
    assert.equal(task.lastStatus, 'STOPPED');
    assert.equal(task.desiredStatus, 'STOPPED');
    assert.equal(task.stopCode, 'EssentialContainerExited');
    assert.equal(task.stoppedReason, 'Essential container in task exited');
    assert.deepEqual([task.stoppingAt, task.executionStoppedAt, task.stoppedAt], [at(100), at(100), at(101)]);
    assert.equal(task.startedAt?.getTime(), at(7).getTime());
    assert.equal(task.containers?.[0]?.exitCode, 137);
    assert.equal(task.containers?.[0]?.reason, 'OutOfMemoryError: Container killed');
    assert.deepEqual(
      task.containers?.map((c) => c.lastStatus),
      ['STOPPED', 'STOPPED'],
    );
    assert.equal(task.version, 3);
  });

  it("keeps the control plane's own stop code and reason (StopTask)", () => {
    const running = apply(pending(), RUNNING).task;
    const stopping: TaskRecord = {
      ...running,
      desiredStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'rollout',
      stoppingAt: at(50),
    };
    const { task } = apply(stopping, {
      status: 'STOPPED',
      reason: 'whatever the agent says',
      at: at(60),
      containers: [],
    });
    assert.equal(task.stopCode, 'UserInitiated');
    assert.equal(task.stoppedReason, 'rollout');
    assert.equal(task.stoppingAt?.getTime(), at(50).getTime());
  });

  it('on STOPPED without ever running: TaskFailedToStart with the failing container reason', () => {
    const { task } = apply(pending(), {
      status: 'STOPPED',
      at: at(30),
      containers: [
        { containerName: 'web', status: 'STOPPED', reason: 'CannotPullContainerError: pull access denied' },
      ],
    });
    assert.equal(task.stopCode, 'TaskFailedToStart');
    assert.equal(task.stoppedReason, 'CannotPullContainerError: pull access denied');
    assert.equal(task.startedAt, undefined);
  });

  it("takes the agent's task reason when it gives one", () => {
    const { task } = apply(pending(), {
      status: 'STOPPED',
      reason: 'UnrecognizedTaskError: no containers',
      containers: [],
    });
    assert.equal(task.stoppedReason, 'UnrecognizedTaskError: no containers');
    assert.equal(task.stopCode, 'TaskFailedToStart');
  });

  it('trims reasons to 1024 characters and runtime ids to 255', () => {
    const { task } = apply(pending(), {
      containers: [{ containerName: 'web', reason: 'x'.repeat(5000), runtimeId: 'a'.repeat(300) }],
    });
    assert.equal(task.containers?.[0]?.reason?.length, 1024);
    assert.equal(task.containers?.[0]?.runtimeId?.length, 255);
  });

  it('keeps reported times between creation and now', () => {
    const { task } = apply(pending(), {
      status: 'RUNNING',
      startedAt: new Date(0),
      pullStartedAt: at(10_000),
      containers: [],
    });
    assert.equal(task.startedAt?.getTime(), T0.getTime());
    assert.equal(task.pullStartedAt?.getTime(), NOW.getTime());
  });

  it('fills each timestamp once', () => {
    const running = apply(pending(), RUNNING).task;
    const again = apply(running, { ...RUNNING, pullStartedAt: at(200), at: at(200) }).task;
    assert.equal(again.pullStartedAt?.getTime(), at(1).getTime());
    assert.equal(again.startedAt?.getTime(), at(7).getTime());
  });

  it('marks the task CONNECTED when its agent reports', () => {
    const { task } = apply(pending({ connectivity: 'DISCONNECTED' }), { containers: [] });
    assert.equal(task.connectivity, 'CONNECTED');
    assert.equal(task.connectivityAt?.getTime(), NOW.getTime());
  });

  it('ignores containers the task does not have', () => {
    const { task, changed } = apply(pending({ healthStatus: 'UNKNOWN' }), {
      containers: [{ containerName: 'ghost', status: 'RUNNING' }],
    });
    assert.equal(changed, false);
    assert.equal(task.containers?.length, 2);
  });

  it('follows essential containers for the task health', () => {
    const running = apply(pending(), RUNNING).task;
    assert.equal(running.healthStatus, 'UNKNOWN');
    const healthy = apply(running, { containers: [{ containerName: 'web', healthStatus: 'HEALTHY' }] }).task;
    assert.equal(healthy.healthStatus, 'HEALTHY');
    assert.equal(healthy.containers?.[0]?.healthStatus, 'HEALTHY');
    // A non-essential container's health does not count.
    assert.equal(
      apply(healthy, { containers: [{ containerName: 'side', healthStatus: 'UNHEALTHY' }] }).task
        .healthStatus,
      'HEALTHY',
    );
    assert.equal(
      apply(healthy, { containers: [{ containerName: 'web', healthStatus: 'UNHEALTHY' }] }).task.healthStatus,
      'UNHEALTHY',
    );
  });
});

describe('taskHealth', () => {
  const def = (containers: { name: string; essential?: boolean; check?: boolean }[]) => ({
    containerDefinitions: containers.map((c) => ({
      name: c.name,
      ...(c.essential !== undefined && { essential: c.essential }),
      ...(c.check === true && { healthCheck: { command: ['CMD', 'true'] } }),
    })),
  });
  const table: readonly [
    string,
    ReturnType<typeof def>,
    Record<string, 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN' | undefined>,
    string,
  ][] = [
    ['no health checks', def([{ name: 'a' }]), { a: undefined }, 'UNKNOWN'],
    ['the one check healthy', def([{ name: 'a', check: true }]), { a: 'HEALTHY' }, 'HEALTHY'],
    [
      'a check still unknown',
      def([
        { name: 'a', check: true },
        { name: 'b', check: true },
      ]),
      { a: 'HEALTHY', b: 'UNKNOWN' },
      'UNKNOWN',
    ],
    [
      'an essential unhealthy',
      def([{ name: 'a', check: true }, { name: 'b' }]),
      { a: 'UNHEALTHY', b: undefined },
      'UNHEALTHY',
    ],
    [
      'checked and unchecked essentials',
      def([{ name: 'a', check: true }, { name: 'b' }]),
      { a: 'HEALTHY', b: undefined },
      'HEALTHY',
    ],
    [
      'only a non-essential is checked',
      def([{ name: 'a' }, { name: 'b', essential: false, check: true }]),
      { a: undefined, b: 'HEALTHY' },
      'UNKNOWN',
    ],
    [
      'a non-essential unhealthy',
      def([
        { name: 'a', check: true },
        { name: 'b', essential: false, check: true },
      ]),
      { a: 'HEALTHY', b: 'UNHEALTHY' },
      'HEALTHY',
    ],
  ];
  for (const [what, definition, health, expected] of table) {
    it(`${what}: ${expected}`, () => {
      const containers = Object.entries(health).map(([name, h]) => ({
        name,
        ...(h !== undefined && { healthStatus: h }),
      }));
      assert.equal(taskHealth(containers, definition), expected);
    });
  }

  it('without the definition, counts every container as essential and checked once it reported health', () => {
    assert.equal(taskHealth([{ name: 'a', healthStatus: 'HEALTHY' }, { name: 'b' }], undefined), 'HEALTHY');
    assert.equal(taskHealth([{ name: 'a' }], undefined), 'UNKNOWN');
    assert.equal(taskHealth([{ name: 'a', healthStatus: 'UNHEALTHY' }], undefined), 'UNHEALTHY');
  });
});

describe('restart counts', () => {
  const restarted = (count: number, extra: Partial<TaskReport> = {}): TaskReport => ({
    status: 'RUNNING',
    containers: [{ containerName: 'web', status: 'RUNNING', restartCount: count }],
    ...extra,
  });

  it('keeps the reported count on the container and shows it as its reason while above zero', () => {
    const { task, changed } = apply(pending(), restarted(3));
    assert.equal(changed, true);
    const [web, side] = task.containers;
    assert.ok(web && side);
    assert.equal(web.restartCount, 3);
    assert.equal(shownReason(web), 'Restarted 3 times by its restart policy');
    assert.equal(shownReason(side), undefined);
    const once = apply(pending(), restarted(1)).task.containers[0];
    assert.ok(once);
    assert.equal(shownReason(once), 'Restarted 1 time by its restart policy');
  });

  it('never lowers a count (a late report), and a zero count shows nothing', () => {
    const { task } = apply(pending(), restarted(3));
    const late = apply(task, restarted(2));
    assert.equal(late.changed, false);
    assert.equal(late.task.containers[0]?.restartCount, 3);
    const zero = apply(pending(), restarted(0)).task.containers[0];
    assert.ok(zero);
    assert.equal(shownReason(zero), undefined);
  });

  it("lets the container's own reason stand", () => {
    const { task } = apply(pending(), restarted(2));
    const stopped = apply(task, {
      status: 'STOPPED',
      containers: [{ containerName: 'web', status: 'STOPPED', exitCode: 137, reason: 'OutOfMemoryError' }],
    }).task;
    const [web] = stopped.containers;
    assert.ok(web);
    assert.equal(web.restartCount, 2);
    assert.equal(shownReason(web), 'OutOfMemoryError');
  });
});

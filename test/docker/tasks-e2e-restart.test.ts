/**
 * The agent survives `kill -9`, end to end: five tasks run through `aws ecs run-task` on the real agent;
 * the agent process is killed; while it is down one task is stopped with `aws ecs stop-task` and another
 * task's container is killed with `docker kill`; the agent is started again on the same data directory.
 * What a user checks afterwards: the same containers (same Docker ids, never restarted) still run, none
 * was duplicated and none is left over, and describe-tasks tells what happened meanwhile — the stopped task
 * STOPPED with UserInitiated and its reason, the killed one STOPPED with exit code 137 and
 * EssentialContainerExited, the three others RUNNING.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { HTTPD_IMAGE } from '../rigs/images.js';
import { container, type CliTask } from '../rigs/cluster-cli.js';
import { docker, TasksRig } from '../rigs/tasks-e2e-rig.js';

const RUN = randomBytes(4).toString('hex');
const CLUSTER = `e2e-restart-${RUN}`;
const TASKS = 5;

const WORKER = {
  family: 'worker',
  requiresCompatibilities: ['EXTERNAL'],
  containerDefinitions: [
    {
      name: 'app',
      image: HTTPD_IMAGE.ref,
      memory: 32,
      cpu: 128,
      essential: true,
      // Ends promptly (exit 0) on SIGTERM, so a stop needs no grace period.
      command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'],
    },
  ],
};

interface Running {
  readonly taskArn: string;
  readonly runtimeId: string;
  readonly startedAt: string;
}

describe('the agent killed with -9 and restarted', () => {
  let rig: TasksRig;
  let before5: Running[] = [];

  before(async () => {
    HTTPD_IMAGE.build();
    rig = await TasksRig.start({ cluster: CLUSTER });
    await rig.cli.registerTaskDefinition(WORKER);
  });

  after(async () => {
    await rig?.cleanup();
  });

  it('runs five tasks, one container each', async () => {
    const run = await rig.runTask('worker', '--count', String(TASKS));
    assert.deepEqual(run.failures, []);
    assert.equal(run.tasks.length, TASKS);
    const arns = run.tasks.map((t) => t.taskArn);
    await rig.wait('tasks-running', arns);
    const tasks = await rig.cli.describeTasks(arns);
    before5 = await Promise.all(
      tasks.map(async (t) => {
        const runtimeId = container(t, 'app').runtimeId!;
        const info = await docker.getContainer(runtimeId).inspect();
        assert.equal(info.State.Running, true);
        return { taskArn: t.taskArn, runtimeId, startedAt: info.State.StartedAt };
      }),
    );
    const running = await rig.containers(false);
    assert.deepEqual(
      running.map((c) => c.Id).sort(),
      before5.map((r) => r.runtimeId).sort(),
      "docker ps shows exactly the tasks' containers",
    );
  });

  it('after kill -9, a stop-task and a docker kill while it was down, and a restart, reports both and keeps the rest', async () => {
    assert.equal(before5.length, TASKS, 'five tasks ran');
    const [stopped, killed, ...kept] = before5 as [Running, Running, ...Running[]];

    await rig.agent.stop('SIGKILL');
    await rig.waitForAgentConnected(false);

    const reason = 'Stopped while the host was offline';
    const answer = await rig.cli.ecs<{ task: CliTask }>(
      'stop-task',
      '--task',
      stopped.taskArn,
      '--reason',
      reason,
    );
    assert.equal(answer.task.desiredStatus, 'STOPPED');
    await docker.getContainer(killed.runtimeId).kill({ signal: 'SIGKILL' });
    // Nobody is there to carry out the stop: the container still runs until the agent is back.
    assert.equal((await docker.getContainer(stopped.runtimeId).inspect()).State.Running, true);
    assert.equal((await rig.cli.describeTask(killed.taskArn)).lastStatus, 'RUNNING', 'nothing reported yet');

    const agent = await rig.startAgent();
    assert.ok(
      agent.logs.some((l) => l.msg === 'host identity loaded'),
      'the same host, from its saved identity',
    );
    await rig.wait('tasks-stopped', [stopped.taskArn, killed.taskArn]);

    const [s, k, ...others] = await rig.cli.describeTasks([
      stopped.taskArn,
      killed.taskArn,
      ...kept.map((r) => r.taskArn),
    ]);
    assert.equal(s!.lastStatus, 'STOPPED');
    assert.equal(s!.stopCode, 'UserInitiated');
    assert.equal(s!.stoppedReason, reason);
    const stoppedInfo = await docker.getContainer(stopped.runtimeId).inspect();
    assert.equal(stoppedInfo.State.Running, false);
    assert.equal(container(s!, 'app').exitCode, stoppedInfo.State.ExitCode);
    assert.equal(container(s!, 'app').exitCode, 0, 'it ended on the SIGTERM');

    assert.equal(k!.lastStatus, 'STOPPED');
    assert.equal(k!.stopCode, 'EssentialContainerExited');
    assert.equal(k!.stoppedReason, 'Essential container in task exited');
    assert.equal(container(k!, 'app').exitCode, 137, 'the exit code docker kill left');
    assert.equal(container(k!, 'app').runtimeId, killed.runtimeId);

    for (const [i, task] of others.entries()) {
      const was = kept[i]!;
      assert.equal(task.lastStatus, 'RUNNING');
      assert.equal(task.desiredStatus, 'RUNNING');
      assert.equal(task.connectivity, 'CONNECTED');
      assert.equal(container(task, 'app').runtimeId, was.runtimeId, 'the same container');
      const info = await docker.getContainer(was.runtimeId).inspect();
      assert.equal(info.State.Running, true);
      assert.equal(info.State.StartedAt, was.startedAt, 'never restarted');
      assert.equal(info.RestartCount, 0);
    }

    // No duplicates, no orphans: the agent's containers are the five it had, one per task, and only the
    // three kept ones run.
    const all = await rig.containers(true);
    assert.deepEqual(all.map((c) => c.Id).sort(), before5.map((r) => r.runtimeId).sort());
    for (const r of before5) assert.equal((await rig.containersOfTask(r.taskArn)).length, 1);
    const running = await rig.containers(false);
    assert.deepEqual(running.map((c) => c.Id).sort(), kept.map((r) => r.runtimeId).sort());
  });

  it('the restarted agent carries out a stop-task as before', async () => {
    const last = before5.at(-1)!;
    await rig.cli.ecs('stop-task', '--task', last.taskArn);
    await rig.wait('tasks-stopped', [last.taskArn]);
    const task = await rig.cli.describeTask(last.taskArn);
    assert.equal(task.stopCode, 'UserInitiated');
    assert.equal(container(task, 'app').exitCode, 0);
  });
});

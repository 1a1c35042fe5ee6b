/**
 * A multi-container task on real containers, driven by the AWS CLI against the real control plane and the
 * real `berth agent`: containers start in the order their dependsOn conditions (SUCCESS, HEALTHY, START)
 * demand, as Docker's own start and finish times show; a non-essential container that exits early leaves the
 * task RUNNING with its exit code recorded; an essential container's exit stops the whole task with
 * EssentialContainerExited.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type Dockerode from 'dockerode';
import { HTTPD_IMAGE, HTTPD_PAGE } from '../rigs/images.js';
import { container, type CliTask } from '../rigs/cluster-cli.js';
import { docker, TasksRig } from '../rigs/tasks-e2e-rig.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const RUN = randomBytes(4).toString('hex');
const CLUSTER = `e2e-multi-${RUN}`;
const IMAGE = HTTPD_IMAGE.ref;

/**
 * init configures and exits 0 → web (httpd, health-checked) starts after init SUCCEEDED → sidecar starts once
 * web is HEALTHY and fetches its page over the link (or exits 1, which would fail the test) → oneshot, not
 * essential, starts with web and exits 5 a second later. sidecar is essential and exits 3 when told to.
 */
const MULTI = {
  family: 'multi',
  requiresCompatibilities: ['EXTERNAL'],
  networkMode: 'bridge',
  containerDefinitions: [
    {
      name: 'web',
      image: IMAGE,
      memory: 64,
      essential: true,
      // httpd as PID 1 ignores SIGTERM: a short grace keeps the stop quick.
      stopTimeout: 2,
      portMappings: [{ containerPort: 80 }],
      dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }],
      healthCheck: {
        command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1/ || exit 1'],
        interval: 5,
        timeout: 2,
        retries: 3,
      },
    },
    {
      name: 'sidecar',
      image: IMAGE,
      memory: 32,
      essential: true,
      links: ['web'],
      dependsOn: [{ containerName: 'web', condition: 'HEALTHY' }],
      command: [
        'sh',
        '-c',
        'wget -q -O /tmp/page http://web/ || exit 1; while [ ! -f /tmp/exit ]; do sleep 0.1; done; exit 3',
      ],
    },
    {
      name: 'init',
      image: IMAGE,
      memory: 32,
      essential: false,
      command: ['sh', '-c', 'sleep 1; exit 0'],
    },
    {
      name: 'oneshot',
      image: IMAGE,
      memory: 32,
      essential: false,
      dependsOn: [{ containerName: 'web', condition: 'START' }],
      command: ['sh', '-c', 'sleep 1; exit 5'],
    },
  ],
};

/** Docker's times have nanoseconds; milliseconds are enough and what Date.parse reads reliably. */
function dockerMs(time: string): number {
  const parsed = Date.parse(time.replace(/(\.\d{3})\d+/, '$1'));
  assert.ok(Number.isFinite(parsed) && parsed > 0, `a Docker time: ${time}`);
  return parsed;
}

describe('a multi-container task on a real host', () => {
  let rig: TasksRig;
  let taskArn = '';
  const inspected = new Map<string, Dockerode.ContainerInspectInfo>();

  before(async () => {
    HTTPD_IMAGE.build();
    rig = await TasksRig.start({ cluster: CLUSTER });
    await rig.cli.registerTaskDefinition(MULTI);
  });

  after(async () => {
    await rig?.cleanup();
  });

  it('starts the containers in dependsOn order; a non-essential exit leaves the task RUNNING', async () => {
    const run = await rig.runTask('multi');
    assert.deepEqual(run.failures, []);
    taskArn = run.tasks[0]!.taskArn;
    await rig.wait('tasks-running', [taskArn]);

    let task = await rig.cli.describeTask(taskArn);
    assert.equal(task.lastStatus, 'RUNNING');
    for (const name of ['init', 'web', 'sidecar', 'oneshot']) {
      const id = container(task, name).runtimeId;
      assert.ok(id, `${name} has a runtime id`);
      inspected.set(name, await docker.getContainer(id).inspect());
    }
    const [init, web, sidecar, oneshot] = ['init', 'web', 'sidecar', 'oneshot'].map((n) => inspected.get(n)!);
    const started = (i: Dockerode.ContainerInspectInfo) => dockerMs(i.State.StartedAt);

    // SUCCESS: web started only after init had exited, and with 0.
    assert.equal(init!.State.ExitCode, 0);
    assert.ok(started(web!) >= dockerMs(init!.State.FinishedAt), 'web started before init finished');
    // HEALTHY: sidecar started only after Docker's first passing health check of web.
    const firstPass = web!.State.Health?.Log.find((l) => l.ExitCode === 0);
    assert.ok(firstPass, `web passed a health check: ${JSON.stringify(web!.State.Health)}`);
    assert.ok(started(sidecar!) >= dockerMs(firstPass.End), 'sidecar started before web was healthy');
    assert.equal(web!.State.Health?.Status, 'healthy');
    // START: oneshot started once web had.
    assert.ok(started(oneshot!) >= started(web!), 'oneshot started before web');
    // And the link works: sidecar fetched web's page (it exits 1 otherwise).
    assert.equal(sidecar!.State.Running, true);

    // oneshot exits a second after its start; the task stays RUNNING, its exit code recorded.
    task = await waitFor(
      'oneshot exit code in describe-tasks',
      async () => {
        const t = await rig.cli.describeTask(taskArn);
        return container(t, 'oneshot').exitCode !== undefined ? t : undefined;
      },
      30_000,
      { intervalMs: 100 },
    );
    assert.equal(task.lastStatus, 'RUNNING');
    assert.equal(task.desiredStatus, 'RUNNING');
    assert.equal(container(task, 'oneshot').exitCode, 5);
    assert.equal(container(task, 'oneshot').lastStatus, 'STOPPED');
    assert.equal(container(task, 'init').exitCode, 0);
    assert.equal(container(task, 'init').lastStatus, 'STOPPED');
    assert.equal(container(task, 'web').lastStatus, 'RUNNING');
    assert.equal(container(task, 'sidecar').lastStatus, 'RUNNING');
    assert.equal(container(task, 'web').healthStatus, 'HEALTHY');
    assert.equal(task.healthStatus, 'HEALTHY', 'the essential containers with a health check are healthy');
    const binding = container(task, 'web').networkBindings?.[0];
    assert.ok(binding?.hostPort !== undefined && binding.hostPort > 0, 'a dynamic host port');
    assert.equal(await (await fetch(`http://127.0.0.1:${binding.hostPort}/`)).text(), HTTPD_PAGE);
  });

  it("an essential container's exit stops the task: EssentialContainerExited, its exit code, the others stopped", async () => {
    const sidecarId = inspected.get('sidecar')!.Id;
    execFileSync('docker', ['exec', sidecarId, 'touch', '/tmp/exit']);
    await rig.wait('tasks-stopped', [taskArn]);

    const task: CliTask = await rig.cli.describeTask(taskArn);
    assert.equal(task.lastStatus, 'STOPPED');
    assert.equal(task.desiredStatus, 'STOPPED');
    assert.equal(task.stopCode, 'EssentialContainerExited');
    assert.equal(task.stoppedReason, 'Essential container in task exited');
    assert.equal(container(task, 'sidecar').exitCode, 3);
    for (const c of task.containers) {
      assert.equal(c.lastStatus, 'STOPPED', `${c.name} STOPPED`);
      const info = await docker.getContainer(c.runtimeId!).inspect();
      assert.equal(info.State.Running, false, `${c.name} is not running in Docker`);
      assert.equal(c.exitCode, info.State.ExitCode, `${c.name}'s exit code is the one Docker reports`);
    }
    // web ignores SIGTERM (httpd as PID 1): killed after its 2 s stopTimeout.
    assert.equal(container(task, 'web').exitCode, 137);
  });
});

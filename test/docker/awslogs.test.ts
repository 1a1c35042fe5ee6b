/**
 * awslogs end to end on a real host: the real control plane, the real `berth agent` on this host's Docker, and
 * the AWS CLI a user reads logs with. A task whose container writes a known sequence (stdout and stderr)
 * ships exactly those lines, in order, each with the time Docker stamped it; `docker logs` still shows them;
 * `awslogs-create-group` makes a group that is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { HTTPD_IMAGE } from '../rigs/images.js';
import { TasksRig } from '../rigs/tasks-e2e-rig.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const RUN = randomBytes(4).toString('hex');
const CLUSTER = `e2e-awslogs-${RUN}`;
const GROUP = `/berth/e2e/${RUN}`;
const CREATED_GROUP = `/berth/e2e/${RUN}/created`;
const LINES = 300;

interface OutputEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly logStreamName?: string;
}

/** Writes `line 1` … `line N` on stdout, one line on stderr, and then waits to be stopped. */
function writer(family: string, options: Record<string, string>) {
  return {
    family,
    requiresCompatibilities: ['EXTERNAL'],
    containerDefinitions: [
      {
        name: 'app',
        image: HTTPD_IMAGE.ref,
        memory: 32,
        essential: true,
        command: [
          'sh',
          '-c',
          `i=0; while [ $i -lt ${LINES} ]; do i=$((i+1)); echo "line $i"; done; echo "done on stderr" >&2; ` +
            'trap "exit 0" TERM; while true; do sleep 0.2; done',
        ],
        logConfiguration: { logDriver: 'awslogs', options },
      },
    ],
  };
}

const STDOUT = Array.from({ length: LINES }, (_, i) => `line ${i + 1}`);
const EXPECTED = [...STDOUT, 'done on stderr'];

/**
 * Exactly the lines written, each once, in time order. stdout's lines keep their order; where the stderr line
 * falls among them is Docker's doing (it stamps each pipe as it reads it), so only its presence is checked.
 */
function assertShipped(events: readonly OutputEvent[]): void {
  assert.deepEqual(
    events.map((e) => e.message).filter((m) => m.startsWith('line ')),
    STDOUT,
  );
  assert.deepEqual(events.map((e) => e.message).sort(), [...EXPECTED].sort());
  for (let i = 1; i < events.length; i++) assert.ok(events[i - 1]!.timestamp <= events[i]!.timestamp);
}

describe('awslogs on a real host', () => {
  let rig: TasksRig;

  before(async () => {
    HTTPD_IMAGE.build();
    rig = await TasksRig.start({ cluster: CLUSTER, agentArgs: ['--container-stop-timeout', '2s'] });
  });

  after(async () => {
    await rig?.cleanup();
  });

  it('ships exactly what the container wrote, in order, with its timestamps; docker logs still shows it', async () => {
    await rig.t.awsJson(['logs', 'create-log-group', '--log-group-name', GROUP]);
    await rig.cli.registerTaskDefinition(
      writer('writer', { 'awslogs-group': GROUP, 'awslogs-stream-prefix': 'web' }),
    );
    const run = await rig.runTask('writer');
    assert.deepEqual(run.failures, []);
    const taskArn = run.tasks[0]!.taskArn;
    await rig.wait('tasks-running', [taskArn]);
    const stream = `web/app/${taskArn.slice(taskArn.lastIndexOf('/') + 1)}`;

    const events = await waitFor(
      `${EXPECTED.length} events in ${GROUP} ${stream}`,
      async () => {
        const out = await rig.t.awsJson<{ events: OutputEvent[] }>([
          'logs',
          'get-log-events',
          '--log-group-name',
          GROUP,
          '--log-stream-name',
          stream,
          '--start-from-head',
        ]);
        return out.events.length >= EXPECTED.length && out.events;
      },
      30_000,
      { detail: () => `agent stderr: ${rig.agent.stderr.slice(-3000)}` },
    );
    assertShipped(events);

    // The container's own timestamps: those Docker stamped each line with, as `docker logs -t` shows them.
    const [container] = await rig.containersOfTask(taskArn);
    assert.ok(container);
    const local = spawnSync('docker', ['logs', '--timestamps', container.Id]);
    const plain = spawnSync('docker', ['logs', container.Id]);
    assert.equal(plain.stdout.toString(), STDOUT.map((l) => `${l}\n`).join(''), 'docker logs shows stdout');
    assert.equal(plain.stderr.toString(), 'done on stderr\n', 'and stderr');
    const docker = `${local.stdout.toString()}${local.stderr.toString()}`
      .trimEnd()
      .split('\n')
      .map((l) => ({
        timestamp: Math.floor(Date.parse(l.slice(0, l.indexOf(' ')))),
        message: l.slice(l.indexOf(' ') + 1),
      }));
    const byMessage = new Map(docker.map((d) => [d.message, d.timestamp]));
    assert.equal(byMessage.size, EXPECTED.length);
    for (const e of events) assert.equal(e.timestamp, byMessage.get(e.message), e.message);

    const filtered = await rig.t.awsJson<{ events: OutputEvent[] }>([
      'logs',
      'filter-log-events',
      '--log-group-name',
      GROUP,
      '--log-stream-name-prefix',
      'web/',
    ]);
    assert.deepEqual(
      filtered.events.map((e) => [e.logStreamName, e.message, e.timestamp]),
      events.map((e) => [stream, e.message, e.timestamp]),
    );
    const matching = await rig.t.awsJson<{ events: OutputEvent[] }>([
      'logs',
      'filter-log-events',
      '--log-group-name',
      GROUP,
      '--filter-pattern',
      'stderr',
    ]);
    assert.deepEqual(
      matching.events.map((e) => e.message),
      ['done on stderr'],
    );

    await rig.cli.ecs('stop-task', '--task', taskArn);
    await rig.wait('tasks-stopped', [taskArn]);
  });

  it('awslogs-create-group creates a group that is missing', async () => {
    await rig.cli.registerTaskDefinition(
      writer('creator', {
        'awslogs-group': CREATED_GROUP,
        'awslogs-create-group': 'true',
        'awslogs-stream-prefix': 'new',
      }),
    );
    const run = await rig.runTask('creator');
    const taskArn = run.tasks[0]!.taskArn;
    await rig.wait('tasks-running', [taskArn]);
    const stream = `new/app/${taskArn.slice(taskArn.lastIndexOf('/') + 1)}`;
    const events = await waitFor(
      `the lines in the created group ${CREATED_GROUP}`,
      async () => {
        const out = await rig.t.awsJson<{ events: OutputEvent[] }>([
          'logs',
          'get-log-events',
          '--log-group-name',
          CREATED_GROUP,
          '--log-stream-name',
          stream,
          '--start-from-head',
        ]);
        return out.events.length >= EXPECTED.length && out.events;
      },
      30_000,
      { detail: () => `agent stderr: ${rig.agent.stderr.slice(-3000)}` },
    );
    assertShipped(events);
    const groups = await rig.t.awsJson<{ logGroups: { logGroupName: string }[] }>([
      'logs',
      'describe-log-groups',
      '--log-group-name-prefix',
      CREATED_GROUP,
    ]);
    assert.deepEqual(
      groups.logGroups.map((g) => g.logGroupName),
      [CREATED_GROUP],
    );
    await rig.cli.ecs('stop-task', '--task', taskArn);
    await rig.wait('tasks-stopped', [taskArn]);
  });
});

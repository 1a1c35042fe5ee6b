/**
 * awslogs through a partition (issue 14), on a test host (test/rigs/hosts.ts: a network namespace and a dockerd,
 * the real `berth agent` inside): a container writes a numbered line every 10 ms while its host is cut off for
 * 3 minutes, and the agent is killed with SIGKILL once during the cut and started again. After the link returns,
 * every line the container wrote is stored exactly once and in order, compared against the container's own
 * count (a file on a host volume the test reads); and the container was never held up: it kept writing at the
 * rate it had before the cut.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { busyboxImage } from '../rigs/images.js';
import { PartitionRig, sleepUntil } from '../rigs/partition-rig.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const PREFIX = 'logspart';
const CLUSTER = 'awslogs-partition';
const GROUP = '/berth/partition';
const PARTITION_MS = 180_000;
const AGENT_KILLED_AT = 60_000;
const AGENT_RESTARTED_AT = 75_000;
/** After the heal: the session's reconnect backoff (≤ 2 min + 20%) and the shipper's (≤ 30 s). */
const CATCH_UP_MS = 240_000;
/** How much slower than before the cut the container may write during it and still count as not held up. */
const MIN_RATE_RATIO = 0.5;

const IMAGE = busyboxImage({ repository: 'berth-awslogs-partition/busybox' });
/**
 * One numbered line every 10 ms; `$((i+=1))` counts inside the echo, so the count file (written after each
 * line and on SIGTERM) is exactly the number of lines written, whenever the container is stopped.
 */
const WRITER =
  "i=0; trap 'echo $i > /count/n; exit 0' TERM; " +
  'while :; do echo "$((i+=1))"; echo $i > /count/n; sleep 0.01; done';

interface OutputEvent {
  readonly timestamp: number;
  readonly message: string;
}

describe('awslogs while the host is cut off', () => {
  let rig: PartitionRig;
  let countDir = '';
  let taskArn = '';
  let stream = '';

  const count = (): number => Number(readFileSync(join(countDir, 'n'), 'utf8').trim() || '0');
  const stored = async (): Promise<OutputEvent[]> =>
    (
      await rig.t.awsJson<{ events: OutputEvent[] }>([
        'logs',
        'filter-log-events',
        '--log-group-name',
        GROUP,
        '--log-stream-names',
        stream,
      ])
    ).events;

  before(async () => {
    IMAGE.build();
    rig = await PartitionRig.start({
      prefix: PREFIX,
      cluster: CLUSTER,
      hosts: 1,
      server: { heartbeatInterval: '1s', sessionTimeout: '3s', payloadResendIntervalMs: 1_000 },
    });
    countDir = join(rig.root, 'count');
    mkdirSync(countDir, { mode: 0o777 });
    await rig.startAgent(1);
    await rig.t.awsJson(['logs', 'create-log-group', '--log-group-name', GROUP]);
    await rig.cli.registerTaskDefinition({
      family: 'numbered',
      requiresCompatibilities: ['EXTERNAL'],
      volumes: [{ name: 'count', host: { sourcePath: countDir } }],
      containerDefinitions: [
        {
          name: 'app',
          image: rig.hosts.image(IMAGE.ref),
          memory: 32,
          essential: true,
          command: ['sh', '-c', WRITER],
          stopTimeout: 5,
          mountPoints: [{ sourceVolume: 'count', containerPath: '/count' }],
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': GROUP, 'awslogs-stream-prefix': 'numbered' },
          },
        },
      ],
    });
  });

  after(async () => {
    await rig?.cleanup();
  });

  it('stores every line exactly once and in order, and never holds the container up', async () => {
    taskArn = (await rig.startTask(1, 'numbered')).taskArn;
    stream = `numbered/app/${taskArn.slice(taskArn.lastIndexOf('/') + 1)}`;
    await waitFor('the first lines stored', async () => (await stored()).length > 0, 60_000, {
      detail: () => rig.agentLog(1),
    });

    // The container's pace with the link up, then with it down.
    const before0 = { at: Date.now(), n: count() };
    await sleepUntil(before0.at + 10_000);
    const before1 = { at: Date.now(), n: count() };
    const rateBefore = (before1.n - before0.n) / (before1.at - before0.at);

    await rig.host(1).partition();
    const cutAt = Date.now();
    const atCut = count();
    console.log(`# awslogs partition: cut off at line ${atCut} (${Math.round(rateBefore * 1000)} lines/s)`);

    await sleepUntil(cutAt + AGENT_KILLED_AT);
    await rig.agent(1).stop('SIGKILL');
    console.log(`# awslogs partition: agent killed with SIGKILL at line ${count()}`);
    await sleepUntil(cutAt + AGENT_RESTARTED_AT);
    await rig.startAgent(1);
    console.log(`# awslogs partition: agent started again, still cut off, at line ${count()}`);

    await sleepUntil(cutAt + PARTITION_MS);
    const atHeal = count();
    const healAt = Date.now();
    await rig.host(1).heal();
    const rateDuring = (atHeal - atCut) / (healAt - cutAt);
    console.log(
      `# awslogs partition: healed at line ${atHeal} (${Math.round(rateDuring * 1000)} lines/s during the cut)`,
    );
    assert.ok(
      rateDuring >= rateBefore * MIN_RATE_RATIO,
      `the container kept writing during the cut: ${rateDuring * 1000}/s, ${rateBefore * 1000}/s before`,
    );

    await rig.waitAgentConnected(1, true, CATCH_UP_MS);
    await rig.cli.ecs('stop-task', '--task', taskArn);
    await waitFor(
      'the task STOPPED',
      async () => (await rig.cli.describeTask(taskArn)).lastStatus === 'STOPPED',
      60_000,
    );
    const written = count();
    assert.ok(written > atHeal);

    let events: OutputEvent[] = [];
    await waitFor(
      `all ${written} lines stored`,
      async () => {
        events = await stored();
        return events.length >= written;
      },
      CATCH_UP_MS,
      { detail: () => `${events.length} stored; agent log:\n${rig.agentLog(1)}` },
    );
    const numbers = events.map((e) => Number(e.message));
    assert.equal(numbers.length, written, 'nothing stored twice');
    assert.deepEqual(
      numbers,
      Array.from({ length: written }, (_, i) => i + 1),
      'every line once, in order',
    );
    for (let i = 1; i < events.length; i++) assert.ok(events[i - 1]!.timestamp <= events[i]!.timestamp);
  });
});

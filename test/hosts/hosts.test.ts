/**
 * The test hosts of test/rigs/hosts.ts, checked as the multi-host suites will use them: three namespaces, each with
 * its own Docker engine pulling from the local registry; a published port answering at its host's address;
 * the real `berth agent` inside one host, connected to a control plane on the root side of the hosts'
 * network, cut off by a partition and back after the heal; and nothing left behind, even after a crash.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { createTestHosts, type TestHost, type TestHosts } from '../rigs/hosts.js';
import { busyboxImage } from '../rigs/images.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const PREFIX = 'bh-test';
const CRASH_PREFIX = 'bh-crash';
const CLUSTER = 'hosts';
const SESSION_TIMEOUT_MS = 2_000;
const IMAGE = busyboxImage({ repository: 'berth-hosts-test/busybox' });
const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** What a person would look at after the suite: namespaces, engines, links and files of a prefix. */
function leftovers(prefix: string): string[] {
  const found: string[] = [];
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of netns.split('\n')) if (line.startsWith(`${prefix}-`)) found.push(`netns ${line}`);
  const links = JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as {
    ifname: string;
  }[];
  for (const l of links) if (l.ifname.startsWith(`${prefix}-`)) found.push(`link ${l.ifname}`);
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (cmdline.includes(`/berth-test/${prefix}-`)) found.push(`process ${pid}: ${cmdline}`);
  }
  for (const dir of ['/var/lib/berth-test', '/run/berth-test']) {
    for (const e of existsSync(dir) ? readdirSync(dir) : []) {
      if (e.startsWith(`${prefix}-`)) found.push(`${dir}/${e}`);
    }
  }
  return found;
}

async function httpText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  return (await res.text()).trim();
}

/** What a TCP client sees: an answer, a refusal (nothing listens), or silence (packets dropped). */
function tcpOutcome(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<'connected' | 'refused' | 'silence'> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('silence');
    });
    socket.once('error', () => resolve('refused'));
  });
}

void describe('test hosts', () => {
  let hosts: TestHosts;
  let t: TestServer;
  let root: string;
  const host = (n: number): TestHost => {
    const h = hosts.hosts[n - 1];
    assert.ok(h, `host ${n}`);
    return h;
  };

  before(async () => {
    IMAGE.build();
    hosts = await createTestHosts({ count: 3, prefix: PREFIX });
    // Read by a person running the suite: how long the hosts take to come up.
    console.log(`# test hosts: 3 hosts up in ${hosts.setupMs} ms`);
    t = await startTestServer({
      listen: `${hosts.gateway}:0`,
      heartbeatInterval: '300ms',
      sessionTimeout: `${SESSION_TIMEOUT_MS}ms`,
    });
    root = mkdtempSync(join(tmpdir(), 'berth-hosts-test-'));
  });
  after(async () => {
    await hosts?.dispose();
    await t?.stop();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  void it('gives each host its own namespace, address and engine', () => {
    assert.deepEqual(
      hosts.hosts.map((h) => h.name),
      [`${PREFIX}-h1`, `${PREFIX}-h2`, `${PREFIX}-h3`],
    );
    const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const h of hosts.hosts) assert.match(netns, new RegExp(`^${h.name}\\b`, 'm'));
    assert.equal(new Set(hosts.hosts.map((h) => h.address)).size, 3);
    assert.equal(new Set(hosts.hosts.map((h) => h.bip)).size, 3);
    assert.match(hosts.gateway, /^10\.231\.\d+\.1$/);
  });

  void it('runs a busybox container on each host, pulled from the registry', async () => {
    const outputs = await Promise.all(
      hosts.hosts.map(async (h) => {
        const r = await h.dockerCli([
          'run',
          '--rm',
          hosts.image(IMAGE.ref),
          'sh',
          '-c',
          `echo hello from ${h.name}`,
        ]);
        assert.equal(r.code, 0, r.stderr);
        return r.stdout.trim();
      }),
    );
    assert.deepEqual(
      outputs,
      hosts.hosts.map((h) => `hello from ${h.name}`),
    );
    // Each engine has its own store: the image is in the hosts', and the names differ from the root's.
    for (const h of hosts.hosts) {
      const images = await h.docker.listImages();
      assert.ok(images.some((i) => i.RepoTags?.includes(hosts.image(IMAGE.ref))));
    }
  });

  void it('answers on a port published in host 2 at host 2’s address, and only there', async () => {
    const h2 = host(2);
    const r = await h2.dockerCli([
      'run',
      '-d',
      '-p',
      '8080:80',
      hosts.image(IMAGE.ref),
      'sh',
      '-c',
      `mkdir -p /www && echo served by ${h2.name} > /www/index.html && exec httpd -f -p 80 -h /www`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const body = await waitFor('the published port', () => httpText(`http://${h2.address}:8080/`), 10_000, {
      intervalMs: 100,
    });
    assert.equal(body, `served by ${h2.name}`);
    assert.equal(await tcpOutcome(host(1).address, 8080, 3_000), 'refused', 'host 1 publishes nothing');
  });

  void it('runs the agent inside host 1: connected, cut off by a partition, back after the heal', async () => {
    const h1 = host(1);
    await t.awsJson(['ecs', 'create-cluster', '--cluster-name', CLUSTER]);
    const activation = await t.awsJson<{ ActivationId: string; ActivationCode: string }>([
      'ssm',
      'create-activation',
      '--iam-role',
      'ecsAnywhereRole',
    ]);
    const config = join(root, 'agent.json');
    writeFileSync(config, '{}');
    const agent = h1.startAgent([
      '--endpoint',
      t.url,
      '--cluster',
      CLUSTER,
      '--data-dir',
      join(root, 'h1'),
      '--config',
      config,
      '--activation-id',
      activation.ActivationId,
      '--activation-code',
      activation.ActivationCode,
    ]);
    const registered = await agent.waitForLog(
      'the container instance',
      (l) => l.msg === 'container instance registered',
      30_000,
    );
    const arn = registered.containerInstanceArn as string;
    assert.ok(agent.child.pid !== undefined);
    assert.equal(
      execFileSync('ip', ['netns', 'identify', String(agent.child.pid)], { encoding: 'utf8' }).trim(),
      h1.name,
      'the agent runs in host 1’s namespace',
    );
    const connected = async () => {
      const out = await t.awsJson<{ containerInstances: { agentConnected: boolean }[] }>([
        'ecs',
        'describe-container-instances',
        '--cluster',
        CLUSTER,
        '--container-instances',
        arn,
      ]);
      return out.containerInstances[0]?.agentConnected;
    };
    const until = (want: boolean, timeoutMs: number) =>
      waitFor(
        `agentConnected ${want}`,
        async () => ((await connected()) === want ? true : undefined),
        timeoutMs,
      );
    await until(true, 15_000);

    // A task lands in host 1's engine, pulled through the hosts' registry address.
    await t.awsJson([
      'ecs',
      'register-task-definition',
      '--family',
      'sleeper',
      '--container-definitions',
      JSON.stringify([{ name: 'app', image: hosts.image(IMAGE.ref), memory: 32, command: ['sleep', '600'] }]),
    ]);
    const ran = await t.awsJson<{ tasks: { taskArn: string }[] }>([
      'ecs',
      'run-task',
      '--cluster',
      CLUSTER,
      '--launch-type',
      'EXTERNAL',
      '--task-definition',
      'sleeper',
    ]);
    const taskArn = ran.tasks[0]?.taskArn;
    assert.ok(taskArn !== undefined);
    const wait = await t.aws(['ecs', 'wait', 'tasks-running', '--cluster', CLUSTER, '--tasks', taskArn]);
    assert.equal(wait.code, 0, `${wait.stderr}\nagent: ${agent.stderr}`);
    const inH1 = await h1.docker.listContainers({ filters: { status: ['running'] } });
    assert.ok(
      inH1.some((c) => c.Image === hosts.image(IMAGE.ref)),
      'the task container runs in host 1',
    );

    await h1.partition();
    assert.equal(h1.partitioned, true);
    const cut = Date.now();
    // The session timeout, plus the polling `aws` calls (about a second each on a loaded 2-core machine).
    await until(false, SESSION_TIMEOUT_MS + 5_000);
    console.log(`# test hosts: disconnected seen ${Date.now() - cut} ms after the partition`);
    assert.ok(agent.running, 'the agent keeps running while cut off');
    assert.equal(await tcpOutcome(h1.address, 9, 500), 'silence', 'no answer, not even a refusal');

    await h1.heal();
    const healed = Date.now();
    await until(true, 30_000);
    console.log(`# test hosts: reconnected ${Date.now() - healed} ms after the heal`);
  });

  void it('leaves nothing behind after dispose', async () => {
    await hosts.dispose();
    assert.deepEqual(leftovers(PREFIX), []);
    await hosts.dispose(); // idempotent
  });

  void it('cleans up after a run that crashed with its hosts up', async () => {
    // A run that made two hosts with a container each, then died without disposing (SIGKILL: no cleanup).
    const script = [
      `import { createTestHosts } from './test/rigs/hosts.ts';`,
      `const h = await createTestHosts({ count: 2, prefix: '${CRASH_PREFIX}' });`,
      `for (const host of h.hosts) {`,
      `  const r = await host.dockerCli(['run', '-d', h.image('${IMAGE.ref}'), 'sleep', '6007']);`,
      `  if (r.code !== 0) throw new Error(r.stderr);`,
      `}`,
      `console.log('ready');`,
      `setInterval(() => {}, 1000);`,
    ].join('\n');
    const crashed = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    crashed.stdout.on('data', (c: Buffer) => (out += c.toString()));
    crashed.stderr.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor(
      'the crashing run',
      () => Promise.resolve(out.includes('ready') ? true : undefined),
      30_000,
    );
    crashed.kill('SIGKILL');
    await new Promise((resolve) => crashed.once('close', resolve));
    // Host 1's engines die too (as in a reboot-less kill of everything), host 2's live on.
    for (const file of ['containerd.toml', 'daemon.json']) {
      const pids = leftovers(CRASH_PREFIX)
        .filter((l) => l.startsWith('process ') && l.includes(`/${CRASH_PREFIX}-h1/${file}`))
        .map((l) => Number(/^process (\d+)/.exec(l)?.[1]));
      for (const pid of pids) process.kill(pid, 'SIGKILL');
    }
    assert.notDeepEqual(leftovers(CRASH_PREFIX), [], 'the crash left its hosts behind');
    const containerPids = () =>
      readdirSync('/proc')
        .filter((e) => /^\d+$/.test(e))
        .filter((pid) => {
          try {
            // A duration no other test uses, so containers of test files running alongside are not counted.
            return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === 'sleep\x006007\x00';
          } catch {
            return false;
          }
        });
    assert.equal(containerPids().length, 2);

    const again = await createTestHosts({ count: 1, prefix: CRASH_PREFIX });
    try {
      const containers = await again.hosts[0]!.docker.listContainers({ all: true });
      assert.deepEqual(containers, [], 'a fresh engine');
    } finally {
      await again.dispose();
    }
    assert.deepEqual(leftovers(CRASH_PREFIX), []);
    assert.deepEqual(containerPids(), [], 'the crashed run’s containers are gone');
  });
});

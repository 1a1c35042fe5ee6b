/**
 * What survives a crash, and how the real `berth server` process starts or refuses to. The server runs as a
 * child process exactly as a user runs it (`berth server --listen ... --data-dir ...`), is killed with
 * SIGKILL the moment the client has its last acknowledgement, and is started again on the same data
 * directory: every write the client was told succeeded must be there.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  ECSClient,
  ListClustersCommand,
  TagResourceCommand,
  UpdateClusterSettingsCommand,
  type Cluster,
} from '@aws-sdk/client-ecs';
import { readAdminKeys, type AdminKeys, freePort } from '../rigs/harness.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const REGION = 'eu-west-3';
const ACCOUNT = '210987654321';

interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;
}

const started: ChildProcess[] = [];

function spawnBerth(args: readonly string[]): Omit<ServerProcess, 'url'> {
  // `node --import tsx` (not `npx tsx`) so that the pid we kill is the server itself, not a wrapper.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  started.push(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return { child, stderr: () => stderr, exited };
}

/** Starts `berth server` and waits until /health answers. */
async function startBerth(dataDir: string, port: number): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${port}`;
  const p = spawnBerth([
    'server',
    '--listen',
    `127.0.0.1:${port}`,
    '--data-dir',
    dataDir,
    '--region',
    REGION,
    '--account-id',
    ACCOUNT,
    '--log-level',
    'warn',
  ]);
  let gone = false;
  void p.exited.then(() => (gone = true));
  // A fetch that throws (not listening yet) is tried again.
  await waitFor('berth server healthy', async () => (await fetch(`${url}/health`)).ok, 30_000, {
    intervalMs: 50,
    detail: () => p.stderr(),
    failIf: () => (gone ? `berth server exited during start-up:\n${p.stderr()}` : undefined),
  });
  return { ...p, url };
}

async function kill9(p: ServerProcess): Promise<void> {
  p.child.kill('SIGKILL');
  assert.equal(await p.exited, 'SIGKILL');
}

function ecsClient(url: string, keys: AdminKeys): ECSClient {
  // A copy: the SDK annotates the credentials object it is given, which would spoil comparisons.
  return new ECSClient({ endpoint: url, region: REGION, credentials: { ...keys }, maxAttempts: 1 });
}

/** DescribeClusters takes at most 100 names a call. */
async function describeAll(ecs: ECSClient, names: readonly string[]): Promise<Map<string, Cluster>> {
  const found = new Map<string, Cluster>();
  for (let i = 0; i < names.length; i += 100) {
    const out = await ecs.send(
      new DescribeClustersCommand({ clusters: names.slice(i, i + 100), include: ['TAGS', 'SETTINGS'] }),
    );
    for (const c of out.clusters ?? []) found.set(c.clusterName ?? '', c);
  }
  return found;
}

function sortTags(c: Cluster | undefined): { key?: string; value?: string }[] {
  return [...(c?.tags ?? [])].sort((a, b) => (a.key ?? '').localeCompare(b.key ?? ''));
}

function settingOf(c: Cluster | undefined): string | undefined {
  return c?.settings?.find((s) => s.name === 'containerInsights')?.value;
}

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-durability-'));
  dirs.push(dir);
  return dir;
}
const dirs: string[] = [];

after(() => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('acknowledged writes survive kill -9', () => {
  it('keeps every write of a sequential burst acknowledged just before SIGKILL', async () => {
    const dataDir = newDataDir();
    const port = await freePort();
    const first = await startBerth(dataDir, port);
    const keys = readAdminKeys(join(dataDir, 'credentials'));
    const ecs = ecsClient(first.url, keys);
    const names = Array.from({ length: 50 }, (_, i) => `burst-${i}`);
    try {
      for (const [i, name] of names.entries()) {
        await ecs.send(
          new CreateClusterCommand({ clusterName: name, tags: [{ key: 'index', value: String(i) }] }),
        );
      }
      // Then settings, tags and a delete, so the last acknowledged writes change rows that already exist.
      for (const name of names.slice(0, 10)) {
        await ecs.send(
          new UpdateClusterSettingsCommand({
            cluster: name,
            settings: [{ name: 'containerInsights', value: 'enabled' }],
          }),
        );
      }
      for (const name of names.slice(10, 20)) {
        await ecs.send(
          new TagResourceCommand({
            resourceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`,
            tags: [{ key: 'owner', value: 'ops' }],
          }),
        );
      }
      await ecs.send(new DeleteClusterCommand({ cluster: 'burst-49' }));
      await kill9(first);
    } finally {
      ecs.destroy();
    }

    const second = await startBerth(dataDir, port);
    const after = ecsClient(second.url, keys);
    try {
      const found = await describeAll(after, names);
      for (const [i, name] of names.entries()) {
        const c = found.get(name);
        assert.ok(c, `${name} was acknowledged but is gone`);
        if (name === 'burst-49') {
          assert.equal(c.status, 'INACTIVE', 'the acknowledged delete is kept');
          continue;
        }
        assert.equal(c.status, 'ACTIVE', name);
        const expected = [{ key: 'index', value: String(i) }];
        if (i >= 10 && i < 20) expected.push({ key: 'owner', value: 'ops' });
        assert.deepEqual(sortTags(c), expected, `${name} tags`);
        assert.equal(settingOf(c), i < 10 ? 'enabled' : 'disabled', `${name} containerInsights`);
      }
      const listed = await after.send(new ListClustersCommand({ maxResults: 100 }));
      assert.equal(listed.clusterArns?.length, 49, 'ListClusters shows the 49 active clusters');
    } finally {
      after.destroy();
      await kill9(second);
    }
  });

  it('keeps every write of concurrent batches, killing as soon as each batch resolves', async () => {
    const dataDir = newDataDir();
    const port = await freePort();
    const acknowledged: string[] = [];
    let keys: AdminKeys | undefined;
    for (let round = 0; round < 3; round++) {
      const server = await startBerth(dataDir, port);
      keys ??= readAdminKeys(join(dataDir, 'credentials'));
      const ecs = ecsClient(server.url, keys);
      try {
        // Everything acknowledged in earlier rounds is still there after each crash.
        const found = await describeAll(ecs, acknowledged);
        const lost = acknowledged.filter((n) => found.get(n)?.status !== 'ACTIVE');
        assert.deepEqual(lost, [], `round ${round}: acknowledged clusters lost`);
        for (const name of acknowledged) {
          assert.equal(settingOf(found.get(name)), 'enhanced', `${name} lost its setting`);
        }

        const batch = Array.from({ length: 20 }, (_, i) => `round${round}-c${i}`);
        await Promise.all(
          batch.map(async (name) => {
            await ecs.send(
              new CreateClusterCommand({ clusterName: name, tags: [{ key: 'round', value: `${round}` }] }),
            );
            await ecs.send(
              new UpdateClusterSettingsCommand({
                cluster: name,
                settings: [{ name: 'containerInsights', value: 'enhanced' }],
              }),
            );
          }),
        );
        await kill9(server);
        acknowledged.push(...batch);
      } finally {
        ecs.destroy();
      }
    }
    const last = await startBerth(dataDir, port);
    const ecs = ecsClient(last.url, keys!);
    try {
      const found = await describeAll(ecs, acknowledged);
      assert.equal(found.size, 60);
      for (const name of acknowledged) {
        const c = found.get(name);
        assert.equal(c?.status, 'ACTIVE', name);
        assert.equal(settingOf(c), 'enhanced', name);
        assert.deepEqual(c?.tags, [{ key: 'round', value: name.slice(5, 6) }], name);
      }
    } finally {
      ecs.destroy();
      await kill9(last);
    }
  });
});

describe('administrator credentials across restarts', () => {
  it('keeps the same key working, and rewrites the credentials files if they are deleted', async () => {
    const dataDir = newDataDir();
    const port = await freePort();
    const credentials = join(dataDir, 'credentials');
    const config = join(dataDir, 'config');

    const first = await startBerth(dataDir, port);
    const keys = readAdminKeys(credentials);
    await kill9(first);

    const second = await startBerth(dataDir, port);
    assert.deepEqual(readAdminKeys(credentials), keys, 'a restart keeps the key');
    const ecs = ecsClient(second.url, keys);
    try {
      const out = await ecs.send(new ListClustersCommand({}));
      assert.equal(out.$metadata.httpStatusCode, 200);
    } finally {
      ecs.destroy();
      await kill9(second);
    }

    unlinkSync(credentials);
    unlinkSync(config);
    const third = await startBerth(dataDir, port);
    assert.ok(existsSync(credentials) && existsSync(config), 'the files are written again');
    assert.deepEqual(readAdminKeys(credentials), keys, 'with the same key, which still works');
    const again = ecsClient(third.url, readAdminKeys(credentials));
    try {
      await again.send(new CreateClusterCommand({ clusterName: 'after-rewrite' }));
    } finally {
      again.destroy();
      await kill9(third);
    }
  });
});

describe('berth server start-up', () => {
  it('refuses a second server on the same port with a clear message', async () => {
    const port = await freePort();
    const first = await startBerth(newDataDir(), port);
    try {
      const second = spawnBerth(['server', '--listen', `127.0.0.1:${port}`, '--data-dir', newDataDir()]);
      const code = await second.exited;
      assert.notEqual(code, 0);
      const stderr = second.stderr();
      assert.match(stderr, new RegExp(`127\\.0\\.0\\.1:${port}.*already in use`));
      assert.match(stderr, /--listen/, 'the message names the flag that fixes it');
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
      // The first server is unharmed.
      assert.equal((await fetch(`${first.url}/health`)).status, 200);
    } finally {
      await kill9(first);
    }
  });

  const badFlags: readonly (readonly [string, string, RegExp])[] = [
    ['--region', 'nowhere', /--region 'nowhere' is not a region name like us-east-1/],
    ['--account-id', '12', /--account-id '12' must be exactly 12 digits/],
    ['--listen', 'nope', /--listen 'nope' must be HOST:PORT \(e\.g\. 127\.0\.0\.1:4650/],
  ];
  for (const [flag, value, message] of badFlags) {
    it(`exits with code 2 and names the fix for ${flag} ${value}`, async () => {
      const dataDir = newDataDir();
      const p = spawnBerth(['server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', flag, value]);
      assert.equal(await p.exited, 2);
      assert.match(p.stderr(), message);
      assert.doesNotMatch(p.stderr(), /\n\s+at /, 'no stack trace');
      assert.ok(!existsSync(join(dataDir, 'berth.db')), 'nothing is written before the options are valid');
    });
  }
});

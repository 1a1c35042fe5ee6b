/**
 * Log events acknowledged by PutLogEvents survive `kill -9` of the control plane: the real `berth server`
 * runs as a child process, is killed with SIGKILL the moment the last batch is acknowledged (some sent
 * concurrently), and started again on the same data directory. A batch resent with its x-berth-log-batch
 * header after the restart is still stored once.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { freePort, readAdminKeys, type AdminKeys } from '../rigs/harness.js';
import { rawAwsCall } from '../rigs/raw-call.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const REGION = 'eu-west-3';

const children: ChildProcess[] = [];
const dirs: string[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Server {
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;
  readonly url: string;
}

async function startBerth(dataDir: string, port: number): Promise<Server> {
  // `node --import tsx` (not `npx tsx`) so that the pid we kill is the server itself.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'server', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir],
    {
      cwd: REPO,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_NO_WARNINGS: '1', BERTH_REGION: REGION },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.push(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    'berth server to answer /health',
    async () => {
      if (child.exitCode !== null) throw new Error(`exited: ${stderr}`);
      return (await fetch(`${url}/health`)).ok;
    },
    30_000,
    { intervalMs: 50, detail: () => stderr },
  );
  return { child, exited, url };
}

function client(url: string, keys: AdminKeys) {
  const t = { url, keys, region: REGION };
  return async (op: string, body: unknown, headers?: Record<string, string>) => {
    const r = await rawAwsCall(t, `Logs_20140328.${op}`, body, {
      service: 'logs',
      ...(headers && { headers }),
    });
    assert.equal(r.status, 200, `${op}: ${r.text}`);
    return JSON.parse(r.text) as Record<string, unknown>;
  };
}

describe('logs survive kill -9', () => {
  it('keeps every acknowledged event, and a resent batch stays stored once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-logs-durability-'));
    dirs.push(dataDir);
    const port = await freePort();
    const first = await startBerth(dataDir, port);
    const keys = readAdminKeys(join(dataDir, 'credentials'));
    let logs = client(first.url, keys);
    await logs('CreateLogGroup', { logGroupName: 'durable' });
    await logs('CreateLogStream', { logGroupName: 'durable', logStreamName: 's' });
    const base = Date.now() - 60_000;
    const batch = (b: number) => ({
      logGroupName: 'durable',
      logStreamName: 's',
      logEvents: Array.from({ length: 500 }, (_, i) => ({
        timestamp: base + b,
        message: `batch ${b} line ${i}`,
      })),
    });
    // Sequential batches, then a concurrent burst; the kill follows the last acknowledgement at once.
    for (let b = 0; b < 10; b++)
      await logs('PutLogEvents', batch(b), { 'x-berth-log-batch': `mi-test/${b}` });
    await Promise.all(
      Array.from({ length: 10 }, (_, k) =>
        logs('PutLogEvents', batch(10 + k), { 'x-berth-log-batch': `mi-test-${k}/0` }),
      ),
    );
    first.child.kill('SIGKILL');
    assert.equal(await first.exited, 'SIGKILL');

    const second = await startBerth(dataDir, port);
    logs = client(second.url, keys);
    // The agent resends its last batch after a crash: answered as success, stored once.
    await logs('PutLogEvents', batch(9), { 'x-berth-log-batch': 'mi-test/9' });
    const messages: string[] = [];
    let token: string | undefined;
    for (;;) {
      const page = (await logs('GetLogEvents', {
        logGroupName: 'durable',
        logStreamName: 's',
        startFromHead: true,
        ...(token && { nextToken: token }),
      })) as { events: { message: string }[]; nextForwardToken: string };
      messages.push(...page.events.map((e) => e.message));
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    assert.equal(messages.length, 20 * 500);
    assert.equal(new Set(messages).size, 20 * 500);
    assert.equal(messages[0], 'batch 0 line 0');
    assert.equal(messages.at(-1), 'batch 19 line 499');
    second.child.kill('SIGKILL');
    await second.exited;
  });
});

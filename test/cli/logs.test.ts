/**
 * CloudWatch Logs through the real AWS CLI: v1 (the `aws` on PATH) for the main calls and their errors, and
 * v2 (Debian's awscli package, at AWS_CLI_V2) for `aws logs tail --follow`, which polls FilterLogEvents.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { cliEnv, startTestServer, type TestServer } from '../rigs/harness.js';
import { waitFor } from '../../src/util/testing/wait-for.js';

/** Where scripts/setup.sh installs AWS CLI v2 (Debian's awscli); v1 may come first on PATH. */
const AWS_CLI_V2 = process.env.BERTH_AWS_CLI_V2 ?? '/usr/bin/aws';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.stop());

interface Event {
  timestamp: number;
  message: string;
  logStreamName?: string;
}

describe('aws logs (CLI v1)', () => {
  it('creates a group and stream, puts events and reads them back in order', async () => {
    await t.awsJson(['logs', 'create-log-group', '--log-group-name', '/ecs/web', '--tags', 'team=web']);
    await t.awsJson([
      'logs',
      'create-log-stream',
      '--log-group-name',
      '/ecs/web',
      '--log-stream-name',
      'web/app/1',
    ]);
    const now = Date.now();
    const events = Array.from({ length: 5 }, (_, i) => ({ timestamp: now + i, message: `line ${i}` }));
    await t.awsJson([
      'logs',
      'put-log-events',
      '--log-group-name',
      '/ecs/web',
      '--log-stream-name',
      'web/app/1',
      '--log-events',
      JSON.stringify(events),
    ]);
    const got = await t.awsJson<{ events: Event[] }>([
      'logs',
      'get-log-events',
      '--log-group-name',
      '/ecs/web',
      '--log-stream-name',
      'web/app/1',
      '--start-from-head',
    ]);
    assert.deepEqual(
      got.events.map((e) => [e.timestamp, e.message]),
      events.map((e) => [e.timestamp, e.message]),
    );
    const filtered = await t.awsJson<{ events: Event[] }>([
      'logs',
      'filter-log-events',
      '--log-group-name',
      '/ecs/web',
      '--filter-pattern',
      '?"line 1" ?"line 3"',
    ]);
    assert.deepEqual(
      filtered.events.map((e) => e.message),
      ['line 1', 'line 3'],
    );
    const groups = await t.awsJson<{ logGroups: { logGroupName: string; storedBytes: number }[] }>([
      'logs',
      'describe-log-groups',
      '--log-group-name-prefix',
      '/ecs/',
    ]);
    assert.deepEqual(
      groups.logGroups.map((g) => [g.logGroupName, g.storedBytes]),
      [['/ecs/web', 5 * (6 + 26)]],
    );
    const tags = await t.awsJson<{ tags: Record<string, string> }>([
      'logs',
      'list-tags-log-group',
      '--log-group-name',
      '/ecs/web',
    ]);
    assert.deepEqual(tags.tags, { team: 'web' });
  });

  it('prints AWS error names for missing and duplicate resources and bad retention', async () => {
    const missing = await t.aws([
      'logs',
      'get-log-events',
      '--log-group-name',
      'nope',
      '--log-stream-name',
      's',
    ]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ResourceNotFoundException.*The specified log group does not exist\./);
    await t.awsJson(['logs', 'create-log-group', '--log-group-name', 'dup']);
    const dup = await t.aws(['logs', 'create-log-group', '--log-group-name', 'dup']);
    assert.match(dup.stderr, /ResourceAlreadyExistsException/);
    const retention = await t.aws([
      'logs',
      'put-retention-policy',
      '--log-group-name',
      'dup',
      '--retention-in-days',
      '2',
    ]);
    assert.match(retention.stderr, /InvalidParameterException/);
    await t.awsJson(['logs', 'put-retention-policy', '--log-group-name', 'dup', '--retention-in-days', '7']);
    const g = await t.awsJson<{ logGroups: { retentionInDays?: number }[] }>([
      'logs',
      'describe-log-groups',
      '--log-group-name-prefix',
      'dup',
    ]);
    assert.equal(g.logGroups[0]?.retentionInDays, 7);
    await t.awsJson(['logs', 'delete-retention-policy', '--log-group-name', 'dup']);
    await t.awsJson(['logs', 'delete-log-group', '--log-group-name', 'dup']);
  });
});

describe('aws logs tail --follow (CLI v2)', () => {
  it('prints events put while it follows', async () => {
    await t.awsJson(['logs', 'create-log-group', '--log-group-name', 'tailed']);
    await t.awsJson(['logs', 'create-log-stream', '--log-group-name', 'tailed', '--log-stream-name', 's']);
    const put = (message: string) =>
      t.awsJson([
        'logs',
        'put-log-events',
        '--log-group-name',
        'tailed',
        '--log-stream-name',
        's',
        '--log-events',
        JSON.stringify([{ timestamp: Date.now(), message }]),
      ]);
    await put('before the tail');
    const child = spawn(
      AWS_CLI_V2,
      ['--endpoint-url', t.url, 'logs', 'tail', 'tailed', '--follow', '--format', 'short'],
      {
        // Python block-buffers a pipe; the test reads the lines as they are printed.
        env: { ...cliEnv(t.dataDir), PYTHONUNBUFFERED: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitFor('the tail to print the earlier event', () => out.includes('before the tail'), 30_000, {
        intervalMs: 100,
        detail: () => `stdout: ${out}; stderr: ${err}`,
      });
      await put('while following');
      // tail polls every 5 s.
      await waitFor('the tail to print the new event', () => out.includes('while following'), 30_000, {
        intervalMs: 100,
        detail: () => `stdout: ${out}; stderr: ${err}`,
      });
      assert.equal(out.split('before the tail').length, 2, 'printed once');
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  });
});

/**
 * The CloudWatch Logs API over HTTP, signed as the SDKs sign it: AWS's limits and errors for PutLogEvents,
 * GetLogEvents' tokens, FilterLogEvents' patterns and paging, and Berth's exactly-once batch header.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../rigs/harness.js';
import { issueAccessKey } from '../../src/control-plane/auth/access-keys.js';
import { rawAwsCall, type RawResult } from '../rigs/raw-call.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.stop());

async function logs(op: string, body: unknown, headers?: Record<string, string>): Promise<RawResult> {
  return rawAwsCall(t, `Logs_20140328.${op}`, body, { service: 'logs', ...(headers && { headers }) });
}

async function ok<T = Record<string, unknown>>(op: string, body: unknown, headers?: Record<string, string>) {
  const r = await logs(op, body, headers);
  assert.equal(r.status, 200, `${op}: ${r.text}`);
  return JSON.parse(r.text) as T;
}

async function fails(op: string, body: unknown, type: string, message: string | RegExp) {
  const r = await logs(op, body);
  assert.equal(r.type, type, r.text);
  if (typeof message === 'string') assert.equal(r.message, message);
  else assert.match(r.message, message);
}

interface Ev {
  timestamp: number;
  message: string;
}

async function stream(group: string, name: string) {
  const groups = await ok<{ logGroups: unknown[] }>('DescribeLogGroups', { logGroupNamePrefix: group });
  if (groups.logGroups.length === 0) await ok('CreateLogGroup', { logGroupName: group });
  await ok('CreateLogStream', { logGroupName: group, logStreamName: name });
}

describe('Logs API: groups and streams', () => {
  it('creates, describes, pages and deletes groups with AWS errors', async () => {
    for (const n of ['/app/a', '/app/b', '/app/c', '/other']) await ok('CreateLogGroup', { logGroupName: n });
    await fails(
      'CreateLogGroup',
      { logGroupName: '/app/a' },
      'ResourceAlreadyExistsException',
      /already exists/,
    );
    const first = await ok<{ logGroups: { logGroupName: string; arn: string }[]; nextToken?: string }>(
      'DescribeLogGroups',
      { logGroupNamePrefix: '/app/', limit: 2 },
    );
    assert.deepEqual(
      first.logGroups.map((g) => g.logGroupName),
      ['/app/a', '/app/b'],
    );
    assert.match(first.logGroups[0]?.arn ?? '', /^arn:aws:logs:[^:]+:\d{12}:log-group:\/app\/a:\*$/);
    const second = await ok<{ logGroups: { logGroupName: string }[]; nextToken?: string }>(
      'DescribeLogGroups',
      {
        logGroupNamePrefix: '/app/',
        limit: 2,
        nextToken: first.nextToken,
      },
    );
    assert.deepEqual(
      second.logGroups.map((g) => g.logGroupName),
      ['/app/c'],
    );
    assert.equal(second.nextToken, undefined);
    const pattern = await ok<{ logGroups: { logGroupName: string }[] }>('DescribeLogGroups', {
      logGroupNamePattern: 'OTHER',
    });
    assert.deepEqual(
      pattern.logGroups.map((g) => g.logGroupName),
      ['/other'],
    );
    await ok('DeleteLogGroup', { logGroupName: '/other' });
    await fails(
      'DeleteLogGroup',
      { logGroupName: '/other' },
      'ResourceNotFoundException',
      'The specified log group does not exist.',
    );
  });

  it('orders streams by last event time, descending', async () => {
    await ok('CreateLogGroup', { logGroupName: 'order' });
    const now = Date.now();
    for (const [name, at] of [
      ['s1', now - 3000],
      ['s2', now - 1000],
      ['s3', now - 2000],
    ] as const) {
      await ok('CreateLogStream', { logGroupName: 'order', logStreamName: name });
      await ok('PutLogEvents', {
        logGroupName: 'order',
        logStreamName: name,
        logEvents: [{ timestamp: at, message: name }],
      });
    }
    const r = await ok<{
      logStreams: { logStreamName: string; lastEventTimestamp: number; storedBytes: number }[];
    }>('DescribeLogStreams', { logGroupName: 'order', orderBy: 'LastEventTime', descending: true });
    assert.deepEqual(
      r.logStreams.map((s) => s.logStreamName),
      ['s2', 's3', 's1'],
    );
    assert.equal(r.logStreams[0]?.storedBytes, 2 + 26);
    await fails(
      'CreateLogStream',
      { logGroupName: 'order', logStreamName: 's1' },
      'ResourceAlreadyExistsException',
      /already exists/,
    );
    await fails(
      'CreateLogStream',
      { logGroupName: 'nope', logStreamName: 's1' },
      'ResourceNotFoundException',
      'The specified log group does not exist.',
    );
    await fails(
      'DeleteLogStream',
      { logGroupName: 'order', logStreamName: 'nope' },
      'ResourceNotFoundException',
      'The specified log stream does not exist.',
    );
    const groups = await ok<{ logGroups: { storedBytes: number }[] }>('DescribeLogGroups', {
      logGroupNamePrefix: 'order',
    });
    assert.equal(groups.logGroups[0]?.storedBytes, 3 * (2 + 26));
  });

  it('tags a group by ARN and by name', async () => {
    await ok('CreateLogGroup', { logGroupName: 'tagged', tags: { team: 'a' } });
    const arn = `arn:aws:logs:${t.region}:000000000000:log-group:tagged`;
    await ok('TagResource', { resourceArn: arn, tags: { env: 'prod' } });
    await ok('UntagResource', { resourceArn: arn, tagKeys: ['team'] });
    assert.deepEqual((await ok('ListTagsForResource', { resourceArn: arn })).tags, { env: 'prod' });
    assert.deepEqual((await ok('ListTagsLogGroup', { logGroupName: 'tagged' })).tags, { env: 'prod' });
  });
});

describe('Logs API: access', () => {
  it('lets instance credentials ship logs, and nothing an administrator alone may do', async () => {
    const credentials = await issueAccessKey(t.server.store.accessKeys, t.server.secretBox, {
      kind: 'instance',
      principalArn: 'arn:aws:sts::123456789012:assumed-role/berth-instance/mi-0123456789abcdef0',
      instanceId: 'mi-0123456789abcdef0',
      lifetimeMs: 60_000,
      now: new Date(),
    });
    const asInstance = (op: string, body: unknown) =>
      rawAwsCall(t, `Logs_20140328.${op}`, body, { service: 'logs', credentials });
    for (const [op, body] of [
      ['CreateLogGroup', { logGroupName: '/ecs/agent' }],
      ['CreateLogStream', { logGroupName: '/ecs/agent', logStreamName: 'p/c/t' }],
      ['DescribeLogStreams', { logGroupName: '/ecs/agent' }],
      [
        'PutLogEvents',
        {
          logGroupName: '/ecs/agent',
          logStreamName: 'p/c/t',
          logEvents: [{ timestamp: Date.now(), message: 'hi' }],
        },
      ],
    ] as const) {
      const r = await asInstance(op, body);
      assert.equal(r.status, 200, `${op}: ${r.text}`);
    }
    for (const op of ['DeleteLogGroup', 'GetLogEvents', 'FilterLogEvents', 'DescribeLogGroups']) {
      const r = await asInstance(op, { logGroupName: '/ecs/agent', logStreamName: 'p/c/t' });
      assert.equal(r.type, 'AccessDeniedException', `${op}: ${r.text}`);
    }
  });
});

describe('Logs API: PutLogEvents limits', () => {
  it('refuses unknown groups and streams, unordered batches, oversized batches and a span over 24 h', async () => {
    await stream('put', 'p');
    const now = Date.now();
    await fails(
      'PutLogEvents',
      { logGroupName: 'nope', logStreamName: 'p', logEvents: [{ timestamp: now, message: 'x' }] },
      'ResourceNotFoundException',
      'The specified log group does not exist.',
    );
    await fails(
      'PutLogEvents',
      { logGroupName: 'put', logStreamName: 'nope', logEvents: [{ timestamp: now, message: 'x' }] },
      'ResourceNotFoundException',
      'The specified log stream does not exist.',
    );
    await fails(
      'PutLogEvents',
      {
        logGroupName: 'put',
        logStreamName: 'p',
        logEvents: [
          { timestamp: now, message: 'b' },
          { timestamp: now - 1, message: 'a' },
        ],
      },
      'InvalidParameterException',
      'Log events in a single PutLogEvents request must be in chronological order.',
    );
    // 1,048,576 bytes exactly is accepted; one more byte is not.
    const size = (n: number, extra: number): Ev[] =>
      Array.from({ length: n }, (_, i) => ({
        timestamp: now,
        message: 'x'.repeat(1_048_576 / n - 26 + (i === 0 ? extra : 0)),
      }));
    await ok('PutLogEvents', { logGroupName: 'put', logStreamName: 'p', logEvents: size(16, 0) });
    await fails(
      'PutLogEvents',
      { logGroupName: 'put', logStreamName: 'p', logEvents: size(16, 1) },
      'InvalidParameterException',
      'Upload too large: 1048577 bytes exceeds limit of 1048576',
    );
    const many = Array.from({ length: 10_001 }, () => ({ timestamp: now, message: 'x' }));
    assert.equal(
      (await logs('PutLogEvents', { logGroupName: 'put', logStreamName: 'p', logEvents: many })).type,
      'InvalidParameterException',
    );
    await fails(
      'PutLogEvents',
      {
        logGroupName: 'put',
        logStreamName: 'p',
        logEvents: [
          { timestamp: now - 25 * 3_600_000, message: 'a' },
          { timestamp: now, message: 'b' },
        ],
      },
      'InvalidParameterException',
      'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
    );
  });

  it('reports too-old, expired and too-new events and stores the rest', async () => {
    await stream('window', 'w');
    await ok('PutRetentionPolicy', { logGroupName: 'window', retentionInDays: 1 });
    await fails(
      'PutRetentionPolicy',
      { logGroupName: 'window', retentionInDays: 2 },
      'InvalidParameterException',
      /enum value set/,
    );
    const now = Date.now();
    const day = 86_400_000;
    const r = await ok<{ rejectedLogEventsInfo: Record<string, number> }>('PutLogEvents', {
      logGroupName: 'window',
      logStreamName: 'w',
      logEvents: [
        { timestamp: now - 15 * day, message: 'too old' },
        { timestamp: now - 2 * day, message: 'expired' },
        { timestamp: now, message: 'kept' },
        { timestamp: now + 3 * 3_600_000, message: 'too new' },
      ],
    });
    assert.deepEqual(r.rejectedLogEventsInfo, {
      tooNewLogEventStartIndex: 3,
      tooOldLogEventEndIndex: 1,
      expiredLogEventEndIndex: 2,
    });
    const got = await ok<{ events: Ev[] }>('GetLogEvents', {
      logGroupName: 'window',
      logStreamName: 'w',
      startFromHead: true,
    });
    assert.deepEqual(
      got.events.map((e) => e.message),
      ['kept'],
    );
  });

  it('stores a batch once when x-berth-log-batch repeats, and every batch without it', async () => {
    await stream('once', 'o');
    const body = (m: string) => ({
      logGroupName: 'once',
      logStreamName: 'o',
      logEvents: [{ timestamp: Date.now(), message: m }],
    });
    await ok('PutLogEvents', body('one'), { 'x-berth-log-batch': 'mi-0123456789abcdef0/0' });
    await ok('PutLogEvents', body('one'), { 'x-berth-log-batch': 'mi-0123456789abcdef0/0' });
    await ok('PutLogEvents', body('two'), { 'x-berth-log-batch': 'mi-0123456789abcdef0/1' });
    await ok('PutLogEvents', body('one again, other sender'), { 'x-berth-log-batch': 'other/0' });
    await ok('PutLogEvents', body('plain'));
    await ok('PutLogEvents', body('plain'));
    const got = await ok<{ events: Ev[] }>('GetLogEvents', {
      logGroupName: 'once',
      logStreamName: 'o',
      startFromHead: true,
    });
    assert.deepEqual(
      got.events.map((e) => e.message),
      ['one', 'two', 'one again, other sender', 'plain', 'plain'],
    );
    const bad = await logs('PutLogEvents', body('x'), { 'x-berth-log-batch': 'no-seq' });
    assert.equal(bad.type, 'InvalidParameterException');
  });
});

describe('Logs API: reading', () => {
  const base = Date.now() - 60_000;
  before(async () => {
    await stream('read', 'r');
    await ok('CreateLogStream', { logGroupName: 'read', logStreamName: 'other' });
    const events = Array.from({ length: 25 }, (_, i) => ({
      timestamp: base + i,
      message: `line ${i} ${i % 5 === 0 ? 'ERROR' : 'INFO'}`,
    }));
    await ok('PutLogEvents', { logGroupName: 'read', logStreamName: 'r', logEvents: events });
    await ok('PutLogEvents', {
      logGroupName: 'read',
      logStreamName: 'other',
      logEvents: [
        { timestamp: base + 3, message: JSON.stringify({ level: 'error', latency: 900 }) },
        { timestamp: base + 4, message: JSON.stringify({ level: 'info', latency: 10 }) },
      ],
    });
  });

  it('GetLogEvents pages forward from the head and returns the sent token at the end', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await ok<{ events: Ev[]; nextForwardToken: string; nextBackwardToken: string }>(
        'GetLogEvents',
        {
          logGroupName: 'read',
          logStreamName: 'r',
          startFromHead: true,
          limit: 10,
          ...(token && { nextToken: token }),
        },
      );
      assert.match(r.nextForwardToken, /^f\/\d{56}$/);
      assert.match(r.nextBackwardToken, /^b\/\d{56}$/);
      seen.push(...r.events.map((e) => e.message));
      if (r.nextForwardToken === token) break;
      token = r.nextForwardToken;
    }
    assert.equal(seen.length, 25);
    assert.equal(seen[0], 'line 0 ERROR');
    assert.equal(seen[24], 'line 24 INFO');
  });

  it('GetLogEvents without startFromHead returns the newest page, then pages backward', async () => {
    const last = await ok<{ events: Ev[]; nextBackwardToken: string }>('GetLogEvents', {
      logGroupName: 'read',
      logStreamName: 'r',
      limit: 10,
    });
    assert.deepEqual(
      last.events.map((e) => e.timestamp - base),
      [15, 16, 17, 18, 19, 20, 21, 22, 23, 24],
    );
    const before = await ok<{ events: Ev[] }>('GetLogEvents', {
      logGroupName: 'read',
      logStreamName: 'r',
      limit: 10,
      nextToken: last.nextBackwardToken,
    });
    assert.deepEqual(
      before.events.map((e) => e.timestamp - base),
      [5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
    );
    const range = await ok<{ events: Ev[] }>('GetLogEvents', {
      logGroupName: 'read',
      logStreamName: 'r',
      startFromHead: true,
      startTime: base + 3,
      endTime: base + 6,
    });
    assert.deepEqual(
      range.events.map((e) => e.timestamp - base),
      [3, 4, 5],
    );
    await fails(
      'GetLogEvents',
      { logGroupName: 'read', logStreamName: 'r', nextToken: 'garbage' },
      'InvalidParameterException',
      'The specified nextToken is invalid.',
    );
    await fails(
      'GetLogEvents',
      { logGroupName: 'read', logStreamName: 'nope' },
      'ResourceNotFoundException',
      'The specified log stream does not exist.',
    );
  });

  it('FilterLogEvents interleaves streams by time and applies patterns', async () => {
    const all = await ok<{ events: (Ev & { logStreamName: string; eventId: string })[] }>('FilterLogEvents', {
      logGroupName: 'read',
    });
    assert.equal(all.events.length, 27);
    assert.deepEqual(
      all.events.slice(3, 6).map((e) => `${e.logStreamName}@${e.timestamp - base}`),
      ['r@3', 'other@3', 'r@4'],
    );
    const errors = await ok<{ events: Ev[] }>('FilterLogEvents', {
      logGroupName: 'read',
      logStreamNames: ['r'],
      filterPattern: 'ERROR',
    });
    assert.deepEqual(
      errors.events.map((e) => e.message),
      ['line 0 ERROR', 'line 5 ERROR', 'line 10 ERROR', 'line 15 ERROR', 'line 20 ERROR'],
    );
    const json = await ok<{ events: Ev[] }>('FilterLogEvents', {
      logGroupName: 'read',
      filterPattern: '{ $.level = "error" && $.latency > 500 }',
    });
    assert.equal(json.events.length, 1);
    const excluded = await ok<{ events: Ev[] }>('FilterLogEvents', {
      logGroupName: 'read',
      logStreamNamePrefix: 'r',
      filterPattern: '"line 1" -ERROR',
    });
    assert.deepEqual(
      excluded.events.map((e) => e.message),
      [
        'line 1 INFO',
        'line 11 INFO',
        'line 12 INFO',
        'line 13 INFO',
        'line 14 INFO',
        'line 16 INFO',
        'line 17 INFO',
        'line 18 INFO',
        'line 19 INFO',
      ],
    );
    await fails(
      'FilterLogEvents',
      { logGroupName: 'read', filterPattern: '{ $.a = ' },
      'InvalidParameterException',
      /Invalid filter pattern/,
    );
    await fails(
      'FilterLogEvents',
      { logGroupName: 'nope' },
      'ResourceNotFoundException',
      'The specified log group does not exist.',
    );
  });

  it('FilterLogEvents pages with nextToken until it is absent, without repeats', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 20; i++) {
      const r = await ok<{ events: { eventId: string }[]; nextToken?: string }>('FilterLogEvents', {
        logGroupName: 'read',
        limit: 4,
        ...(token && { nextToken: token }),
      });
      seen.push(...r.events.map((e) => e.eventId));
      token = r.nextToken;
      if (token === undefined) break;
    }
    assert.equal(token, undefined);
    assert.equal(seen.length, 27);
    assert.equal(new Set(seen).size, 27);
  });
});

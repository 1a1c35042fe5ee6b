import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { AcsTask } from '../../acs/payload.js';
import type { TaskState } from '../tasks/contracts.js';
import type { ContainerDetails, ContainerReader } from './docker-details.js';
import { EndpointIndex } from './endpoint-ids.js';
import { RateLimiter } from './rate-limiter.js';
import { metadataHandler } from './server.js';

const TASK: AcsTask = {
  arn: 'arn:aws:ecs:us-east-1:123456789012:task/c/abc',
  taskClusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c',
  family: 'web',
  version: '3',
  desiredStatus: 'RUNNING',
  containers: [
    { name: 'app', image: 'app:1', essential: true, memory: 64 },
    { name: 'side', image: 'side:1', essential: false },
    { name: 'late', image: 'late:1', essential: false },
  ],
};
const STATE: TaskState = {
  task: TASK,
  knownStatus: 'RUNNING',
  containers: [
    { name: 'app', runtimeId: 'id-app', knownStatus: 'RUNNING' },
    { name: 'side', runtimeId: 'id-side', knownStatus: 'RUNNING' },
    { name: 'late', knownStatus: 'NONE' },
  ],
};

function details(name: string): ContainerDetails {
  return {
    dockerName: `ecs-web-3-${name}`,
    imageId: 'sha256:1',
    labels: {},
    createdAt: '2026-01-01T00:00:00.000000001Z',
    startedAt: undefined,
    finishedAt: undefined,
    networkMode: 'bridge',
    ipv4Addresses: ['172.17.0.9'],
    health: undefined,
    logDriver: 'json-file',
    logOptions: {},
  };
}

/** Docker as the handler sees it: `id-side` has no stats to give, `id-gone` was removed. */
const reader: ContainerReader = {
  details: (id) => Promise.resolve(id === 'id-gone' ? undefined : details(id.slice(3))),
  stats: (id) =>
    id === 'id-side'
      ? Promise.reject(new Error('stats failed'))
      : id === 'id-gone'
        ? Promise.resolve(undefined)
        : Promise.resolve({ read: '2026-01-01T00:00:00Z', cpu_stats: {}, memory_stats: {}, id }),
};

const tasks = new Map([[TASK.arn, STATE]]);
const index = new EndpointIndex(Buffer.alloc(32, 3), () => tasks);
const APP = index.idOf(TASK.arn, 'app');
const LATE = index.idOf(TASK.arn, 'late');
let clock = 0;
let server: Server;
let base: string;

before(async () => {
  server = createServer(
    metadataHandler({
      index,
      docker: reader,
      limiter: new RateLimiter({ steadyPerSecond: 1, burst: 5 }),
      log: pino({ level: 'silent' }),
      now: () => clock,
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function get(
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  clock += 1_000; // a token per request: these tests are not about the limit
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  return {
    status: res.status,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
    headers: res.headers,
  };
}

void describe('task metadata endpoint routes', () => {
  void it('answers the container, its task (created containers only) and taskWithTags', async () => {
    const own = await get(`/v4/${APP}`);
    assert.equal(own.status, 200);
    assert.equal(own.headers.get('content-type'), 'application/json');
    assert.deepEqual((own.body as { Name: string; DockerId: string; Limits: unknown }).Limits, {
      CPU: 0,
      Memory: 64,
    });
    assert.equal((own.body as { DockerName: string }).DockerName, 'ecs-web-3-app');
    assert.equal((await get(`/v4/${APP}/`)).status, 200);
    for (const path of [
      `/v4/${APP}/task`,
      `/v4/${APP}/taskWithTags`,
      `/v3/${APP}/task`,
      `/v4/${APP}/task?x=1`,
    ]) {
      const task = await get(path);
      assert.equal(task.status, 200, path);
      const body = task.body as { TaskARN: string; Containers: { Name: string }[]; TaskTags?: unknown };
      assert.equal(body.TaskARN, TASK.arn);
      assert.deepEqual(
        body.Containers.map((c) => c.Name),
        ['app', 'side'],
      );
      assert.equal(body.TaskTags, undefined, 'the agent has no tags to show');
    }
  });

  void it('answers Docker stats for the container and by Docker id for the task', async () => {
    const stats = await get(`/v4/${APP}/stats`);
    assert.equal(stats.status, 200);
    assert.equal((stats.body as { id: string }).id, 'id-app');
    const all = await get(`/v4/${APP}/task/stats`);
    assert.equal(all.status, 200);
    assert.deepEqual(Object.keys(all.body as object).sort(), ['id-app', 'id-side']);
    assert.equal((all.body as Record<string, unknown>)['id-side'], null, 'no stats: null, as ECS');
  });

  void it('says 404 in JSON for unknown ids, unknown paths and containers not created yet', async () => {
    for (const path of [
      '/v4/00000000-0000-0000-0000-000000000000',
      '/v4/00000000-0000-0000-0000-000000000000/task',
      '/',
      '/v4/',
      `/v4/${APP}/nothing`,
      `/v2/metadata`,
      `/api/${APP}/task-protection/v1/state`,
      `/v4/${LATE}`,
      `/v4/${LATE}/stats`,
    ]) {
      const r = await get(path);
      assert.equal(r.status, 404, path);
      assert.equal(typeof r.body, 'string', `${path}: a JSON string, as ECS`);
    }
    assert.match((await get(`/v4/${LATE}`)).body as string, /not been created yet/);
    assert.match((await get(`/api/${APP}/x`)).body as string, /not supported/);
    assert.equal((await get(`/v4/${LATE}/task`)).status, 200, 'its task is there all the same');
  });

  void it('says 404 when Docker lost the container, 405 for writes, nothing for HEAD', async () => {
    const gone = new Map([
      [
        TASK.arn,
        { ...STATE, containers: [{ name: 'app', runtimeId: 'id-gone', knownStatus: 'STOPPED' as const }] },
      ],
    ]);
    const goneIndex = new EndpointIndex(Buffer.alloc(32, 3), () => gone);
    const handler = metadataHandler({
      index: goneIndex,
      docker: reader,
      limiter: new RateLimiter(),
      log: pino({ level: 'silent' }),
    });
    const s = createServer(handler);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/v4/${APP}/stats`);
      assert.equal(res.status, 404);
      assert.match((await res.json()) as string, /no longer has/);
    } finally {
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    assert.equal((await get(`/v4/${APP}`, { method: 'POST' })).status, 405);
    const head = await get(`/v4/${APP}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, undefined);
  });

  void it('rate limits each endpoint id, and unknown ids by client address', async () => {
    const burst = async (path: string) => {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await fetch(`${base}${path}`)).status);
      return statuses;
    };
    clock += 60_000;
    const own = await burst(`/v4/${APP}`);
    assert.deepEqual(own, [200, 200, 200, 200, 200, 429, 429]);
    const limited = await fetch(`${base}/v4/${APP}`);
    assert.equal(limited.headers.get('retry-after'), '1');
    assert.match((await limited.json()) as string, /Too many requests/);
    // Another container is not held back by this one.
    assert.equal((await fetch(`${base}/v4/${LATE}/task`)).status, 200);
    const guesses = await burst('/v4/guess');
    assert.deepEqual(guesses, [404, 404, 404, 404, 404, 429, 429]);
  });
});

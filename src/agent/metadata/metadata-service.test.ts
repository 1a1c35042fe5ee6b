import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import type { AcsTask } from '../../acs/payload.js';
import type { TaskState } from '../tasks/contracts.js';
import type { ContainerReader } from './docker-details.js';
import {
  startMetadataService,
  type MetadataService,
  type MetadataServiceOptions,
} from './metadata-service.js';
import { waitFor } from '../../util/testing/wait-for.js';

const dirs: string[] = [];
const services: MetadataService[] = [];
after(async () => {
  await Promise.all(services.map((s) => s.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A second loopback address stands in for the Docker bridge's gateway. */
const FAKE_GATEWAY = '127.0.0.2';
const reader: ContainerReader = {
  details: () => Promise.resolve(undefined),
  stats: () => Promise.resolve({ read: 'now' }),
};

function task(networkMode: AcsTask['networkMode']): AcsTask {
  return {
    arn: `arn:aws:ecs:us-east-1:123456789012:task/c/${networkMode ?? 'default'}`,
    taskClusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c',
    family: 'f',
    version: '1',
    desiredStatus: 'RUNNING',
    containers: [{ name: 'app', image: 'busybox', essential: true }],
    ...(networkMode !== undefined && { networkMode }),
  };
}

async function start(
  o: Partial<MetadataServiceOptions> & { dataDir?: string } = {},
): Promise<MetadataService> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'berth-metadata-service-'));
  dirs.push(dataDir);
  const service = await startMetadataService({
    listen: { kind: 'loopback-and-bridge', port: 0 },
    docker: { kind: 'unix', socketPath: '/nonexistent.sock' },
    tasks: () => new Map<string, TaskState>(),
    log: pino({ level: 'silent' }),
    reader,
    bridgeGateway: () => Promise.resolve(FAKE_GATEWAY),
    ...o,
    dataDir,
  });
  services.push(service);
  return service;
}

void describe('task metadata service', () => {
  void it('listens on loopback and the bridge gateway, on one port', async () => {
    const s = await start();
    assert.deepEqual(s.addresses, ['127.0.0.1', FAKE_GATEWAY]);
    for (const host of s.addresses) {
      const res = await fetch(`http://${host}:${s.port}/v4/unknown`);
      assert.equal(res.status, 404, host);
    }
  });

  void it('tells bridge containers the gateway, host containers loopback, none-mode containers nothing', async () => {
    const s = await start();
    const bridge = s.environmentFor(task('bridge'), task('bridge').containers[0]!);
    const id = /\/v4\/([0-9a-f-]{36})$/.exec(bridge.ECS_CONTAINER_METADATA_URI_V4 ?? '')?.[1];
    assert.ok(id !== undefined, JSON.stringify(bridge));
    assert.deepEqual(bridge, {
      ECS_CONTAINER_METADATA_URI_V4: `http://${FAKE_GATEWAY}:${s.port}/v4/${id}`,
      ECS_CONTAINER_METADATA_URI: `http://${FAKE_GATEWAY}:${s.port}/v3/${id}`,
      ECS_AGENT_URI: `http://${FAKE_GATEWAY}:${s.port}/api/${id}`,
    });
    assert.equal(
      s
        .environmentFor(task(undefined), task(undefined).containers[0]!)
        .ECS_CONTAINER_METADATA_URI_V4?.startsWith(`http://${FAKE_GATEWAY}:`),
      true,
      'bridge is the default',
    );
    const host = s.environmentFor(task('host'), task('host').containers[0]!);
    assert.match(
      host.ECS_CONTAINER_METADATA_URI_V4 ?? '',
      new RegExp(`^http://127\\.0\\.0\\.1:${s.port}/v4/[0-9a-f-]{36}$`),
    );
    assert.deepEqual(s.environmentFor(task('none'), task('none').containers[0]!), {});
  });

  void it('keeps ids across restarts of the agent on the same data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-metadata-service-'));
    const t = task('bridge');
    const first = await start({ dataDir });
    const before = first.environmentFor(t, t.containers[0]!).ECS_CONTAINER_METADATA_URI_V4?.split('/v4/')[1];
    await first.close();
    const second = await start({ dataDir });
    assert.equal(
      second.environmentFor(t, t.containers[0]!).ECS_CONTAINER_METADATA_URI_V4?.split('/v4/')[1],
      before,
    );
  });

  void it('keeps trying when its port is taken or the bridge is not there yet', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    let gatewayAsked = 0;
    const s = await start({
      listen: { kind: 'loopback-and-bridge', port },
      bridgeGateway: () => Promise.resolve(++gatewayAsked > 1 ? FAKE_GATEWAY : undefined),
    });
    assert.deepEqual(s.addresses, [], 'port taken, bridge unknown: the agent goes on without the endpoint');
    assert.deepEqual(s.environmentFor(task('bridge'), task('bridge').containers[0]!), {});
    assert.match(
      s.environmentFor(task('host'), task('host').containers[0]!).ECS_CONTAINER_METADATA_URI_V4 ?? '',
      new RegExp(`:${port}/v4/`),
    );
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    await waitFor('the endpoint on both addresses', () => s.addresses.length >= 2, 10_000);
    assert.deepEqual(s.addresses, ['127.0.0.1', FAKE_GATEWAY]);
    assert.equal(s.port, port);
    assert.equal((await fetch(`http://${FAKE_GATEWAY}:${port}/v4/x`)).status, 404);
  });

  void it('listens on one explicit address only', async () => {
    const s = await start({ listen: { kind: 'address', host: '127.0.0.3', port: 0 } });
    assert.deepEqual(s.addresses, ['127.0.0.3']);
    const host = s.environmentFor(task('host'), task('host').containers[0]!);
    assert.match(host.ECS_CONTAINER_METADATA_URI_V4 ?? '', /^http:\/\/127\.0\.0\.3:/);
    // Loopback cannot be reached from the bridge: no variables rather than a dead URL.
    assert.deepEqual(s.environmentFor(task('bridge'), task('bridge').containers[0]!), {});
  });
});

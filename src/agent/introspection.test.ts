import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../util/options.js';
import { startIntrospection, type IntrospectionView } from './introspection.js';

const LOOPBACK = { host: '127.0.0.1', port: 0 };

void describe('introspection API', () => {
  void it('serves metadata as ECS does, and health while RUNNING', async () => {
    let view: IntrospectionView = {
      cluster: 'edge',
      containerInstanceArn: undefined,
      version: 'Berth Agent v0.1.0',
      state: 'REGISTERING',
      sessionState: undefined,
      managedInstanceId: undefined,
      healthy: false,
    };
    const server = await startIntrospection(LOOPBACK, () => view);
    const get = async (path: string, method = 'GET') => {
      const res = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    try {
      assert.deepEqual(await get('/v1/metadata'), {
        status: 200,
        body: { Cluster: 'edge', ContainerInstanceArn: null, Version: 'Berth Agent v0.1.0' },
      });
      assert.equal((await get('/v1/health')).status, 503);
      view = {
        ...view,
        containerInstanceArn: 'arn:x',
        state: 'RUNNING',
        sessionState: 'CONNECTED',
        healthy: true,
      };
      assert.equal((await get('/v1/metadata')).body.ContainerInstanceArn, 'arn:x');
      const health = await get('/v1/health');
      assert.equal(health.status, 200);
      assert.equal(health.body.SessionState, 'CONNECTED');
      assert.equal((await get('/v1/tasks')).status, 404);
      assert.equal((await get('/v1/metadata', 'POST')).status, 405);
    } finally {
      await server.close();
    }
  });

  void it('says how to fix a port in use', async () => {
    const first = await startIntrospection(LOOPBACK, () => assert.fail('no request'));
    try {
      await assert.rejects(
        startIntrospection({ host: '127.0.0.1', port: first.port }, () => assert.fail('no request')),
        (e: unknown) => e instanceof ConfigError && /in use .*--introspection-listen off/.test(e.message),
      );
    } finally {
      await first.close();
    }
  });
});

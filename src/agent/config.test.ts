import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, resolveAgentConfig, type AgentOptions } from './config.js';

const root = mkdtempSync(join(tmpdir(), 'berth-agent-config-'));
const NO_DEFAULT_FILE = { defaultConfigFile: join(root, 'absent.json') };
const ENDPOINT = { endpoint: 'http://127.0.0.1:4650' };
const ACTIVATION_ID = '875bc4d8-cd92-4c9c-bdc0-a269ef627a8a';

function file(name: string, content: unknown): string {
  const path = join(root, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function resolveWith(flags: AgentOptions, env: Record<string, string> = {}) {
  return resolveAgentConfig(flags, env, NO_DEFAULT_FILE);
}

function refused(flags: AgentOptions, env: Record<string, string>, message: RegExp): void {
  assert.throws(
    () => resolveWith(flags, env),
    (e: unknown) => e instanceof ConfigError && message.test(e.message),
  );
}

void describe('agent options', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  void it('has the documented defaults', () => {
    const c = resolveWith(ENDPOINT);
    assert.equal(c.endpoint, 'http://127.0.0.1:4650');
    assert.equal(c.cluster, 'default');
    assert.equal(c.clusterName, 'default');
    assert.equal(c.dataDir, '/var/lib/berth-agent');
    assert.equal(c.reservedMemoryMiB, 0);
    assert.deepEqual(c.reservedPorts, [22, 2375, 2376, 51678, 51679]);
    assert.deepEqual(c.reservedUdpPorts, []);
    assert.deepEqual(c.attributes, {});
    assert.deepEqual(c.introspection, { host: '127.0.0.1', port: 51678 });
    assert.deepEqual(c.docker, { kind: 'unix', socketPath: '/var/run/docker.sock' });
    assert.equal(c.logLevel, 'info');
    assert.equal(c.activationId, undefined);
    assert.equal(c.configFile, undefined);
  });

  void it('layers flags over environment over the config file over defaults', () => {
    const config = file('layers.json', {
      endpoint: 'http://from-file:1',
      cluster: 'file',
      reservedMemory: 64,
      reservedPorts: [22],
      logLevel: 'warn',
      attributes: { site: 'lab' },
    });
    const env = { BERTH_AGENT_CONFIG: config, BERTH_CLUSTER: 'env', BERTH_RESERVED_MEMORY: '128' };
    const c = resolveWith({ cluster: 'flag' }, env);
    assert.equal(c.configFile, config);
    assert.equal(c.endpoint, 'http://from-file:1', 'file over default');
    assert.equal(c.cluster, 'flag', 'flag over env and file');
    assert.equal(c.reservedMemoryMiB, 128, 'env over file');
    assert.deepEqual(c.reservedPorts, [22]);
    assert.equal(c.logLevel, 'warn');
    assert.deepEqual(c.attributes, { site: 'lab' });
    assert.equal(
      resolveWith({ config, endpoint: 'https://flag.example/' }, {}).endpoint,
      'https://flag.example',
    );
  });

  void it('reads the default config file only when it exists, and treats empty variables as unset', () => {
    const defaultConfigFile = file('default.json', { endpoint: 'http://default-file:2', cluster: 'edge' });
    const c = resolveAgentConfig({}, { BERTH_CLUSTER: '' }, { defaultConfigFile });
    assert.equal(c.configFile, defaultConfigFile);
    assert.equal(c.cluster, 'edge');
  });

  void it('asks for the endpoint by flag, variable and file key', () => {
    refused({}, {}, /--endpoint is required.*BERTH_ENDPOINT.*"endpoint" in the config file/);
    refused({ endpoint: 'ftp://x' }, {}, /--endpoint "ftp:\/\/x" must be the http:\/\/ or https:\/\/ URL/);
  });

  void it('names where a bad value came from', () => {
    refused(
      { ...ENDPOINT, reservedMemory: 'lots' },
      {},
      /^--reserved-memory "lots" must be a whole number of MiB/,
    );
    refused(ENDPOINT, { BERTH_RESERVED_MEMORY: '-1' }, /^BERTH_RESERVED_MEMORY "-1"/);
    const bad = file('bad-ports.json', { reservedPorts: [22, 70000] });
    refused(
      { ...ENDPOINT, config: bad },
      {},
      /"reservedPorts" in .*bad-ports.json \[22,70000\] lists 70000, which is not a port/,
    );
    refused({ ...ENDPOINT, logLevel: 'loud' }, {}, /--log-level "loud" must be one of fatal, error/);
    refused({ ...ENDPOINT, cluster: 'no spaces' }, {}, /--cluster .* must be a cluster name/);
    refused({ ...ENDPOINT, activationId: 'abc' }, {}, /--activation-id "abc" is not an activation id/);
    refused(
      { ...ENDPOINT, introspectionListen: 'nowhere' },
      {},
      /--introspection-listen .*HOST:PORT .* or off/,
    );
    refused({ ...ENDPOINT, dockerHost: 'ssh://host' }, {}, /--docker-host .*unix:\/\/\/path/);
  });

  void it('never shows the activation code in a message', () => {
    assert.throws(
      () => resolveWith({ ...ENDPOINT, activationCode: '   ' }),
      (e: unknown) => e instanceof ConfigError && /^--activation-code must not be empty/.test(e.message),
    );
  });

  void it('checks the config file', () => {
    refused(
      { ...ENDPOINT, config: join(root, 'missing.json') },
      {},
      /missing.json does not exist. Fix --config/,
    );
    refused({ ...ENDPOINT, config: file('broken.json', '{') }, {}, /broken.json is not valid JSON/);
    refused({ ...ENDPOINT, config: file('array.json', []) }, {}, /must hold a JSON object/);
    refused(
      { ...ENDPOINT, config: file('typo.json', { clustre: 'x' }) },
      {},
      /unknown key "clustre"; the keys are endpoint/,
    );
    refused(
      { ...ENDPOINT, config: file('type.json', { cluster: 5 }) },
      {},
      /"cluster" in .*type.json 5 must be a string/,
    );
  });

  void it('reads port lists in every form', () => {
    const ports = (reservedPorts: string) => resolveWith({ ...ENDPOINT, reservedPorts }).reservedPorts;
    assert.deepEqual(ports('80, 443,80'), [80, 443]);
    assert.deepEqual(ports('[22, 2375]'), [22, 2375]);
    assert.deepEqual(ports(''), []);
    assert.deepEqual(ports('none'), []);
    const many = Array.from({ length: 101 }, (_, i) => 1000 + i).join(',');
    refused({ ...ENDPOINT, reservedPorts: many }, {}, /lists 101 ports; .* at most 100/);
  });

  void it('reads custom attributes as k=v, JSON or a file object, by ECS rules', () => {
    const attrs = (attributes: string) => resolveWith({ ...ENDPOINT, attributes }).attributes;
    assert.deepEqual(attrs('site=lab, rack = r1'), { site: 'lab', rack: 'r1' });
    assert.deepEqual(attrs('{"gpu": "none"}'), { gpu: 'none' });
    refused({ ...ENDPOINT, attributes: 'site' }, {}, /'site' without a value/);
    refused(
      { ...ENDPOINT, attributes: 'ecs.os-type=windows' },
      {},
      /names starting with ecs\. .* are the agent's own/,
    );
    refused({ ...ENDPOINT, attributes: 'a=b!' }, {}, /bad value for 'a'/);
    const eleven = Array.from({ length: 11 }, (_, i) => `a${i}=v`).join(',');
    refused({ ...ENDPOINT, attributes: eleven }, {}, /has 11 attributes; .* at most 10/);
  });

  void it('reads listen addresses, docker hosts and cluster ARNs', () => {
    const c = (o: AgentOptions) => resolveWith({ ...ENDPOINT, ...o });
    assert.equal(c({ introspectionListen: 'off' }).introspection, undefined);
    assert.deepEqual(c({ introspectionListen: ':0' }).introspection, { host: '127.0.0.1', port: 0 });
    assert.deepEqual(c({ introspectionListen: '[::1]:9' }).introspection, { host: '::1', port: 9 });
    assert.deepEqual(c({ dockerHost: 'tcp://10.0.0.2:2375' }).docker, {
      kind: 'tcp',
      protocol: 'http',
      host: '10.0.0.2',
      port: 2375,
    });
    assert.deepEqual(c({ dockerHost: '/run/docker.sock' }).docker, {
      kind: 'unix',
      socketPath: '/run/docker.sock',
    });
    assert.deepEqual(resolveWith(ENDPOINT, { DOCKER_HOST: 'unix:///x.sock' }).docker, {
      kind: 'unix',
      socketPath: '/x.sock',
    });
    const arn = c({ cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/edge' });
    assert.equal(arn.clusterName, 'edge');
    assert.equal(c({ activationId: ACTIVATION_ID.toUpperCase() }).activationId, ACTIVATION_ID.toUpperCase());
  });

  void it('reads the awslogs spool size in binary units, 256 MiB by default, at least 4 MiB', () => {
    assert.equal(resolveWith(ENDPOINT).logsSpoolBytes, 256 * 1024 * 1024);
    assert.equal(resolveWith({ ...ENDPOINT, logsSpoolSize: '1GiB' }).logsSpoolBytes, 1024 ** 3);
    assert.equal(resolveWith(ENDPOINT, { BERTH_LOGS_SPOOL_SIZE: '64m' }).logsSpoolBytes, 64 * 1024 ** 2);
    refused(
      { ...ENDPOINT, logsSpoolSize: '1m' },
      {},
      /--logs-spool-size "1m" must be a size of at least 4MiB/,
    );
    refused({ ...ENDPOINT, logsSpoolSize: 'lots' }, {}, /must be a size/);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { computeRequiresAttributes } from '../domain/task-definition/requires-attributes.js';
import { ConfigError } from '../util/options.js';
import {
  CAPABILITY_ATTRIBUTES,
  cpuArchitecture,
  instanceAttributes,
  memTotalMiB,
  readHostResources,
  totalResources,
} from './instance-facts.js';

const HOST = { cpuCores: 4, memoryMiB: 7_900, cpuArchitecture: 'x86_64' };

void describe('instance facts', () => {
  void it('reads MemTotal from /proc/meminfo in MiB, and falls back when there is none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-meminfo-'));
    try {
      const file = join(dir, 'meminfo');
      writeFileSync(file, 'MemTotal:        8089552 kB\nMemFree:         1000000 kB\n');
      assert.equal(memTotalMiB(file), 7899);
      assert.equal(memTotalMiB(join(dir, 'absent')), undefined);
      assert.ok(readHostResources(join(dir, 'absent')).memoryMiB > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('names architectures as ECS does', () => {
    assert.equal(cpuArchitecture('x64'), 'x86_64');
    assert.equal(cpuArchitecture('arm64'), 'arm64');
  });

  void it('registers cores × 1024, memory less the reservation, and the reserved ports', () => {
    const resources = totalResources(HOST, {
      reservedMemoryMiB: 256,
      reservedPorts: [22, 2375],
      reservedUdpPorts: [],
    });
    assert.deepEqual(resources, [
      { name: 'CPU', type: 'INTEGER', integerValue: 4096 },
      { name: 'MEMORY', type: 'INTEGER', integerValue: 7_644 },
      { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375'] },
      { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
    ]);
    assert.throws(
      () => totalResources(HOST, { reservedMemoryMiB: 7_900, reservedPorts: [], reservedUdpPorts: [] }),
      (e: unknown) => e instanceof ConfigError && /leaves no memory .*\(7900 MiB in all\)/.test(e.message),
    );
  });

  void it('reports the external capability, the platform, and custom attributes when given', () => {
    const first = instanceAttributes('arm64', { site: 'lab' });
    const byName = new Map(first.map((a) => [a.name, a.value]));
    assert.ok(byName.has('ecs.capability.external'));
    assert.equal(byName.get('ecs.os-type'), 'linux');
    assert.equal(byName.get('ecs.os-family'), 'LINUX');
    assert.equal(byName.get('ecs.cpu-architecture'), 'arm64');
    assert.equal(byName.get('site'), 'lab');
    assert.ok(byName.has('com.amazonaws.ecs.capability.docker-remote-api.1.17'));
    assert.ok(byName.has('com.amazonaws.ecs.capability.docker-remote-api.1.44'));
    assert.ok(!byName.has('com.amazonaws.ecs.capability.docker-remote-api.1.45'));
    const later = instanceAttributes('arm64', undefined);
    assert.equal(later.length, first.length - 1);
    assert.ok(!later.some((a) => a.name === 'site'));
  });

  void it('covers what task definitions using the supported features require', () => {
    const required = computeRequiresAttributes({
      family: 'all-features',
      volumes: [{ name: 'v', dockerVolumeConfiguration: { scope: 'task' } }],
      containerDefinitions: [
        {
          name: 'a',
          image: 'busybox',
          memory: 64,
          memoryReservation: 32,
          privileged: true,
          dockerLabels: { a: 'b' },
          logConfiguration: { logDriver: 'journald' },
          healthCheck: { command: ['CMD', 'true'] },
          restartPolicy: { enabled: true },
          linuxParameters: { initProcessEnabled: true },
        },
        { name: 'b', image: 'busybox', memory: 64, dependsOn: [{ containerName: 'a', condition: 'START' }] },
      ],
    });
    const offered = new Set(CAPABILITY_ATTRIBUTES);
    assert.ok(required.length >= 8);
    for (const { name } of required) assert.ok(offered.has(name), `${name} is offered`);
  });

  void it('covers awslogs, with an execution role too', () => {
    const required = computeRequiresAttributes({
      family: 'logs',
      executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
      containerDefinitions: [
        {
          name: 'a',
          image: 'busybox',
          memory: 64,
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g' } },
        },
      ],
    });
    assert.ok(required.some((a) => a.name === 'ecs.capability.execution-role-awslogs'));
    const offered = new Set(CAPABILITY_ATTRIBUTES);
    for (const { name } of required) assert.ok(offered.has(name), `${name} is offered`);
  });
});

/** What a task needs, from its definition and the run's overrides. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { QuerySyntaxError } from '../query/index.js';
import { containerGpuCounts, staticHostPorts, taskRequirements } from './requirements.js';

const definition = (patch: Partial<TaskDefinition> = {}): TaskDefinition => ({
  family: 'web',
  revision: 1,
  networkMode: 'bridge',
  containerDefinitions: [
    {
      name: 'app',
      image: 'app:1',
      cpu: 256,
      memory: 512,
      memoryReservation: 128,
      portMappings: [
        { containerPort: 80, hostPort: 8080, protocol: 'tcp' },
        { containerPort: 81, protocol: 'tcp' },
        { containerPort: 53, hostPort: 5353, protocol: 'udp' },
      ],
    },
    {
      name: 'sidecar',
      image: 'side:1',
      cpu: 128,
      memory: 64,
      portMappings: [{ containerPort: 9000, hostPort: 0 }],
    },
  ],
  requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.21' }],
  ...patch,
});

describe('taskRequirements', () => {
  it('sums containers: cpu, and memoryReservation else memory', () => {
    const r = taskRequirements(definition(), { group: 'family:web' });
    assert.equal(r.cpu, 384);
    assert.equal(r.memory, 128 + 64);
    assert.deepEqual(r.tcpPorts, [8080]);
    assert.deepEqual(r.udpPorts, [5353]);
    assert.equal(r.dynamicPorts, 2);
    assert.deepEqual(r.requiresAttributes, [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.21' }]);
    assert.ok(Object.isFrozen(r));
  });

  it('prefers task-level sizes, in either spelling', () => {
    const r = taskRequirements(definition({ cpu: '1 vCPU', memory: '1GB' }), { group: 'g' });
    assert.equal(r.cpu, 1024);
    assert.equal(r.memory, 1024);
  });

  it('applies container and task overrides', () => {
    const containers = taskRequirements(definition(), {
      group: 'g',
      overrides: { containerOverrides: [{ name: 'app', cpu: 1000, memoryReservation: 300 }] },
    });
    assert.equal(containers.cpu, 1128);
    assert.equal(containers.memory, 364);
    const task = taskRequirements(definition({ cpu: '512' }), {
      group: 'g',
      overrides: { cpu: '2048', memory: '4096' },
    });
    assert.equal(task.cpu, 2048);
    assert.equal(task.memory, 4096);
  });

  it('binds container ports in host mode, nothing in none mode', () => {
    const host = definition({
      networkMode: 'host',
      containerDefinitions: [
        { name: 'a', memory: 64, portMappings: [{ containerPort: 80 }, { containerPort: 80 }] },
      ],
    });
    assert.deepEqual(staticHostPorts(host), { tcp: [80], udp: [] });
    assert.equal(taskRequirements(host, { group: 'g' }).dynamicPorts, 0);
    assert.deepEqual(staticHostPorts(definition({ networkMode: 'none' })), { tcp: [], udp: [] });
  });

  it('counts port ranges as dynamic ports', () => {
    const ranged = definition({
      containerDefinitions: [{ name: 'a', memory: 64, portMappings: [{ containerPortRange: '7000-7009' }] }],
    });
    assert.equal(taskRequirements(ranged, { group: 'g' }).dynamicPorts, 10);
  });

  it('compiles memberOf and notes distinctInstance', () => {
    const r = taskRequirements(definition(), {
      group: 'g',
      constraints: [
        { type: 'memberOf', expression: 'attribute:ecs.os-type == linux' },
        { type: 'distinctInstance' },
      ],
    });
    assert.equal(r.memberOf.length, 1);
    assert.ok(r.distinctInstance);
    assert.throws(
      () =>
        taskRequirements(definition(), {
          group: 'g',
          constraints: [{ type: 'memberOf', expression: 'nope ==' }],
        }),
      QuerySyntaxError,
    );
  });

  it('counts GPUs per container, overrides replacing the list', () => {
    const gpu = definition({
      containerDefinitions: [
        { name: 'a', memory: 64, resourceRequirements: [{ type: 'GPU', value: '2' }] },
        { name: 'b', memory: 64 },
      ],
    });
    assert.deepEqual(containerGpuCounts(gpu, undefined), [
      { name: 'a', count: 2 },
      { name: 'b', count: 0 },
    ]);
    const overridden = {
      containerOverrides: [{ name: 'b', resourceRequirements: [{ type: 'GPU' as const, value: '1' }] }],
    };
    assert.equal(taskRequirements(gpu, { group: 'g', overrides: overridden }).gpus, 3);
  });
});

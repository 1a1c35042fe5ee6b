import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Resource } from '@aws-sdk/client-ecs';
import { containerRecord, taskRecord } from '../../domain/testing/records.js';
import { expectApiError } from '../../ecs/testing/api-error.js';
import {
  MAX_RESERVED_PORTS,
  registeredResources,
  remainingResources,
  resource,
  taskReservation,
} from './resources.js';

const agentResources: Resource[] = [
  { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
  { name: 'MEMORY', type: 'INTEGER', integerValue: 3768 },
  { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375', '2376', '51678', '51679'] },
  { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
];

function byName(resources: readonly Resource[], name: string): Resource | undefined {
  return resources.find((r) => r.name === name);
}

describe('registeredResources', () => {
  it('keeps what the agent sends, in the form ECS returns it', () => {
    const out = registeredResources(agentResources, undefined);
    assert.deepEqual(out[0], {
      name: 'CPU',
      type: 'INTEGER',
      doubleValue: 0,
      longValue: 0,
      integerValue: 2048,
    });
    assert.deepEqual(byName(out, 'PORTS')?.stringSetValue, ['22', '2375', '2376', '51678', '51679']);
    assert.deepEqual(byName(out, 'PORTS_UDP')?.stringSetValue, []);
  });

  it('turns GPUs into a GPU set and keeps user-defined resources', () => {
    const out = registeredResources(
      [...agentResources, { name: 'NEURON_CORES', type: 'INTEGER', integerValue: 2 }],
      [
        { id: 'GPU-1', type: 'GPU' },
        { id: 'GPU-2', type: 'GPU' },
      ],
    );
    assert.deepEqual(byName(out, 'GPU')?.stringSetValue, ['GPU-1', 'GPU-2']);
    assert.equal(byName(out, 'NEURON_CORES')?.integerValue, 2);
  });

  it('reads a missing port set as empty and writes ports canonically, each once', () => {
    const out = registeredResources(
      [
        { name: 'CPU', type: 'INTEGER', integerValue: 1024 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: 512 },
        { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['022', '22', '80'] },
        { name: 'PORTS_UDP', type: 'STRINGSET' },
      ],
      [],
    );
    assert.deepEqual(byName(out, 'PORTS')?.stringSetValue, ['22', '80']);
    assert.deepEqual(byName(out, 'PORTS_UDP')?.stringSetValue, []);
  });

  const refusals: [string, Resource[], string][] = [
    ['no resources', [], 'must include CPU'],
    ['no MEMORY', [{ name: 'CPU', type: 'INTEGER', integerValue: 1 }], 'must include MEMORY'],
    ['a repeated name', [agentResources[0] as Resource, ...agentResources], "lists 'CPU' more than once"],
    [
      'CPU as a set',
      [{ name: 'CPU', type: 'STRINGSET', stringSetValue: ['1'] }],
      "'CPU' must have type INTEGER",
    ],
    ['an unknown type', [{ name: 'CPU', type: 'FLOAT', integerValue: 1 }], 'valid types are'],
    ['a missing value', [{ name: 'CPU', type: 'INTEGER' }], "needs a value in 'integerValue'"],
    ['negative memory', [{ name: 'MEMORY', type: 'INTEGER', integerValue: -1 }], "can't be negative"],
    ['a nameless entry', [{ type: 'INTEGER', integerValue: 1 }], 'needs a name'],
    ['a port that is not a number', [{ name: 'PORTS', type: 'STRINGSET', stringSetValue: ['ssh'] }], "'ssh'"],
    ['port 0', [{ name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: ['0'] }], 'not a port number'],
    ['port 65536', [{ name: 'PORTS', type: 'STRINGSET', stringSetValue: ['65536'] }], 'not a port number'],
    [
      'too many reserved ports',
      [
        {
          name: 'PORTS',
          type: 'STRINGSET',
          stringSetValue: Array.from({ length: MAX_RESERVED_PORTS + 1 }, (_, i) => String(1000 + i)),
        },
      ],
      'at most 100',
    ],
  ];
  for (const [label, resources, fragment] of refusals) {
    it(`refuses ${label}`, () => {
      expectApiError(() => registeredResources(resources, []), 'InvalidParameterException', fragment);
    });
  }

  it('refuses repeated GPU ids and GPUs given twice', () => {
    expectApiError(
      () =>
        registeredResources(agentResources, [
          { id: 'g', type: 'GPU' },
          { id: 'g', type: 'GPU' },
        ]),
      'InvalidParameterException',
      'more than once',
    );
    expectApiError(
      () =>
        registeredResources(
          [...agentResources, { name: 'GPU', type: 'STRINGSET', stringSetValue: ['a'] }],
          [{ id: 'b', type: 'GPU' }],
        ),
      'InvalidParameterException',
      'not both',
    );
  });
});

describe('taskReservation', () => {
  it('takes task-level cpu and memory, in any spelling ECS accepts', () => {
    const r = taskReservation(
      taskRecord({ cpu: '0.5 vCPU', memory: '1GB', containers: [containerRecord('a', { cpu: '999' })] }),
    );
    assert.equal(r.cpu, 512);
    assert.equal(r.memory, 1024);
  });

  it('adds up containers without task-level sizes, the reservation before the hard limit', () => {
    const task = taskRecord({
      containers: [
        containerRecord('a', { cpu: '128', memory: '512', memoryReservation: '256' }),
        containerRecord('b', { cpu: '64', memory: '100' }),
        containerRecord('c'),
      ],
    });
    const r = taskReservation(task);
    assert.equal(r.cpu, 192);
    assert.equal(r.memory, 356);
  });

  it('collects bound host ports by protocol and assigned GPUs', () => {
    const r = taskReservation(
      taskRecord({
        containers: [
          containerRecord('a', {
            networkBindings: [
              { containerPort: 80, hostPort: 8080 },
              { containerPort: 53, hostPort: 5353, protocol: 'udp' },
              { containerPort: 81, hostPort: 0, protocol: 'tcp' },
            ],
            gpuIds: ['GPU-1'],
          }),
        ],
      }),
    );
    assert.deepEqual(r.tcpPorts, [8080]);
    assert.deepEqual(r.udpPorts, [5353]);
    assert.deepEqual(r.gpuIds, ['GPU-1']);
  });
});

describe('remainingResources', () => {
  const registered = [
    ...registeredResources(agentResources, [
      { id: 'GPU-1', type: 'GPU' },
      { id: 'GPU-2', type: 'GPU' },
    ]),
    resource('WIDGETS', 'LONG', { long: 7 }),
  ];

  it('equals the registered resources when nothing runs', () => {
    assert.deepEqual(remainingResources(registered, []), registered);
  });

  it('subtracts cpu and memory, adds bound ports and removes assigned GPUs', () => {
    const left = remainingResources(registered, [
      { cpu: 100, memory: 100, tcpPorts: [80], udpPorts: [], gpuIds: ['GPU-2'] },
      { cpu: 256, memory: 512, tcpPorts: [8080, 22], udpPorts: [5353], gpuIds: [] },
    ]);
    assert.equal(byName(left, 'CPU')?.integerValue, 2048 - 356);
    assert.equal(byName(left, 'MEMORY')?.integerValue, 3768 - 612);
    assert.deepEqual(byName(left, 'PORTS')?.stringSetValue, [
      '22',
      '2375',
      '2376',
      '51678',
      '51679',
      '80',
      '8080',
    ]);
    assert.deepEqual(byName(left, 'PORTS_UDP')?.stringSetValue, ['5353']);
    assert.deepEqual(byName(left, 'GPU')?.stringSetValue, ['GPU-1']);
    assert.equal(byName(left, 'WIDGETS')?.longValue, 7);
  });

  it('shows an over-commitment as a negative value rather than hiding it', () => {
    const left = remainingResources(registered, [
      { cpu: 4096, memory: 0, tcpPorts: [], udpPorts: [], gpuIds: [] },
    ]);
    assert.equal(byName(left, 'CPU')?.integerValue, -2048);
  });

  it('does not change the registered resources it is given', () => {
    const before = JSON.stringify(registered);
    remainingResources(registered, [{ cpu: 1, memory: 1, tcpPorts: [1], udpPorts: [2], gpuIds: ['GPU-1'] }]);
    assert.equal(JSON.stringify(registered), before);
  });
});

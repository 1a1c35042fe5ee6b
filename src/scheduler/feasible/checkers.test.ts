/** Each checker on its own: the cases that pass and the reason of each that does not. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REASONS } from '../reasons.js';
import { CHECKERS } from '../stack.js';
import { instance, requirements, running } from '../testing/fixtures.js';
import type { InstanceSpec, RequirementSpec } from '../testing/fixtures.js';
import { agentConnected } from './agent-connected.js';
import { firstRejection, type Checker } from './checker.js';
import { distinctInstance, memberOf } from './constraints.js';
import { instanceActive } from './instance-status.js';
import { tcpPortsFree, udpPortsFree } from './ports.js';
import { requiredAttributes } from './required-attributes.js';
import { cpuFits, gpusFree, memoryFits } from './resources.js';

interface Case {
  readonly name: string;
  readonly checker: Checker;
  readonly instance?: InstanceSpec;
  readonly task?: RequirementSpec;
  readonly want: string | undefined;
}

const CASES: readonly Case[] = [
  { name: 'ACTIVE passes', checker: instanceActive, want: undefined },
  {
    name: 'DRAINING is refused',
    checker: instanceActive,
    instance: { status: 'DRAINING' },
    want: 'DRAINING',
  },
  {
    name: 'INACTIVE is refused',
    checker: instanceActive,
    instance: { status: 'INACTIVE' },
    want: 'INACTIVE',
  },
  { name: 'connected agent passes', checker: agentConnected, want: undefined },
  {
    name: 'disconnected agent is AGENT',
    checker: agentConnected,
    instance: { agentConnected: false },
    want: REASONS.agent,
  },
  {
    name: 'required capability present',
    checker: requiredAttributes,
    instance: { attributes: { 'ecs.capability.container-health-check': undefined } },
    task: { requiresAttributes: [{ name: 'ecs.capability.container-health-check' }] },
    want: undefined,
  },
  {
    name: 'required capability missing is ATTRIBUTE',
    checker: requiredAttributes,
    task: { requiresAttributes: [{ name: 'ecs.capability.container-health-check' }] },
    want: REASONS.attribute,
  },
  {
    name: 'required attribute with the wrong value is ATTRIBUTE',
    checker: requiredAttributes,
    instance: { attributes: { 'ecs.os-type': 'windows' } },
    task: { requiresAttributes: [{ name: 'ecs.os-type', value: 'linux' }] },
    want: REASONS.attribute,
  },
  { name: 'cpu that fits exactly', checker: cpuFits, instance: { cpu: 256 }, want: undefined },
  { name: 'cpu over by one', checker: cpuFits, instance: { cpu: 255 }, want: REASONS.cpu },
  {
    name: 'cpu taken by a running task',
    checker: cpuFits,
    instance: { cpu: 512, tasks: [running('other', { cpu: 300 })] },
    want: REASONS.cpu,
  },
  {
    name: 'a task reserving no cpu fits anywhere',
    checker: cpuFits,
    instance: { cpu: 0 },
    task: { cpu: 0 },
    want: undefined,
  },
  { name: 'memory that fits exactly', checker: memoryFits, instance: { memory: 512 }, want: undefined },
  {
    name: 'memory held by a task asked to stop still counts',
    checker: memoryFits,
    instance: { memory: 1024, tasks: [running('other', { memory: 600 }, false)] },
    want: REASONS.memory,
  },
  { name: 'free static port', checker: tcpPortsFree, task: { tcpPorts: [8080] }, want: undefined },
  {
    name: 'port reserved by the agent is RESOURCE:PORTS',
    checker: tcpPortsFree,
    task: { tcpPorts: [22] },
    want: REASONS.ports,
  },
  {
    name: 'port held by another task is RESOURCE:PORTS',
    checker: tcpPortsFree,
    instance: { tasks: [running('other', { tcpPorts: [8080] })] },
    task: { tcpPorts: [8080] },
    want: REASONS.ports,
  },
  {
    name: 'the same number over UDP does not clash with TCP',
    checker: tcpPortsFree,
    instance: { tasks: [running('other', { udpPorts: [8080] })] },
    task: { tcpPorts: [8080] },
    want: undefined,
  },
  {
    name: 'UDP port held is RESOURCE:PORTS_UDP',
    checker: udpPortsFree,
    instance: { tasks: [running('other', { udpPorts: [53] })] },
    task: { udpPorts: [53] },
    want: REASONS.ports_udp,
  },
  {
    name: 'free GPUs',
    checker: gpusFree,
    instance: { gpuIds: ['g0', 'g1'], tasks: [running('other', { gpuIds: ['g0'] })] },
    task: { gpus: 1 },
    want: undefined,
  },
  {
    name: 'GPUs all taken is RESOURCE:GPU',
    checker: gpusFree,
    instance: { gpuIds: ['g0'], tasks: [running('other', { gpuIds: ['g0'] })] },
    task: { gpus: 1 },
    want: REASONS.gpu,
  },
  {
    name: 'memberOf satisfied',
    checker: memberOf,
    instance: { attributes: { 'ecs.cpu-architecture': 'arm64' } },
    task: { memberOf: ['attribute:ecs.cpu-architecture == arm64'] },
    want: undefined,
  },
  {
    name: 'memberOf unsatisfied, in ECS words',
    checker: memberOf,
    instance: { attributes: { 'ecs.cpu-architecture': 'x86_64' } },
    task: { memberOf: ['attribute:ecs.cpu-architecture == arm64'] },
    want: 'MemberOf placement constraint unsatisfied.',
  },
  {
    name: 'memberOf sees task groups',
    checker: memberOf,
    instance: { tasks: [running('database')] },
    task: { memberOf: ['not(task:group == database)'] },
    want: REASONS.memberOf,
  },
  {
    name: 'every memberOf constraint must hold',
    checker: memberOf,
    instance: { attributes: { color: 'red' } },
    task: { memberOf: ['attribute:color == red', 'runningTasksCount > 3'] },
    want: REASONS.memberOf,
  },
  {
    name: 'distinctInstance with no task of the group',
    checker: distinctInstance,
    instance: { tasks: [running('family:other')] },
    task: { distinctInstance: true },
    want: undefined,
  },
  {
    name: 'distinctInstance with a task of the group, in ECS words',
    checker: distinctInstance,
    instance: { tasks: [running('family:web')] },
    task: { distinctInstance: true },
    want: 'DistinctInstance placement constraint unsatisfied.',
  },
  {
    name: 'distinctInstance ignores a task of the group that is being stopped',
    checker: distinctInstance,
    instance: { tasks: [running('family:web', {}, false)] },
    task: { distinctInstance: true },
    want: undefined,
  },
];

describe('feasibility checkers', () => {
  for (const c of CASES) {
    it(`${c.checker.name}: ${c.name}`, () => {
      assert.equal(c.checker.check(instance('i1', c.instance), requirements(c.task)), c.want);
    });
  }

  it('report the first rejection in stack order', () => {
    const tired = instance('i1', { status: 'DRAINING', agentConnected: false, memory: 1 });
    assert.equal(firstRejection(CHECKERS, tired, requirements()), 'DRAINING');
    const offline = instance('i1', { agentConnected: false, memory: 1 });
    assert.equal(firstRejection(CHECKERS, offline, requirements()), 'AGENT');
    const small = instance('i1', { memory: 1, cpu: 1 });
    assert.equal(firstRejection(CHECKERS, small, requirements()), 'RESOURCE:CPU');
    const full = instance('i1', { memory: 1, attributes: {} });
    assert.equal(
      firstRejection(CHECKERS, full, requirements({ memberOf: ['attribute:x exists'] })),
      'RESOURCE:MEMORY',
    );
    assert.equal(firstRejection(CHECKERS, instance('i1'), requirements()), undefined);
  });
});

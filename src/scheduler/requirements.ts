/**
 * What one task of a task definition needs from an instance, with the run's overrides applied: the numbers
 * the feasibility checkers compare against a snapshot. Pure; the API layer validates the request first, so
 * here every value is already well-formed.
 *
 * - CPU units: the task-level `cpu` when set (or overridden), else the sum of the containers' `cpu`.
 * - Memory (MiB): the task-level `memory` when set, else the sum over containers of `memoryReservation`,
 *   else `memory` (ECS reserves the soft limit when there is one).
 * - Host ports: static ones must be free on the instance (bridge: `hostPort` > 0; host: the container port
 *   itself); dynamic ones (bridge without a host port, and port ranges) are chosen by Docker on the host, so
 *   they are counted but not reserved here.
 */
import type {
  ContainerDefinition,
  ContainerOverride,
  PlacementConstraint,
  TaskDefinition,
  TaskOverride,
} from '@aws-sdk/client-ecs';
import { parseCpuUnits, parseMemoryMiB } from '../domain/task-definition/units.js';
import { hostPortOf } from '../domain/task-definition/validate-ports.js';
import { compileQuery, parseQuery, type QueryPredicate } from '../query/index.js';
import type { StaticPorts } from './snapshot.js';

/** A parsed `memberOf` constraint. */
export interface MemberOf {
  readonly expression: string;
  readonly matches: QueryPredicate;
}

export interface RequiredAttribute {
  readonly name: string;
  readonly value?: string;
}

export interface TaskRequirements {
  /** The task group: spread and distinctInstance count the tasks of this group. */
  readonly group: string;
  readonly cpu: number;
  readonly memory: number;
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
  /** Host ports Docker will pick; informational, since the ephemeral range is Docker's to manage. */
  readonly dynamicPorts: number;
  readonly gpus: number;
  readonly requiresAttributes: readonly RequiredAttribute[];
  readonly memberOf: readonly MemberOf[];
  readonly distinctInstance: boolean;
}

export interface RequirementOptions {
  readonly group: string;
  readonly overrides?: TaskOverride;
  /** The task definition's constraints and the request's, already validated. */
  readonly constraints?: readonly PlacementConstraint[];
}

export function taskRequirements(definition: TaskDefinition, o: RequirementOptions): TaskRequirements {
  const containers = effectiveContainers(definition, o.overrides);
  const taskCpu = o.overrides?.cpu ?? definition.cpu;
  const taskMemory = o.overrides?.memory ?? definition.memory;
  const ports = staticHostPorts(definition);
  const constraints = o.constraints ?? [];
  return Object.freeze({
    group: o.group,
    cpu:
      taskCpu !== undefined
        ? (parseCpuUnits(taskCpu) ?? 0)
        : containers.reduce((sum, c) => sum + (c.cpu ?? 0), 0),
    memory:
      taskMemory !== undefined
        ? (parseMemoryMiB(taskMemory) ?? 0)
        : containers.reduce((sum, c) => sum + (c.memoryReservation ?? c.memory ?? 0), 0),
    tcpPorts: ports.tcp,
    udpPorts: ports.udp,
    dynamicPorts: dynamicPortCount(definition),
    gpus: containerGpuCounts(definition, o.overrides).reduce((sum, c) => sum + c.count, 0),
    requiresAttributes: Object.freeze(
      (definition.requiresAttributes ?? []).map((a) => ({
        name: a.name ?? '',
        ...(a.value !== undefined && { value: a.value }),
      })),
    ),
    memberOf: Object.freeze(
      constraints.filter((c) => c.type === 'memberOf').map((c) => compileMemberOf(c.expression ?? '')),
    ),
    distinctInstance: constraints.some((c) => c.type === 'distinctInstance'),
  });
}

/** Parses a `memberOf` expression; throws the query language's `QuerySyntaxError` when it is not valid. */
export function compileMemberOf(expression: string): MemberOf {
  return Object.freeze({ expression, matches: compileQuery(parseQuery(expression)) });
}

/** The static host ports a task of this definition binds, per protocol, each once. */
export function staticHostPorts(definition: TaskDefinition): StaticPorts {
  const facts = { networkMode: definition.networkMode ?? 'bridge' };
  const tcp = new Set<number>();
  const udp = new Set<number>();
  if (facts.networkMode === 'none') return { tcp: [], udp: [] };
  for (const c of definition.containerDefinitions ?? []) {
    for (const p of c.portMappings ?? []) {
      const host = hostPortOf(p, facts);
      if (host === undefined || host === 0) continue;
      (p.protocol === 'udp' ? udp : tcp).add(host);
    }
  }
  return Object.freeze({ tcp: Object.freeze([...tcp]), udp: Object.freeze([...udp]) });
}

/** How many host ports Docker picks: bridge mappings without a host port, and every port of a range. */
function dynamicPortCount(definition: TaskDefinition): number {
  if ((definition.networkMode ?? 'bridge') !== 'bridge') return 0;
  let count = 0;
  for (const c of definition.containerDefinitions ?? []) {
    for (const p of c.portMappings ?? []) {
      if (p.containerPortRange !== undefined) {
        const [from = 0, to = 0] = p.containerPortRange.split('-').map(Number);
        count += to - from + 1;
      } else if (p.hostPort === undefined || p.hostPort === 0) {
        count++;
      }
    }
  }
  return count;
}

/** GPUs each container asks for (`resourceRequirements` of type GPU; an override replaces the list). */
export function containerGpuCounts(
  definition: TaskDefinition,
  overrides: TaskOverride | undefined,
): { readonly name: string; readonly count: number }[] {
  return effectiveContainers(definition, overrides).map((c) => ({
    name: c.name ?? '',
    count: (c.resourceRequirements ?? [])
      .filter((r) => r.type === 'GPU')
      .reduce((sum, r) => sum + (Number(r.value) || 0), 0),
  }));
}

/** The containers with the reservation fields of their overrides applied. */
function effectiveContainers(
  definition: TaskDefinition,
  overrides: TaskOverride | undefined,
): ContainerDefinition[] {
  const byName = new Map<string, ContainerOverride>(
    (overrides?.containerOverrides ?? []).map((o) => [o.name ?? '', o]),
  );
  return (definition.containerDefinitions ?? []).map((c) => {
    const o = byName.get(c.name ?? '');
    if (o === undefined) return c;
    return {
      ...c,
      ...(o.cpu !== undefined && { cpu: o.cpu }),
      ...(o.memory !== undefined && { memory: o.memory }),
      ...(o.memoryReservation !== undefined && { memoryReservation: o.memoryReservation }),
      ...(o.resourceRequirements !== undefined && { resourceRequirements: o.resourceRequirements }),
    };
  });
}

/**
 * The resources of a container instance: what its agent registers (`totalResources`, `platformDevices`) and
 * what is left once its tasks have taken their share. Pure, so the arithmetic is unit-tested on its own.
 *
 * The agent registers CPU (INTEGER, 1024 units per core), MEMORY (INTEGER, MiB), PORTS and PORTS_UDP
 * (STRINGSET of reserved host ports). ECS also documents user-defined resources, so other names are kept as
 * long as their type and value agree. GPUs arrive as `platformDevices` and are shown as a `GPU` STRINGSET of
 * device ids, as ECS shows them.
 */
import { placedTask } from '../../scheduler/snapshot.js';
import type { PlatformDevice, Resource } from '@aws-sdk/client-ecs';
import type { TaskRecord } from '../../domain/task-record.js';
import { invalidParameter } from '../../ecs/errors.js';

/** The documented cap on reserved ports of an instance (PortMapping.hostPort), applied to each protocol. */
export const MAX_RESERVED_PORTS = 100;

const TYPES = ['INTEGER', 'LONG', 'DOUBLE', 'STRINGSET'] as const;
type ResourceType = (typeof TYPES)[number];
const KNOWN: Readonly<Record<string, ResourceType>> = {
  CPU: 'INTEGER',
  MEMORY: 'INTEGER',
  PORTS: 'STRINGSET',
  PORTS_UDP: 'STRINGSET',
};
const VALUE_FIELD = {
  INTEGER: 'integerValue',
  LONG: 'longValue',
  DOUBLE: 'doubleValue',
  STRINGSET: 'stringSetValue',
} as const satisfies Record<ResourceType, keyof Resource>;
const PORT = /^\d{1,5}$/;

function isType(value: string | undefined): value is ResourceType {
  return (TYPES as readonly (string | undefined)[]).includes(value);
}

/**
 * A resource in the form ECS returns it: every numeric field present (0 when unused), `stringSetValue` only
 * for sets. Tools read `integerValue` without checking `type`, so the zeros matter.
 */
export function resource(
  name: string,
  type: ResourceType,
  value: { integer?: number; long?: number; double?: number; set?: readonly string[] },
): Resource {
  return {
    name,
    type,
    doubleValue: value.double ?? 0,
    longValue: value.long ?? 0,
    integerValue: value.integer ?? 0,
    ...(type === 'STRINGSET' && { stringSetValue: [...(value.set ?? [])] }),
  };
}

/** Validates what an agent registers and returns the instance's registered resources. */
export function registeredResources(
  total: readonly Resource[] | undefined,
  devices: readonly PlatformDevice[] | undefined,
): Resource[] {
  const out: Resource[] = [];
  const seen = new Set<string>();
  for (const r of total ?? []) {
    const checked = checkResource(r);
    if (seen.has(checked.name ?? '')) {
      throw invalidParameter(
        `totalResources lists '${checked.name}' more than once. Give each resource once.`,
      );
    }
    seen.add(checked.name ?? '');
    out.push(checked);
  }
  for (const required of ['CPU', 'MEMORY']) {
    if (!seen.has(required)) {
      throw invalidParameter(
        `totalResources must include ${required} (type INTEGER): the CPU units (1024 per core) and the ` +
          `memory in MiB that tasks may use on this instance.`,
      );
    }
  }
  const gpus = gpuIds(devices);
  if (gpus.length > 0) {
    if (seen.has('GPU')) {
      throw invalidParameter('Give GPUs either as platformDevices or as a GPU resource, not both.');
    }
    out.push(resource('GPU', 'STRINGSET', { set: gpus }));
  }
  return out;
}

function checkResource(r: Resource): Resource {
  const name = r.name;
  if (name === undefined || name === '')
    throw invalidParameter('Every entry of totalResources needs a name.');
  const expected = KNOWN[name];
  const type = r.type;
  if (!isType(type)) {
    throw invalidParameter(
      `Resource '${name}' has type '${type ?? ''}'; valid types are ${TYPES.join(', ')}` +
        (expected ? ` (${name} is ${expected}).` : '.'),
    );
  }
  if (expected !== undefined && type !== expected) {
    throw invalidParameter(`Resource '${name}' must have type ${expected}; got ${type}.`);
  }
  const field = VALUE_FIELD[type];
  // An absent set is an empty one (an agent with no reserved UDP ports may leave the list out).
  if (type !== 'STRINGSET' && r[field] === undefined) {
    throw invalidParameter(`Resource '${name}' of type ${type} needs a value in '${field}'.`);
  }
  switch (type) {
    case 'STRINGSET': {
      const set = r.stringSetValue ?? [];
      return resource(name, type, { set: name.startsWith('PORTS') ? ports(name, set) : unique(set) });
    }
    case 'INTEGER':
      nonNegative(name, r.integerValue ?? 0);
      return resource(name, type, { integer: r.integerValue ?? 0 });
    case 'LONG':
      nonNegative(name, r.longValue ?? 0);
      return resource(name, type, { long: r.longValue ?? 0 });
    case 'DOUBLE':
      nonNegative(name, r.doubleValue ?? 0);
      return resource(name, type, { double: r.doubleValue ?? 0 });
  }
}

function nonNegative(name: string, value: number): void {
  if (!(value >= 0)) throw invalidParameter(`Resource '${name}' can't be negative; got ${value}.`);
}

/** Reserved ports as canonical decimal strings, in the order given, each once. */
function ports(name: string, values: readonly string[]): string[] {
  const out = unique(
    values.map((text) => {
      const n = PORT.test(text) ? Number(text) : NaN;
      if (!(n >= 1 && n <= 65535)) {
        throw invalidParameter(`Resource '${name}' lists '${text}', which is not a port number (1-65535).`);
      }
      return String(n);
    }),
  );
  if (out.length > MAX_RESERVED_PORTS) {
    throw invalidParameter(
      `Resource '${name}' reserves ${out.length} ports; an instance can reserve at most ${MAX_RESERVED_PORTS}.`,
    );
  }
  return out;
}

function gpuIds(devices: readonly PlatformDevice[] | undefined): string[] {
  const ids = (devices ?? []).map((d) => {
    if (d.id === undefined || d.id === '') throw invalidParameter('Every platform device needs an id.');
    return d.id;
  });
  if (new Set(ids).size !== ids.length) {
    throw invalidParameter('platformDevices lists a device id more than once. Give each device once.');
  }
  return ids;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** What one task holds on its instance. */
export interface Reservation {
  readonly cpu: number;
  readonly memory: number;
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
  readonly gpuIds: readonly string[];
}

/**
 * A task's share: its task-level cpu and memory when set, else the sum over its containers (memory
 * reservation if set, else the hard limit, as placement counts it); the host ports its containers are bound
 * to; the GPUs assigned to them.
 */
export function taskReservation(task: TaskRecord): Reservation {
  // The scheduler's accounting, so what DescribeContainerInstances shows as remaining is what placement uses.
  return placedTask(task, { tcp: [], udp: [] }).held;
}

/**
 * Registered resources minus what the tasks hold. CPU and memory are subtracted (never clamped: a negative
 * value shows an over-commitment instead of hiding it); the port sets list the agent's reserved ports plus the
 * ports tasks are bound to, as ECS reports them; GPU ids in use leave the GPU set.
 */
export function remainingResources(
  registered: readonly Resource[],
  reservations: readonly Reservation[],
): Resource[] {
  const total = (pick: (r: Reservation) => number): number =>
    reservations.reduce((sum, r) => sum + pick(r), 0);
  const used = {
    CPU: total((r) => r.cpu),
    MEMORY: total((r) => r.memory),
    PORTS: reservations.flatMap((r) => r.tcpPorts.map(String)),
    PORTS_UDP: reservations.flatMap((r) => r.udpPorts.map(String)),
    GPU: new Set(reservations.flatMap((r) => r.gpuIds)),
  };
  return registered.map((r) => {
    switch (r.name) {
      case 'CPU':
      case 'MEMORY':
        return { ...r, integerValue: (r.integerValue ?? 0) - used[r.name] };
      case 'PORTS':
      case 'PORTS_UDP':
        return { ...r, stringSetValue: unique([...(r.stringSetValue ?? []), ...used[r.name]]) };
      case 'GPU':
        return { ...r, stringSetValue: (r.stringSetValue ?? []).filter((id) => !used.GPU.has(id)) };
      default:
        return { ...r, ...(r.stringSetValue && { stringSetValue: [...r.stringSetValue] }) };
    }
  });
}

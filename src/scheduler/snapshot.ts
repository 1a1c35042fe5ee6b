/**
 * The scheduler's read-only view of a cluster: its container instances, what each registered, and what the
 * tasks placed on each hold. Built once per decision from the store's records (the applier reads them) and
 * never mutated: placing a task yields a new snapshot (`withPlacement`) that shares everything else, so a
 * batch of placements sees the earlier ones and no caller can observe a half-updated view.
 *
 * A task holds its share from the moment it is placed (PENDING) until it has STOPPED, whatever its desired
 * status: a task asked to stop still occupies its host until the agent reports it gone.
 */
import type { InstanceRecord } from '../domain/instance-record.js';
import type { TaskRecord } from '../domain/task-record.js';
import { parseCpuUnits, parseMemoryMiB } from '../domain/task-definition/units.js';
import type { QueryInstance } from '../query/index.js';

/** What one task takes from its instance. */
export interface Held {
  readonly cpu: number;
  readonly memory: number;
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
  readonly gpuIds: readonly string[];
}

export interface PlacedTask {
  readonly taskArn: string;
  readonly group?: string;
  /** Desired RUNNING: counts for `runningTasksCount`, `task:group`, spread and distinctInstance. */
  readonly desiredRunning: boolean;
  readonly held: Held;
}

/** What an instance offers: its registered resources (PORTS and PORTS_UDP are ports the agent reserved). */
export interface Capacity {
  readonly cpu: number;
  readonly memory: number;
  readonly reservedTcpPorts: ReadonlySet<number>;
  readonly reservedUdpPorts: ReadonlySet<number>;
  readonly gpuIds: readonly string[];
}

/** Totals over an instance's tasks, kept in step with `tasks`. */
export interface Usage {
  readonly cpu: number;
  readonly memory: number;
  readonly tcpPorts: ReadonlySet<number>;
  readonly udpPorts: ReadonlySet<number>;
  readonly gpuIds: ReadonlySet<string>;
}

export interface InstanceState {
  readonly arn: string;
  readonly id: string;
  readonly status: string;
  readonly agentConnected: boolean;
  /** name -> value; `undefined` for name-only capability attributes. */
  readonly attributes: ReadonlyMap<string, string | undefined>;
  /** Epoch milliseconds. */
  readonly registeredAt: number;
  readonly agentVersion?: string;
  readonly ec2InstanceId?: string;
  readonly capacity: Capacity;
  readonly tasks: readonly PlacedTask[];
  readonly used: Usage;
  /** Desired-RUNNING tasks per group. */
  readonly groups: ReadonlyMap<string, number>;
  readonly runningTasksCount: number;
}

export interface ClusterSnapshot {
  /** In ARN order, so every decision over the same state is the same. */
  readonly instances: readonly InstanceState[];
  readonly byArn: ReadonlyMap<string, InstanceState>;
}

/** An instance as the snapshot needs it, before its tasks are added. */
export type InstanceBase = Omit<InstanceState, 'tasks' | 'used' | 'groups' | 'runningTasksCount'>;

const EMPTY_USAGE: Usage = Object.freeze({
  cpu: 0,
  memory: 0,
  tcpPorts: new Set<number>(),
  udpPorts: new Set<number>(),
  gpuIds: new Set<string>(),
});

/** An instance with the given tasks on it. */
export function instanceState(base: InstanceBase, tasks: readonly PlacedTask[] = []): InstanceState {
  let state: InstanceState = Object.freeze({
    ...base,
    tasks: Object.freeze([]),
    used: EMPTY_USAGE,
    groups: new Map(),
    runningTasksCount: 0,
  });
  for (const task of tasks) state = withTask(state, task);
  return state;
}

/** The instance with one more task on it. */
export function withTask(instance: InstanceState, task: PlacedTask): InstanceState {
  const used = instance.used;
  const held = task.held;
  const groups = new Map(instance.groups);
  if (task.desiredRunning && task.group !== undefined)
    groups.set(task.group, (groups.get(task.group) ?? 0) + 1);
  return Object.freeze({
    ...instance,
    tasks: Object.freeze([...instance.tasks, Object.freeze(task)]),
    used: Object.freeze({
      cpu: used.cpu + held.cpu,
      memory: used.memory + held.memory,
      tcpPorts: new Set([...used.tcpPorts, ...held.tcpPorts]),
      udpPorts: new Set([...used.udpPorts, ...held.udpPorts]),
      gpuIds: new Set([...used.gpuIds, ...held.gpuIds]),
    }),
    groups,
    runningTasksCount: instance.runningTasksCount + (task.desiredRunning ? 1 : 0),
  });
}

export function clusterSnapshot(instances: readonly InstanceState[]): ClusterSnapshot {
  const sorted = [...instances].sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  return Object.freeze({
    instances: Object.freeze(sorted),
    byArn: new Map(sorted.map((i) => [i.arn, i])),
  });
}

/** The snapshot after placing `task` on the instance `arn` (unchanged when there is no such instance). */
export function withPlacement(snapshot: ClusterSnapshot, arn: string, task: PlacedTask): ClusterSnapshot {
  const before = snapshot.byArn.get(arn);
  if (before === undefined) return snapshot;
  const after = withTask(before, task);
  const byArn = new Map(snapshot.byArn);
  byArn.set(arn, after);
  return Object.freeze({
    instances: Object.freeze(snapshot.instances.map((i) => (i.arn === arn ? after : i))),
    byArn,
  });
}

/**
 * The snapshot without the task `taskArn` on instance `arn` (as if it had stopped): scale-in decides its
 * victims one at a time, each on a view that no longer holds the earlier ones.
 */
export function withoutTask(snapshot: ClusterSnapshot, arn: string, taskArn: string): ClusterSnapshot {
  const before = snapshot.byArn.get(arn);
  if (before === undefined || !before.tasks.some((t) => t.taskArn === taskArn)) return snapshot;
  const { tasks, used: _used, groups: _groups, runningTasksCount: _count, ...base } = before;
  const after = instanceState(
    base,
    tasks.filter((t) => t.taskArn !== taskArn),
  );
  const byArn = new Map(snapshot.byArn);
  byArn.set(arn, after);
  return Object.freeze({
    instances: Object.freeze(snapshot.instances.map((i) => (i.arn === arn ? after : i))),
    byArn,
  });
}

/**
 * The snapshot with the instance `base` describes added or updated (its tasks kept): an instance registered,
 * drained, reconnected or given new attributes.
 */
export function withInstance(snapshot: ClusterSnapshot, base: InstanceBase): ClusterSnapshot {
  const before = snapshot.byArn.get(base.arn);
  const after = instanceState(base, before?.tasks ?? []);
  if (before === undefined) return clusterSnapshot([...snapshot.instances, after]);
  const byArn = new Map(snapshot.byArn);
  byArn.set(base.arn, after);
  return Object.freeze({
    instances: Object.freeze(snapshot.instances.map((i) => (i.arn === base.arn ? after : i))),
    byArn,
  });
}

/** The snapshot without the instance `arn` (deregistered: it takes no tasks and holds none). */
export function withoutInstance(snapshot: ClusterSnapshot, arn: string): ClusterSnapshot {
  if (!snapshot.byArn.has(arn)) return snapshot;
  return clusterSnapshot(snapshot.instances.filter((i) => i.arn !== arn));
}

export function remainingCpu(instance: InstanceState): number {
  return instance.capacity.cpu - instance.used.cpu;
}

export function remainingMemory(instance: InstanceState): number {
  return instance.capacity.memory - instance.used.memory;
}

/** GPU ids registered and not held by any task, in registration order. */
export function freeGpuIds(instance: InstanceState): string[] {
  return instance.capacity.gpuIds.filter((id) => !instance.used.gpuIds.has(id));
}

/** What the cluster query language (memberOf) sees of an instance right now. */
export function queryView(instance: InstanceState): QueryInstance {
  return {
    agentConnected: instance.agentConnected,
    ...(instance.agentVersion !== undefined && { agentVersion: instance.agentVersion }),
    attributes: instance.attributes,
    ...(instance.ec2InstanceId !== undefined && { ec2InstanceId: instance.ec2InstanceId }),
    registeredAt: instance.registeredAt,
    runningTasksCount: instance.runningTasksCount,
    taskGroups: [...instance.groups.keys()],
  };
}

// ---- From the store's records (ECS API objects) -------------------------------------------------------

/** Static host ports a task's definition binds, per protocol (see `staticHostPorts` in requirements.ts). */
export interface StaticPorts {
  readonly tcp: readonly number[];
  readonly udp: readonly number[];
}

export function instanceBase(instance: InstanceRecord): InstanceBase {
  const resources = instance.registeredResources;
  const integer = (name: string): number => resources.find((r) => r.name === name)?.integerValue ?? 0;
  const set = (name: string): string[] => resources.find((r) => r.name === name)?.stringSetValue ?? [];
  const arn = instance.containerInstanceArn;
  return {
    arn,
    id: arn.split('/').pop() ?? '',
    status: instance.status,
    agentConnected: instance.agentConnected === true,
    attributes: new Map(instance.attributes.map((a) => [a.name ?? '', a.value])),
    registeredAt: instance.registeredAt.getTime(),
    ...(instance.versionInfo?.agentVersion !== undefined && {
      agentVersion: instance.versionInfo.agentVersion,
    }),
    ...(instance.ec2InstanceId !== undefined && { ec2InstanceId: instance.ec2InstanceId }),
    capacity: Object.freeze({
      cpu: integer('CPU'),
      memory: integer('MEMORY'),
      reservedTcpPorts: new Set(set('PORTS').map(Number)),
      reservedUdpPorts: new Set(set('PORTS_UDP').map(Number)),
      gpuIds: Object.freeze(set('GPU')),
    }),
  };
}

/**
 * What a stored task holds: its recorded cpu and memory (RunTask records the task's effective reservation
 * there; for other tasks the sum over containers of memoryReservation, else memory), the static host ports of
 * its definition (a PENDING task has no bindings yet but will need them) plus every host port it is bound to
 * (dynamic ones included, once the agent reports them), and the GPUs assigned to its containers.
 */
export function placedTask(task: TaskRecord, staticPorts: StaticPorts): PlacedTask {
  const containers = task.containers;
  const sum = (values: readonly (string | number | undefined)[]): number =>
    values.reduce<number>((total, v) => total + wholeNumber(v), 0);
  const cpu = task.cpu !== undefined ? (parseCpuUnits(task.cpu) ?? 0) : sum(containers.map((c) => c.cpu));
  const memory =
    task.memory !== undefined
      ? (parseMemoryMiB(task.memory) ?? 0)
      : sum(containers.map((c) => c.memoryReservation ?? c.memory));
  const bindings = containers.flatMap((c) => c.networkBindings ?? []);
  const bound = (protocol: string): number[] =>
    bindings
      .filter((b) => (b.protocol ?? 'tcp') === protocol && (b.hostPort ?? 0) > 0)
      .map((b) => b.hostPort ?? 0);
  return Object.freeze({
    taskArn: task.taskArn,
    ...(task.group !== undefined && { group: task.group }),
    desiredRunning: task.desiredStatus !== 'STOPPED',
    held: Object.freeze({
      cpu,
      memory,
      tcpPorts: unique([...staticPorts.tcp, ...bound('tcp')]),
      udpPorts: unique([...staticPorts.udp, ...bound('udp')]),
      gpuIds: containers.flatMap((c) => c.gpuIds ?? []),
    }),
  });
}

/** A snapshot from instance records and the not-yet-stopped tasks of the cluster. */
export function snapshotFromRecords(
  instances: readonly InstanceRecord[],
  tasks: readonly { readonly task: TaskRecord; readonly staticPorts: StaticPorts }[],
): ClusterSnapshot {
  const byInstance = new Map<string, PlacedTask[]>();
  for (const { task, staticPorts } of tasks) {
    if (task.lastStatus === 'STOPPED') continue;
    const list = byInstance.get(task.containerInstanceArn) ?? [];
    list.push(placedTask(task, staticPorts));
    byInstance.set(task.containerInstanceArn, list);
  }
  return clusterSnapshot(
    instances.map((i) => instanceState(instanceBase(i), byInstance.get(i.containerInstanceArn) ?? [])),
  );
}

function wholeNumber(value: string | number | undefined): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value ?? '') ? Number(value) : 0;
  return Number.isFinite(n) ? n : 0;
}

function unique(values: readonly number[]): number[] {
  return [...new Set(values)];
}

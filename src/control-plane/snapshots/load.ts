/**
 * Reads what the scheduler needs of a cluster into a snapshot: its ACTIVE and DRAINING instances (a
 * deregistered one takes no tasks and is not part of the cluster any more) and every task that has not
 * stopped, with the static host ports of its definition (a task that has not started yet has no bindings to
 * show them). Called inside the applier's transaction, so what it reads cannot change before the plan based
 * on it is committed.
 */
import type { InstanceRecord } from '../../domain/instance-record.js';
import type { TaskRecord } from '../../domain/task-record.js';
import {
  snapshotFromRecords,
  staticHostPorts,
  type ClusterSnapshot,
  type StaticPorts,
} from '../../scheduler/index.js';
import { taskDefinitionByArn } from '../lookup/task-definition-by-arn.js';
import type { Page, PageRequest, Store } from '../store/types.js';

/** Large pages: the snapshot wants everything, and each page is one query. */
const CHUNK = 1000;
const NO_PORTS: StaticPorts = { tcp: [], udp: [] };

/** `ports` remembers each definition's static host ports across calls (definitions never change). */
export async function loadSnapshot(
  tx: Store,
  clusterArn: string,
  ports: Map<string, StaticPorts> = new Map(),
): Promise<ClusterSnapshot> {
  const instances = await everything<InstanceRecord>((page) =>
    tx.containerInstances.list({ clusterArn, statuses: ['ACTIVE', 'DRAINING'] }, page),
  );
  const tasks = await everything<TaskRecord>((page) =>
    tx.tasks.list({ clusterArn, lastStatusNot: 'STOPPED' }, page),
  );
  for (const arn of new Set(tasks.map((t) => t.taskDefinitionArn))) await staticPortsOf(tx, arn, ports);
  return snapshotFromRecords(
    instances,
    tasks.map((task) => ({ task, staticPorts: ports.get(task.taskDefinitionArn) ?? NO_PORTS })),
  );
}

/** The static host ports of a definition, by its ARN, remembered in `ports`. */
export async function staticPortsOf(
  tx: Store,
  definitionArn: string,
  ports: Map<string, StaticPorts>,
): Promise<StaticPorts> {
  const known = ports.get(definitionArn);
  if (known !== undefined) return known;
  const definition = await taskDefinitionByArn(tx.taskDefinitions, definitionArn);
  const found = definition ? staticHostPorts(definition) : NO_PORTS;
  ports.set(definitionArn, found);
  return found;
}

async function everything<T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let after: string | undefined;
  do {
    const page = await list({ limit: CHUNK, ...(after !== undefined && { after }) });
    out.push(...page.items);
    after = page.nextKey;
  } while (after !== undefined);
  return out;
}

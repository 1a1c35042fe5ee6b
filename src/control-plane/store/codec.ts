/**
 * Records are stored as JSON documents shaped like the ECS API objects they describe. JSON has no dates, so
 * Date values travel as `{"$date": <epoch ms>}` and come back as Dates.
 *
 * Documents written before records had members of their own kept Berth's state under `berth*` names (and a
 * service's under `berth`); the decoders below read those under today's names. Renaming on read, rather
 * than a migration rewriting every row, keeps the change to one small function per aggregate (a container's
 * member sits inside an array, which SQLite's JSON functions would rewrite only through a json_each
 * subquery) and leaves the documents of a running installation alone. Members keep their order, so
 * documents render exactly as before.
 */
import type { ClusterRecord } from '../../domain/cluster-record.js';
import type { InstanceRecord } from '../../domain/instance-record.js';
import { EMPTY_SERVICE_STATE, type ServiceRecord } from '../../domain/service-record.js';
import type { TaskRecord } from '../../domain/task-record.js';

export function encodeDoc(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.getTime() } : v;
  });
}

export function decodeDoc<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const d = (v as { $date?: unknown }).$date;
      if (typeof d === 'number' && Object.keys(v).length === 1) return new Date(d);
    }
    return v;
  }) as T;
}

type Doc = Record<string, unknown>;

/** `doc` with members renamed as `names` says, in their places. */
function renamed(doc: Doc, names: Readonly<Record<string, string>>): Doc {
  return Object.fromEntries(Object.entries(doc).map(([key, value]) => [names[key] ?? key, value]));
}

export function decodeTask(text: string): TaskRecord {
  const doc = renamed(decodeDoc<Doc>(text), { berthAckedDesiredStatus: 'ackedDesiredStatus' });
  if (Array.isArray(doc.containers)) {
    doc.containers = (doc.containers as Doc[]).map((c) => renamed(c, { berthRestartCount: 'restartCount' }));
  }
  return doc as unknown as TaskRecord;
}

export function decodeInstance(text: string): InstanceRecord {
  const doc = renamed(decodeDoc<Doc>(text), {
    berthAgentConnectedAt: 'agentConnectedAt',
    berthAgentDisconnectedAt: 'agentDisconnectedAt',
  });
  return doc as unknown as InstanceRecord;
}

export function decodeService(text: string): ServiceRecord {
  const doc = renamed(decodeDoc<Doc>(text), { berth: 'controller' });
  // Services created before the controller kept state have none yet.
  if (doc.controller === undefined) doc.controller = EMPTY_SERVICE_STATE;
  return doc as unknown as ServiceRecord;
}

export function decodeCluster(text: string): ClusterRecord {
  return decodeDoc<ClusterRecord>(text);
}

/** Opaque pagination tokens: the sort key of the last item returned, so pages stay stable under writes. */
export function encodePageToken(lastKey: string): string {
  return Buffer.from(JSON.stringify({ k: lastKey }), 'utf8').toString('base64url');
}

export function decodePageToken(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown };
    return typeof parsed.k === 'string' ? parsed.k : undefined;
  } catch {
    return undefined;
  }
}

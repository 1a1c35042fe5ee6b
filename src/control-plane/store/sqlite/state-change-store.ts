import type { Kysely, Selectable } from 'kysely';
import type {
  Page,
  PageRequest,
  RecordedContainerChange,
  StateChangeRecord,
  StateChangeStore,
} from '../types.js';
import { toPage } from './paging.js';
import type { Database } from './schema.js';

type Row = Selectable<Database['state_changes']>;

/** Agents' state changes, one row per (container instance, seq). */
export class SqliteStateChangeStore implements StateChangeStore {
  constructor(private readonly db: Kysely<Database>) {}

  async record(change: StateChangeRecord): Promise<boolean> {
    const rows = await this.db
      .insertInto('state_changes')
      .values({
        container_instance_arn: change.containerInstanceArn,
        seq: change.seq,
        task_arn: change.taskArn,
        cluster_arn: change.clusterArn,
        status: change.status ?? null,
        reason: change.reason ?? null,
        containers: JSON.stringify(change.containers),
        at: change.at.getTime(),
        received_at: change.receivedAt.getTime(),
      })
      .onConflict((oc) => oc.columns(['container_instance_arn', 'seq']).doNothing())
      .returning('seq')
      .execute();
    return rows.length > 0;
  }

  async get(containerInstanceArn: string, seq: number): Promise<StateChangeRecord | undefined> {
    const row = await this.db
      .selectFrom('state_changes')
      .selectAll()
      .where('container_instance_arn', '=', containerInstanceArn)
      .where('seq', '=', seq)
      .executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  async listByTask(taskArn: string, page: PageRequest): Promise<Page<StateChangeRecord>> {
    let q = this.db.selectFrom('state_changes').selectAll().where('task_arn', '=', taskArn);
    const after = seqAfter(page);
    if (after !== undefined) q = q.where('seq', '>', after);
    const rows = await q
      .orderBy('seq')
      .limit(page.limit + 1)
      .execute();
    return toPage(rows, page, (r) => String(r.seq), fromRow);
  }

  async listByContainerInstance(
    containerInstanceArn: string,
    page: PageRequest,
  ): Promise<Page<StateChangeRecord>> {
    let q = this.db
      .selectFrom('state_changes')
      .selectAll()
      .where('container_instance_arn', '=', containerInstanceArn);
    const after = seqAfter(page);
    if (after !== undefined) q = q.where('seq', '>', after);
    const rows = await q
      .orderBy('seq')
      .limit(page.limit + 1)
      .execute();
    return toPage(rows, page, (r) => String(r.seq), fromRow);
  }
}

function seqAfter(page: PageRequest): number | undefined {
  if (page.after === undefined) return undefined;
  const n = Number(page.after);
  return Number.isFinite(n) ? n : undefined;
}

function fromRow(row: Row): StateChangeRecord {
  return {
    containerInstanceArn: row.container_instance_arn,
    seq: Number(row.seq),
    taskArn: row.task_arn,
    clusterArn: row.cluster_arn,
    ...(row.status !== null && { status: row.status }),
    ...(row.reason !== null && { reason: row.reason }),
    containers: JSON.parse(row.containers) as RecordedContainerChange[],
    at: new Date(Number(row.at)),
    receivedAt: new Date(Number(row.received_at)),
  };
}

import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { taskFamily, type TaskRecord } from '../../../domain/task-record.js';
import { decodeTask, encodeDoc } from '../codec.js';
import type { Page, PageRequest, TaskFilter, TaskStore } from '../types.js';
import { DocTable } from './doc-table.js';
import type { Database } from './schema.js';

type TaskQuery = SelectQueryBuilder<Database, 'tasks', object>;

const STATE_CHANGE_DELETE_BATCH = 500;

export class SqliteTaskStore implements TaskStore {
  private readonly docs: DocTable<'tasks', TaskRecord>;

  constructor(private readonly db: Kysely<Database>) {
    this.docs = new DocTable(db, 'tasks', decodeTask);
  }

  get(arn: string): Promise<TaskRecord | undefined> {
    return this.docs.get(arn);
  }

  put(task: TaskRecord): Promise<void> {
    return this.docs.put({
      arn: task.taskArn,
      cluster_arn: task.clusterArn,
      container_instance_arn: task.containerInstanceArn,
      family: taskFamily(task.taskDefinitionArn),
      started_by: task.startedBy ?? null,
      task_group: task.group ?? null,
      desired_status: task.desiredStatus,
      last_status: task.lastStatus,
      launch_type: task.launchType ?? null,
      doc: encodeDoc(task),
    });
  }

  list(filter: TaskFilter, page: PageRequest): Promise<Page<TaskRecord>> {
    return this.docs.list(this.filtered(filter), page);
  }

  count(filter: TaskFilter): Promise<number> {
    return this.docs.count(this.filtered(filter));
  }

  async deleteStoppedBefore(before: Date, limit: number): Promise<string[]> {
    // Dates are stored as {"$date": epoch ms} (store/codec.ts).
    const stoppedAt = sql<number | null>`coalesce(
      json_extract(doc, '$.stoppedAt."$date"'),
      json_extract(doc, '$.executionStoppedAt."$date"'),
      json_extract(doc, '$.createdAt."$date"'))`;
    const rows = await this.db
      .deleteFrom('tasks')
      .where('arn', 'in', (eb) =>
        eb
          .selectFrom('tasks')
          .select('arn')
          .where('last_status', '=', 'STOPPED')
          .where(stoppedAt, '<', before.getTime())
          .limit(limit),
      )
      .returning('arn')
      .execute();
    const arns = rows.map((r) => r.arn);
    // A task's history goes with it (`StateChangeStore`); batches stay far below SQLite's variable limit.
    for (let i = 0; i < arns.length; i += STATE_CHANGE_DELETE_BATCH) {
      await this.db
        .deleteFrom('state_changes')
        .where('task_arn', 'in', arns.slice(i, i + STATE_CHANGE_DELETE_BATCH))
        .execute();
    }
    return arns;
  }

  private filtered(f: TaskFilter): TaskQuery {
    let q: TaskQuery = this.db.selectFrom('tasks').where('cluster_arn', '=', f.clusterArn);
    if (f.containerInstanceArn !== undefined)
      q = q.where('container_instance_arn', '=', f.containerInstanceArn);
    if (f.family !== undefined) q = q.where('family', '=', f.family);
    if (f.startedBy !== undefined) q = q.where('started_by', '=', f.startedBy);
    if (f.group !== undefined) q = q.where('task_group', '=', f.group);
    if (f.desiredStatus !== undefined) q = q.where('desired_status', '=', f.desiredStatus);
    if (f.lastStatus !== undefined) q = q.where('last_status', '=', f.lastStatus);
    if (f.lastStatusNot !== undefined) q = q.where('last_status', '!=', f.lastStatusNot);
    if (f.launchType !== undefined) q = q.where('launch_type', '=', f.launchType);
    return q;
  }
}

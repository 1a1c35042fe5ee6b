/**
 * Versioned schema migrations, applied in name order by Kysely's Migrator at start-up. Never edit a
 * migration that has shipped: add the next one.
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely';

const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('clusters')
        .addColumn('arn', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('task_definition_families')
        .addColumn('family', 'text', (c) => c.primaryKey())
        .addColumn('last_revision', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('task_definitions')
        .addColumn('arn', 'text', (c) => c.primaryKey())
        .addColumn('family', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('sort_key', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('task_definitions_family_status')
        .on('task_definitions')
        .columns(['family', 'status', 'revision'])
        .execute();
      await db.schema
        .createTable('container_instances')
        .addColumn('arn', 'text', (c) => c.primaryKey())
        .addColumn('cluster_arn', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('ec2_instance_id', 'text')
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('container_instances_cluster')
        .on('container_instances')
        .columns(['cluster_arn', 'status'])
        .execute();
      await db.schema
        .createTable('tasks')
        .addColumn('arn', 'text', (c) => c.primaryKey())
        .addColumn('cluster_arn', 'text', (c) => c.notNull())
        .addColumn('container_instance_arn', 'text')
        .addColumn('family', 'text', (c) => c.notNull())
        .addColumn('started_by', 'text')
        .addColumn('task_group', 'text')
        .addColumn('desired_status', 'text', (c) => c.notNull())
        .addColumn('last_status', 'text', (c) => c.notNull())
        .addColumn('launch_type', 'text')
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('tasks_cluster')
        .on('tasks')
        .columns(['cluster_arn', 'desired_status'])
        .execute();
      await db.schema.createIndex('tasks_instance').on('tasks').columns(['container_instance_arn']).execute();
      await db.schema
        .createTable('tags')
        .addColumn('resource_arn', 'text', (c) => c.notNull())
        .addColumn('tag_key', 'text', (c) => c.notNull())
        .addColumn('tag_value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('tags_pk', ['resource_arn', 'tag_key'])
        .execute();
      await db.schema
        .createTable('access_keys')
        .addColumn('access_key_id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('principal_arn', 'text', (c) => c.notNull())
        .addColumn('encrypted_secret', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'integer')
        .addColumn('session_token_hash', 'text')
        .execute();
    },
  },
  '0002_instance_keys': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('access_keys').addColumn('instance_id', 'text').execute();
      await db.schema.createIndex('access_keys_instance').on('access_keys').column('instance_id').execute();
    },
  },
  '0003_activations': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('activations')
        .addColumn('activation_id', 'text', (c) => c.primaryKey())
        .addColumn('sort_key', 'text', (c) => c.notNull().unique())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('iam_role', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('default_instance_name', 'text')
        .addColumn('registration_limit', 'integer', (c) => c.notNull())
        .addColumn('registrations_count', 'integer', (c) => c.notNull())
        .addColumn('expiration_date', 'integer', (c) => c.notNull())
        .addColumn('created_date', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('managed_instances')
        .addColumn('instance_id', 'text', (c) => c.primaryKey())
        .addColumn('activation_id', 'text', (c) => c.notNull())
        .addColumn('iam_role', 'text', (c) => c.notNull())
        .addColumn('agent_version', 'text')
        .addColumn('public_key', 'text', (c) => c.notNull().unique())
        .addColumn('last_ping_at', 'integer')
        .addColumn('deregistered_at', 'integer')
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('managed_instances_activation')
        .on('managed_instances')
        .column('activation_id')
        .execute();
    },
  },
  '0004_client_tokens': {
    async up(db: Kysely<unknown>): Promise<void> {
      // One row per (operation, token); the primary key is what makes a racing second writer fail.
      await db.schema
        .createTable('client_tokens')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('doc', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('client_tokens_pk', ['scope', 'token'])
        .execute();
      // The snapshot of a cluster reads its tasks that have not stopped.
      await db.schema
        .createIndex('tasks_cluster_last_status')
        .on('tasks')
        .columns(['cluster_arn', 'last_status'])
        .execute();
    },
  },
  '0005_services': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('services')
        .addColumn('arn', 'text', (c) => c.primaryKey())
        .addColumn('cluster_arn', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('scheduling_strategy', 'text', (c) => c.notNull())
        .addColumn('launch_type', 'text')
        .addColumn('doc', 'text', (c) => c.notNull())
        .execute();
      // ListServices, the controller's pass and the cluster's counters all ask by cluster and status.
      await db.schema
        .createIndex('services_cluster')
        .on('services')
        .columns(['cluster_arn', 'status'])
        .execute();
      // A service's tasks are found by their group (`service:<name>`).
      await db.schema
        .createIndex('tasks_cluster_group')
        .on('tasks')
        .columns(['cluster_arn', 'task_group'])
        .execute();
    },
  },
  '0006_state_changes': {
    async up(db: Kysely<unknown>): Promise<void> {
      // One row per report of an agent's durable queue; the primary key is what records a resent one once.
      await db.schema
        .createTable('state_changes')
        .addColumn('container_instance_arn', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('task_arn', 'text', (c) => c.notNull())
        .addColumn('cluster_arn', 'text', (c) => c.notNull())
        .addColumn('status', 'text')
        .addColumn('reason', 'text')
        .addColumn('containers', 'text', (c) => c.notNull())
        .addColumn('at', 'integer', (c) => c.notNull())
        .addColumn('received_at', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('state_changes_pk', ['container_instance_arn', 'seq'])
        .execute();
      // A task's history in seq order, and the purge of a deleted task's rows.
      await db.schema
        .createIndex('state_changes_task')
        .on('state_changes')
        .columns(['task_arn', 'seq'])
        .execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};

/** Table types for Kysely. Every aggregate is a JSON document plus the columns its queries filter on. */
export interface Database {
  clusters: { arn: string; name: string; status: string; doc: string };
  task_definition_families: { family: string; last_revision: number };
  task_definitions: {
    arn: string;
    family: string;
    revision: number;
    sort_key: string;
    status: string;
    doc: string;
  };
  container_instances: {
    arn: string;
    cluster_arn: string;
    status: string;
    ec2_instance_id: string | null;
    doc: string;
  };
  tasks: {
    arn: string;
    cluster_arn: string;
    container_instance_arn: string | null;
    family: string;
    started_by: string | null;
    task_group: string | null;
    desired_status: string;
    last_status: string;
    launch_type: string | null;
    doc: string;
  };
  services: {
    arn: string;
    cluster_arn: string;
    name: string;
    status: string;
    scheduling_strategy: string;
    launch_type: string | null;
    doc: string;
  };
  tags: { resource_arn: string; tag_key: string; tag_value: string };
  state_changes: {
    container_instance_arn: string;
    seq: number;
    task_arn: string;
    cluster_arn: string;
    status: string | null;
    reason: string | null;
    /** JSON array of RecordedContainerChange. */
    containers: string;
    /** Epoch milliseconds. */
    at: number;
    received_at: number;
  };
  access_keys: {
    access_key_id: string;
    kind: string;
    principal_arn: string;
    encrypted_secret: string;
    created_at: number;
    expires_at: number | null;
    session_token_hash: string | null;
    instance_id: string | null;
  };
  activations: {
    activation_id: string;
    sort_key: string;
    code_hash: string;
    iam_role: string;
    description: string | null;
    default_instance_name: string | null;
    registration_limit: number;
    registrations_count: number;
    expiration_date: number;
    created_date: number;
  };
  client_tokens: {
    scope: string;
    token: string;
    request_hash: string;
    doc: string;
    created_at: number;
  };
  managed_instances: {
    instance_id: string;
    activation_id: string;
    iam_role: string;
    agent_version: string | null;
    public_key: string;
    last_ping_at: number | null;
    deregistered_at: number | null;
    doc: string;
  };
}

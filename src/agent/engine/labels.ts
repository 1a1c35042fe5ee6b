/**
 * Labels on every container (and task-scoped volume) the engine creates, so that the agent can always
 * tell its own containers apart from anything else on the host, and find them again after a restart
 * without trusting its saved ids alone. The com.amazonaws.ecs.* names are the ECS agent's
 * (`agent/engine/docker_task_engine.go`), so tools that know ECS hosts read Berth hosts the same way.
 */

export const TASK_ARN_LABEL = 'com.amazonaws.ecs.task-arn';
export const CONTAINER_NAME_LABEL = 'com.amazonaws.ecs.container-name';
export const CLUSTER_LABEL = 'com.amazonaws.ecs.cluster';
export const FAMILY_LABEL = 'com.amazonaws.ecs.task-definition-family';
export const VERSION_LABEL = 'com.amazonaws.ecs.task-definition-version';
/**
 * Which agent created the container. Several agents can share one dockerd (tests, a reinstalled agent with
 * a fresh data directory): an agent only ever removes unknown containers that carry its own owner id.
 */
export const OWNER_LABEL = 'berth.agent-owner';

/** Labels a task's user may not set: they would let a container pass as another task's. */
export const RESERVED_LABELS: readonly string[] = [
  TASK_ARN_LABEL,
  CONTAINER_NAME_LABEL,
  CLUSTER_LABEL,
  FAMILY_LABEL,
  VERSION_LABEL,
  OWNER_LABEL,
];

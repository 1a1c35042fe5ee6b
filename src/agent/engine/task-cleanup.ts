/**
 * Removing a stopped task from the host once its cleanup wait has passed (ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION):
 * its containers (by saved id, and by label, so a container created just before a crash is not left
 * behind), its task-scoped volumes, then its saved state. Shared volumes stay: other tasks may use them.
 * Throws when Docker or the store fails; the caller tries again later.
 */
import type { TaskState, TaskStateStore } from '../tasks/contracts.js';
import type { DockerClient } from './docker/docker-client.js';
import type { EngineConfig } from './engine-config.js';
import { planVolumes } from './container-config.js';
import { OWNER_LABEL, TASK_ARN_LABEL } from './labels.js';

export interface CleanupDeps {
  readonly docker: DockerClient;
  readonly store: TaskStateStore;
  readonly config: EngineConfig;
}

export async function runCleanup(deps: CleanupDeps, state: TaskState): Promise<void> {
  const arn = state.task.arn;
  const ids = new Set(state.containers.flatMap((c) => (c.runtimeId === undefined ? [] : [c.runtimeId])));
  const labelled = await deps.docker.listContainers([
    `${TASK_ARN_LABEL}=${arn}`,
    `${OWNER_LABEL}=${deps.config.ownerId}`,
  ]);
  for (const c of labelled) ids.add(c.id);
  for (const id of ids) await deps.docker.removeContainer(id);
  for (const plan of planVolumes(state.task).values()) {
    if (plan.kind === 'docker' && plan.taskScoped) await deps.docker.removeVolume(plan.dockerName);
  }
  await deps.store.remove(arn);
}

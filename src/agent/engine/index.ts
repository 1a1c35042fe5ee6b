/** The agent's task engine on Docker: what the agent's composition needs from it. */
export { createTaskEngine, type RunningTaskEngine, type TaskEngineDeps } from './engine.js';
export { createDockerodeClient, type DockerodeClientOptions } from './docker/dockerode-client.js';
export type { DockerClient } from './docker/docker-client.js';
export { parseRegistryAuth, RegistryAuthError, type RegistryAuthTable } from './docker/registry-auth.js';
export {
  DEFAULT_CONTAINER_STOP_TIMEOUT_MS,
  DEFAULT_IMAGE_CLEANUP_INTERVAL_MS,
  DEFAULT_IMAGE_MINIMUM_AGE_MS,
  DEFAULT_IMAGES_PER_CYCLE,
  DEFAULT_TASK_CLEANUP_WAIT_MS,
  IMAGE_PULL_BEHAVIORS,
  MIN_IMAGE_CLEANUP_INTERVAL_MS,
  type EngineConfig,
  type ImageCleanupConfig,
  type ImagePullBehavior,
} from './engine-config.js';
export { dockerTaskEngine, ownerIdOf, stopTaskEngine, type EngineOptions } from './agent-engine.js';

/**
 * The Docker task engine as the agent composes it: agent options in, the TaskEngineFactory that the task
 * runtime calls once the task state is loaded and the reporter is running. The engine's restart
 * reconciliation runs before the factory returns, so no payload reaches it before it knows its tasks.
 */
import { createHash } from 'node:crypto';
import type { DockerEndpoint } from '../option-values.js';
import type { TaskEngine } from '../tasks/contracts.js';
import type { TaskEngineFactory } from '../tasks/task-runtime.js';
import { createDockerodeClient } from './docker/dockerode-client.js';
import type { RegistryAuthTable } from './docker/registry-auth.js';
import { createTaskEngine, type RunningTaskEngine } from './engine.js';
import type { ImageCleanupConfig, ImagePullBehavior } from './engine-config.js';

/** The agent options the engine uses (a subset of AgentConfig). */
export interface EngineOptions {
  readonly dataDir: string;
  readonly docker: DockerEndpoint;
  readonly containerStopTimeoutMs: number;
  readonly taskCleanupWaitMs: number;
  readonly imagePullBehavior: ImagePullBehavior;
  readonly imageCleanup: ImageCleanupConfig | undefined;
  readonly registryAuth: RegistryAuthTable;
}

/**
 * This agent's owner id for container labels: derived from its data directory, because the task state kept
 * there is what tells the agent which containers are its tasks'. Another agent (other data directory) on the
 * same dockerd never touches these containers, and a re-registered agent on the same data directory keeps them.
 */
export function ownerIdOf(dataDir: string): string {
  return `berth-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`;
}

export function dockerTaskEngine(options: EngineOptions): TaskEngineFactory {
  return async (deps) => {
    const endpoint = options.docker;
    const docker = createDockerodeClient(
      endpoint.kind === 'unix'
        ? { socketPath: endpoint.socketPath }
        : { host: endpoint.host, port: endpoint.port, protocol: endpoint.protocol },
    );
    const engine = createTaskEngine({
      docker,
      store: deps.store,
      reporter: deps.reporter,
      config: {
        containerStopTimeoutMs: options.containerStopTimeoutMs,
        taskCleanupWaitMs: options.taskCleanupWaitMs,
        imagePullBehavior: options.imagePullBehavior,
        imageCleanup: options.imageCleanup,
        registryAuth: options.registryAuth,
        ownerId: ownerIdOf(options.dataDir),
      },
      log: deps.log,
      ...(deps.agentEnvironment !== undefined && { agentEnvironment: deps.agentEnvironment }),
    });
    await engine.start();
    return engine;
  };
}

/** Ends the engine's loops (containers keep running) when it is the Docker engine; others have nothing to end. */
export async function stopTaskEngine(engine: TaskEngine | undefined): Promise<void> {
  if (engine !== undefined && isRunning(engine)) await engine.stop();
}

function isRunning(engine: TaskEngine): engine is RunningTaskEngine {
  return typeof (engine as Partial<RunningTaskEngine>).stop === 'function';
}

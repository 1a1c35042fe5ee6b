/**
 * What the task engine is told by the agent's configuration, each value in the unit it uses. The agent's
 * options (src/agent/config.ts) map onto this; tests build it directly with small timeouts.
 */
import type { RegistryAuthTable } from './docker/registry-auth.js';

/**
 * ECS_IMAGE_PULL_BEHAVIOR:
 * - `default`: pull; when the pull fails, run the image already on the host if there is one.
 * - `always`: pull; a failed pull fails the task.
 * - `once`: pull only images this agent has not pulled before (or that were removed since).
 * - `prefer-cached`: pull only when the host has no copy of the image.
 */
export const IMAGE_PULL_BEHAVIORS = ['default', 'always', 'once', 'prefer-cached'] as const;
export type ImagePullBehavior = (typeof IMAGE_PULL_BEHAVIORS)[number];

export interface ImageCleanupConfig {
  /** Time between cleanup cycles (ECS_IMAGE_CLEANUP_INTERVAL, default 30 min). */
  readonly intervalMs: number;
  /** An image unused for less than this is kept (ECS_IMAGE_MINIMUM_CLEANUP_AGE, default 1 h). */
  readonly minimumAgeMs: number;
  /** At most this many images are removed per cycle (ECS_NUM_IMAGES_DELETE_PER_CYCLE, default 5). */
  readonly imagesPerCycle: number;
}

export interface EngineConfig {
  /** SIGTERM grace for containers without their own stopTimeout (ECS_CONTAINER_STOP_TIMEOUT, 30 s). */
  readonly containerStopTimeoutMs: number;
  /** How long a stopped task's containers are kept before removal (ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION, 3 h). */
  readonly taskCleanupWaitMs: number;
  readonly imagePullBehavior: ImagePullBehavior;
  /** Undefined: no image cleanup (the default). */
  readonly imageCleanup: ImageCleanupConfig | undefined;
  /** Private registry credentials by registry host. */
  readonly registryAuth: RegistryAuthTable;
  /**
   * Identifies this agent's containers among others on the same dockerd (label berth.agent-owner). Only
   * unknown containers with this owner are ever removed as orphans.
   */
  readonly ownerId: string;
  /** Delay before retrying a Docker call that failed with a retriable error. */
  readonly retryDelayMs?: number;
}

export const DEFAULT_CONTAINER_STOP_TIMEOUT_MS = 30_000;
export const DEFAULT_TASK_CLEANUP_WAIT_MS = 3 * 3_600_000;
export const DEFAULT_IMAGE_CLEANUP_INTERVAL_MS = 30 * 60_000;
/** ECS refuses shorter cycles: cleanup lists every image and container. */
export const MIN_IMAGE_CLEANUP_INTERVAL_MS = 10 * 60_000;
export const DEFAULT_IMAGE_MINIMUM_AGE_MS = 3_600_000;
export const DEFAULT_IMAGES_PER_CYCLE = 5;
/** ECS's minimum delay between pull attempts (`minimumPullRetryDelay`). */
export const DEFAULT_RETRY_DELAY_MS = 1100;

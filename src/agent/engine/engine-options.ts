/**
 * Parsers for the agent options that configure the task engine (ECS agent equivalents in brackets):
 * --container-stop-timeout [ECS_CONTAINER_STOP_TIMEOUT], --task-cleanup-wait
 * [ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION], --image-pull-behavior [ECS_IMAGE_PULL_BEHAVIOR], --image-cleanup
 * with --image-cleanup-interval and --image-minimum-age [ECS_DISABLE_IMAGE_CLEANUP (inverted: off by
 * default here), ECS_IMAGE_CLEANUP_INTERVAL, ECS_IMAGE_MINIMUM_CLEANUP_AGE], and --docker-auth
 * [ECS_ENGINE_AUTH_DATA, from a file so the secret is not on the command line]. A bad value is a
 * ConfigError naming where it came from and the fix.
 */
import { readFileSync } from 'node:fs';
import { formatDuration, parseDuration } from '../../util/duration.js';
import { ConfigError } from '../../util/options.js';
import { invalid, text, type Picked } from '../option-values.js';
import type { OptionName } from '../options.js';
import { parseRegistryAuth, RegistryAuthError, type RegistryAuthTable } from './docker/registry-auth.js';
import {
  DEFAULT_IMAGES_PER_CYCLE,
  IMAGE_PULL_BEHAVIORS,
  MIN_IMAGE_CLEANUP_INTERVAL_MS,
  type ImageCleanupConfig,
  type ImagePullBehavior,
} from './engine-config.js';

/** Docker's stop timeout is whole seconds; less than one leaves a container no time to shut down. */
export const MIN_CONTAINER_STOP_TIMEOUT_MS = 1_000;
/** A stopped task stays inspectable (docker logs, exit code) for at least this long. */
export const MIN_TASK_CLEANUP_WAIT_MS = 1_000;

/** `30s`, `5m`, `3h`, or a number of seconds (a JSON number in the config file). */
export function durationOption(name: OptionName, picked: Picked, minMs: number): number {
  const v = picked.value;
  const ms = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined || !Number.isFinite(ms) || ms < minMs) {
    throw invalid(
      name,
      picked,
      `must be a duration of at least ${formatDuration(minMs)}, like 30s, 10m or 3h`,
    );
  }
  return ms;
}

export function pullBehaviorOption(picked: Picked): ImagePullBehavior {
  const value = text('imagePullBehavior', picked);
  if (!(IMAGE_PULL_BEHAVIORS as readonly string[]).includes(value)) {
    throw invalid('imagePullBehavior', picked, `must be one of ${IMAGE_PULL_BEHAVIORS.join(', ')}`);
  }
  return value as ImagePullBehavior;
}

/** `on`/`off` (also true/false, 1/0, a JSON boolean in the file). */
export function switchOption(name: OptionName, picked: Picked): boolean {
  const v = picked.value;
  if (typeof v === 'boolean') return v;
  const value = typeof v === 'string' ? v.trim().toLowerCase() : '';
  if (['on', 'true', '1', 'yes'].includes(value)) return true;
  if (['off', 'false', '0', 'no'].includes(value)) return false;
  throw invalid(name, picked, 'must be on or off');
}

export function imageCleanupOption(
  enabled: Picked,
  interval: Picked,
  minimumAge: Picked,
): ImageCleanupConfig | undefined {
  const intervalMs = durationOption('imageCleanupInterval', interval, MIN_IMAGE_CLEANUP_INTERVAL_MS);
  const minimumAgeMs = durationOption('imageMinimumAge', minimumAge, 0);
  if (!switchOption('imageCleanup', enabled)) return undefined;
  return { intervalMs, minimumAgeMs, imagesPerCycle: DEFAULT_IMAGES_PER_CYCLE };
}

/** The registry credentials file, read and checked now so a mistake stops the agent at start-up. */
export function dockerAuthOption(picked: Picked | undefined): RegistryAuthTable {
  if (picked === undefined) return new Map();
  const path = text('dockerAuth', picked);
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (e) {
    throw invalid('dockerAuth', picked, `cannot be read (${(e as Error).message})`);
  }
  try {
    return parseRegistryAuth(content);
  } catch (e) {
    if (e instanceof RegistryAuthError) {
      throw new ConfigError(
        `the registry credentials file ${path} ${e.message}; it holds {"registry": {"username": "...", "password": "..."}} ` +
          `or {"registry": {"auth": "<base64 of user:password>"}}.`,
      );
    }
    throw e;
  }
}

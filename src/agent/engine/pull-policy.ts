/**
 * Whether to pull a container's image, and what a failed pull means, by ECS_IMAGE_PULL_BEHAVIOR
 * (see engine-config.ts). Pure.
 */
import type { ImagePullBehavior } from './engine-config.js';

export interface ImagePresence {
  /** The host has a copy of the image. */
  readonly present: boolean;
  /** This agent pulled it before (and it has not been removed since). */
  readonly pulledBefore: boolean;
}

export function shouldPull(behavior: ImagePullBehavior, image: ImagePresence): boolean {
  switch (behavior) {
    case 'default':
    case 'always':
      return true;
    case 'once':
      return !(image.present && image.pulledBefore);
    case 'prefer-cached':
      return !image.present;
  }
}

/** After a failed pull: run the copy already on the host instead of failing (only `default` does). */
export function useCachedAfterFailedPull(behavior: ImagePullBehavior, present: boolean): boolean {
  return behavior === 'default' && present;
}

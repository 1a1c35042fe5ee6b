/**
 * The images this agent pulled and when each was last used, like the ECS agent's image manager: the
 * `once` pull behaviour asks it whether an image was pulled before, and image cleanup removes only images
 * it tracks (never images an operator put on the host). Kept in memory: after a restart, images of the
 * tasks still on the host are tracked again as the engine resumes them.
 */
import { pullReference } from './docker/image-ref.js';

export interface TrackedImage {
  readonly image: string;
  readonly pulledAt: number | undefined;
  readonly lastUsedAt: number;
}

export class ImageTracker {
  readonly #images = new Map<string, TrackedImage>();

  markPulled(image: string, at: number): void {
    const key = pullReference(image);
    this.#images.set(key, { image: key, pulledAt: at, lastUsedAt: at });
  }

  markUsed(image: string, at: number): void {
    const key = pullReference(image);
    const known = this.#images.get(key);
    this.#images.set(key, {
      image: key,
      pulledAt: known?.pulledAt,
      lastUsedAt: Math.max(at, known?.lastUsedAt ?? 0),
    });
  }

  wasPulled(image: string): boolean {
    return this.#images.get(pullReference(image))?.pulledAt !== undefined;
  }

  forget(image: string): void {
    this.#images.delete(pullReference(image));
  }

  all(): TrackedImage[] {
    return [...this.#images.values()];
  }
}

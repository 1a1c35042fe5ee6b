/**
 * Removing images the agent pulled and no longer uses (off by default; ECS's image cleanup): each cycle,
 * the least recently used tracked images that no container (of any kind, running or not) refers to and
 * that have been unused for at least the minimum age are removed, a few per cycle so a cycle never holds
 * dockerd long. Images the agent did not pull are never touched.
 */
import type { Logger } from 'pino';
import type { DockerClient } from './docker/docker-client.js';
import type { EngineClock } from './clock.js';
import type { ImageCleanupConfig } from './engine-config.js';
import type { ImageTracker } from './image-tracker.js';
import { pullReference } from './docker/image-ref.js';

export interface ImageCleanupDeps {
  readonly docker: DockerClient;
  readonly images: ImageTracker;
  readonly clock: EngineClock;
  readonly log: Logger;
  readonly config: ImageCleanupConfig;
}

/** One cleanup cycle; resolves with the images removed. */
export async function cleanupImages(deps: ImageCleanupDeps): Promise<string[]> {
  const now = deps.clock.now();
  const containers = await deps.docker.listContainers([]);
  const inUse = new Set(containers.flatMap((c) => [c.imageId, pullReference(c.image)]));
  const candidates = deps.images
    .all()
    .filter((i) => now - i.lastUsedAt >= deps.config.minimumAgeMs)
    .sort((a, b) => a.lastUsedAt - b.lastUsedAt);
  const removed: string[] = [];
  for (const image of candidates) {
    if (removed.length >= deps.config.imagesPerCycle) break;
    const facts = await deps.docker.inspectImage(image.image);
    if (facts === undefined) {
      deps.images.forget(image.image);
      continue;
    }
    if (inUse.has(facts.id) || inUse.has(image.image)) {
      deps.images.markUsed(image.image, now);
      continue;
    }
    try {
      await deps.docker.removeImage(image.image);
      deps.images.forget(image.image);
      removed.push(image.image);
      deps.log.info({ image: image.image }, 'unused image removed');
    } catch (e) {
      deps.log.warn({ image: image.image, err: (e as Error).message }, 'cannot remove unused image');
    }
  }
  return removed;
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { FakeDockerClient } from '../testing/fake-docker-client.js';
import type { ContainerFacts, ImageFacts } from './docker/docker-client.js';
import { cleanupImages } from './image-cleanup.js';
import { ImageTracker } from './image-tracker.js';

const HOUR = 3_600_000;

function fakeDocker(images: Record<string, ImageFacts>, containers: Partial<ContainerFacts>[]) {
  const docker = new FakeDockerClient();
  for (const [image, facts] of Object.entries(images)) docker.addImage(image, facts);
  containers.forEach((c, i) => docker.addContainer({ id: `c${i}`, ...c }));
  return { docker, removed: docker.removedImages };
}

const facts = (id: string): ImageFacts => ({ id, repoTags: [], repoDigests: [] });

void describe('image cleanup', () => {
  void it('removes tracked images unused for the minimum age and used by no container, oldest first, a few per cycle', async () => {
    const images = new ImageTracker();
    const now = 10 * HOUR;
    images.markPulled('r/old:1', now - 5 * HOUR);
    images.markPulled('r/older:1', now - 6 * HOUR);
    images.markPulled('r/oldest:1', now - 7 * HOUR);
    images.markPulled('r/fresh:1', now - 0.5 * HOUR);
    images.markPulled('r/in-use:1', now - 8 * HOUR);
    images.markPulled('r/gone:1', now - 9 * HOUR);
    const { docker, removed } = fakeDocker(
      {
        'r/old:1': facts('sha256:1'),
        'r/older:1': facts('sha256:2'),
        'r/oldest:1': facts('sha256:3'),
        'r/fresh:1': facts('sha256:4'),
        'r/in-use:1': facts('sha256:5'),
      },
      [{ image: 'something-else', imageId: 'sha256:5' }],
    );
    const result = await cleanupImages({
      docker,
      images,
      clock: { now: () => now, after: () => () => undefined },
      log: pino({ level: 'silent' }),
      config: { intervalMs: HOUR, minimumAgeMs: HOUR, imagesPerCycle: 2 },
    });
    assert.deepEqual(result, ['r/oldest:1', 'r/older:1']);
    assert.deepEqual(removed, ['r/oldest:1', 'r/older:1']);
    const left = images
      .all()
      .map((i) => i.image)
      .sort();
    assert.deepEqual(
      left,
      ['r/fresh:1', 'r/in-use:1', 'r/old:1'],
      'removed and vanished images are forgotten',
    );
  });

  void it('never touches images the agent did not pull', async () => {
    const { docker, removed } = fakeDocker({ 'operator/tool:1': facts('sha256:9') }, []);
    await cleanupImages({
      docker,
      images: new ImageTracker(),
      clock: { now: () => 10 * HOUR, after: () => () => undefined },
      log: pino({ level: 'silent' }),
      config: { intervalMs: HOUR, minimumAgeMs: 0, imagesPerCycle: 5 },
    });
    assert.deepEqual(removed, []);
  });
});

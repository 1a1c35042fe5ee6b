import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TelemetryStats } from './stats-cache.js';

const CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/edge';
const INSTANCE = 'arn:aws:ecs:us-east-1:123456789012:container-instance/edge/0f1e';
const where = (task: string, containerName = 'web') => ({
  clusterArn: CLUSTER,
  containerInstanceArn: INSTANCE,
  taskArn: `arn:aws:ecs:us-east-1:123456789012:task/edge/${task}`,
  containerName,
});
const set = (mean: number) => ({ min: mean, max: mean, sampleCount: 4, sum: mean * 4 });

describe('the telemetry stats cache', () => {
  it('keeps the mean of the latest publication per container, memory in bytes', () => {
    const stats = new TelemetryStats({ now: () => 0 });
    stats.recordContainer(where('a'), set(10), set(100));
    stats.recordContainer(where('a'), set(30), undefined);
    assert.deepEqual(
      stats.containers().map((c) => [c.cpuPercent, c.memoryBytes]),
      [[30, undefined]],
    );
  });

  it('forgets a container not published within the time to live', () => {
    let now = 0;
    const stats = new TelemetryStats({ ttlMs: 1_000, now: () => now });
    stats.recordContainer(where('old'), set(1), set(1));
    now = 600;
    stats.recordContainer(where('new'), set(1), set(1));
    now = 1_200;
    assert.deepEqual(
      stats.containers().map((c) => c.taskArn.split('/').pop()),
      ['new'],
    );
  });

  it('holds at most maxContainers, dropping the least recently published', () => {
    const stats = new TelemetryStats({ maxContainers: 2, now: () => 0 });
    stats.recordContainer(where('a'), set(1), set(1));
    stats.recordContainer(where('b'), set(1), set(1));
    stats.recordContainer(where('a'), set(2), set(2));
    stats.recordContainer(where('c'), set(1), set(1));
    assert.deepEqual(
      stats.containers().map((c) => c.taskArn.split('/').pop()),
      ['a', 'c'],
    );
  });
});

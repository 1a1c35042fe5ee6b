/**
 * PublishMetricsRequest: the agent's task and container CPU and memory statistics of the last interval (and
 * its filesystem use), kept as the latest figures per container; answered with AckPublishMetric.
 *
 * Only tasks of the session's cluster are kept (their ARNs say so), so a host cannot fill `/metrics` with
 * another cluster's names; the cache bounds the rest.
 */
import type { PublishMetricsRequest } from '../../../acs/telemetry.js';
import type { TelemetryAnswer, TelemetryContext } from './handler.js';

export function publishMetrics(m: PublishMetricsRequest, ctx: TelemetryContext): TelemetryAnswer {
  const storage = m.instanceMetrics?.storage;
  if (storage !== undefined) ctx.stats.recordInstance(ctx.clusterArn, ctx.containerInstanceArn, storage);
  const taskPrefix = `${ctx.clusterArn.replace(':cluster/', ':task/')}/`;
  let skipped = 0;
  for (const task of m.taskMetrics ?? []) {
    if (task.taskArn?.startsWith(taskPrefix) !== true) {
      skipped += 1;
      continue;
    }
    for (const c of task.containerMetrics ?? []) {
      if (c.containerName === undefined || c.containerName === '') continue;
      ctx.stats.recordContainer(
        {
          clusterArn: ctx.clusterArn,
          containerInstanceArn: ctx.containerInstanceArn,
          taskArn: task.taskArn,
          containerName: c.containerName,
        },
        c.cpuStatsSet,
        c.memoryStatsSet,
      );
    }
  }
  if (skipped > 0) ctx.log.debug({ skipped }, 'ignored metrics of tasks outside the session cluster');
  return { type: 'AckPublishMetric', message: { message: m.metadata?.messageId ?? '' } };
}

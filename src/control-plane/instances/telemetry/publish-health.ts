/**
 * PublishHealthRequest: container health as the agent's Docker health checks see it, applied to the tasks'
 * records (`tasks/apply-health.ts`), then answered with AckPublishHealth. Entries without a task ARN, a
 * container name or a status are skipped, as the model makes every member optional.
 */
import type { PublishHealthRequest } from '../../../acs/telemetry.js';
import { applyHealthReports, type HealthReport } from '../../tasks/apply-health.js';
import type { TelemetryAnswer, TelemetryContext } from './handler.js';

export async function publishHealth(
  m: PublishHealthRequest,
  ctx: TelemetryContext,
): Promise<TelemetryAnswer> {
  const reports: HealthReport[] = [];
  for (const task of m.tasks ?? []) {
    if (task.taskArn === undefined) continue;
    const containers = (task.containers ?? []).flatMap((c) =>
      c.containerName !== undefined && c.healthStatus !== undefined
        ? [{ containerName: c.containerName, healthStatus: c.healthStatus }]
        : [],
    );
    if (containers.length > 0) reports.push({ taskArn: task.taskArn, containers });
  }
  const applied = await applyHealthReports(ctx.health, ctx.containerInstanceArn, reports);
  if (applied.ignored > 0)
    ctx.log.info({ ignored: applied.ignored }, 'ignored health of tasks not placed on this instance');
  return { type: 'AckPublishHealth', message: { message: m.metadata?.messageId ?? '' } };
}

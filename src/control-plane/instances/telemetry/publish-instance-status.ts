/**
 * PublishInstanceStatusRequest: the agent's own health checks (e.g. whether it can reach Docker). Logged
 * when one is not OK, so an operator finds a host whose runtime is impaired; answered with
 * AckPublishInstanceStatus.
 */
import type { PublishInstanceStatusRequest } from '../../../acs/telemetry.js';
import type { TelemetryAnswer, TelemetryContext } from './handler.js';

export function publishInstanceStatus(
  m: PublishInstanceStatusRequest,
  ctx: TelemetryContext,
): TelemetryAnswer {
  const impaired = (m.statuses ?? []).filter((s) => s.status === 'IMPAIRED');
  if (impaired.length > 0)
    ctx.log.warn(
      { checks: impaired.map((s) => s.type), reason: impaired[0]?.statusReason },
      'agent health check impaired',
    );
  return { type: 'AckPublishInstanceStatus', message: { message: m.metadata?.requestId ?? '' } };
}

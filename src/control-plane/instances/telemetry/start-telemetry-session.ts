/**
 * StartTelemetrySessionRequest: in the model, but the stock agent starts its session with the handshake
 * and never sends it. The session is open already, so there is nothing to answer.
 */
import type { StartTelemetrySessionRequest } from '../../../acs/telemetry.js';
import type { TelemetryAnswer, TelemetryContext } from './handler.js';

export function startTelemetrySession(
  _m: StartTelemetrySessionRequest,
  ctx: TelemetryContext,
): TelemetryAnswer {
  ctx.log.debug('agent asked to start a telemetry session it already has');
  return undefined;
}

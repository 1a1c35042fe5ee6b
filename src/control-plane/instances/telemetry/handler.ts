/**
 * What a telemetry message handler gets: the session's identity (admitted at the handshake), where metrics
 * go, and what health reports are applied with. A handler returns the envelope that answers the message, if
 * any; the session sends it.
 */
import type { Logger } from 'pino';
import type { TelemetryAgentToServer } from '../../../acs/telemetry.js';
import type { TelemetryServerEnvelope } from '../../../acs/telemetry-codec.js';
import type { HealthDeps } from '../../tasks/apply-health.js';
import type { TelemetryStats } from './stats-cache.js';

export interface TelemetryContext {
  readonly clusterArn: string;
  readonly containerInstanceArn: string;
  readonly log: Logger;
  readonly stats: TelemetryStats;
  readonly health: HealthDeps;
}

export type TelemetryAnswer = TelemetryServerEnvelope | undefined;

export type TelemetryHandlers = {
  readonly [K in keyof TelemetryAgentToServer]: (
    message: TelemetryAgentToServer[K],
    ctx: TelemetryContext,
  ) => TelemetryAnswer | Promise<TelemetryAnswer>;
};

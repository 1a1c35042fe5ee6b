/**
 * Encoding and decoding of telemetry (TCS) frames, validated against `model/tcs.json` with the validator ACS
 * frames go through (`codec.ts`).
 *
 * The stock agent signs every telemetry frame it sends, not only the handshake: a frame is the signed
 * request's HTTP header block (Go's `Header.Write`: `Authorization`, `Host`, `X-Amz-Date`, ...), a blank
 * line, then the envelope. The control plane skips the header block rather than verifying it: the handshake
 * already proved who is at the other end of this socket, and a frame cannot be injected into it without
 * taking over the connection.
 */
import { decodeEnvelope, type Accepted, type Decoded } from './codec.js';
import type { Envelope } from './messages.js';
import { tcsModel } from './model/load-model.js';
import type { TelemetryAgentToServer, TelemetryServerToAgent } from './telemetry.js';

export type TelemetryAgentEnvelope = Envelope<TelemetryAgentToServer>;
export type TelemetryServerEnvelope = Envelope<TelemetryServerToAgent>;

export const TELEMETRY_AGENT_MESSAGE_TYPES: Accepted<TelemetryAgentToServer> = {
  PublishMetricsRequest: true,
  PublishHealthRequest: true,
  PublishInstanceStatusRequest: true,
  StartTelemetrySessionRequest: true,
};

export const TELEMETRY_SERVER_MESSAGE_TYPES: Accepted<TelemetryServerToAgent> = {
  HeartbeatMessage: true,
  AckPublishMetric: true,
  AckPublishHealth: true,
  AckPublishInstanceStatus: true,
  StopTelemetrySessionMessage: true,
  ServerException: true,
  BadRequestException: true,
  ResourceValidationException: true,
  InvalidParameterException: true,
};

const HEADER_END = '\r\n\r\n';

/** The envelope of a frame, with or without the signed header block in front. */
export function telemetryEnvelopeText(frame: string): string {
  if (frame.trimStart().startsWith('{')) return frame;
  const end = frame.indexOf(HEADER_END);
  return end < 0 ? frame : frame.slice(end + HEADER_END.length);
}

export function decodeTelemetryAgentFrame(frame: string): Decoded<TelemetryAgentEnvelope> {
  return decodeEnvelope(telemetryEnvelopeText(frame), TELEMETRY_AGENT_MESSAGE_TYPES, tcsModel);
}

export function decodeTelemetryServerFrame(frame: string): Decoded<TelemetryServerEnvelope> {
  return decodeEnvelope(frame, TELEMETRY_SERVER_MESSAGE_TYPES, tcsModel);
}

export function encodeTelemetryEnvelope(envelope: TelemetryServerEnvelope | TelemetryAgentEnvelope): string {
  return JSON.stringify(envelope);
}

/**
 * What the agent does with each message type of the session. The table is typed by the protocol's message
 * union, so adding a type to `ServerToAgent` without a responder here is a compile error. Responders are
 * synchronous and never wait for I/O: anything slow they start must run on its own (with its errors
 * handled), so the read loop keeps reading heartbeats while it runs.
 */
import type { Logger } from 'pino';
import { ACS_ERROR_TYPES } from '../../acs/messages.js';
import type { PayloadMessage, TaskManifestMessage, TaskStopVerificationAck } from '../../acs/payload.js';
import type { AcsErrorType, AgentEnvelope, ServerEnvelope, ServerToAgent } from '../../acs/messages.js';

export interface ResponderContext {
  /** Sends an envelope on the session; false when the socket is no longer open. */
  send(envelope: AgentEnvelope): boolean;
  /** The control plane sent a typed error; the session ends and the error decides the reconnect delay. */
  onError(type: AcsErrorType, message: string): void;
  /** The control plane announced it is closing the session. */
  onCloseMessage(message: string): void;
  /** Tasks to run or stop; the handler acknowledges the payload once they are stored durably. */
  onPayload(message: PayloadMessage): void;
  /** The tasks the control plane assigns to this instance; the handler acknowledges it. */
  onTaskManifest(message: TaskManifestMessage): void;
  /** Which of the tasks the agent asked about (TaskStopVerificationMessage) to stop. */
  onTaskStopVerificationAck(message: TaskStopVerificationAck): void;
  readonly log: Logger;
}

export type ServerResponders = { readonly [K in keyof ServerToAgent]: (message: ServerToAgent[K]) => void };

export function createResponders(ctx: ResponderContext): ServerResponders {
  const error = (type: AcsErrorType) => (m: { readonly message: string }) => ctx.onError(type, m.message);
  const errors = Object.fromEntries(ACS_ERROR_TYPES.map((type) => [type, error(type)])) as {
    readonly [K in AcsErrorType]: (m: ServerToAgent[K]) => void;
  };
  return {
    ...errors,
    HeartbeatMessage: (m) => {
      ctx.send({ type: 'HeartbeatAckRequest', message: { messageId: m.messageId } });
    },
    CloseMessage: (m) => ctx.onCloseMessage(m.message),
    PayloadMessage: (m) => ctx.onPayload(m),
    TaskManifestMessage: (m) => ctx.onTaskManifest(m),
    TaskStopVerificationAck: (m) => ctx.onTaskStopVerificationAck(m),
  };
}

export function dispatch(responders: ServerResponders, envelope: ServerEnvelope): void {
  // The decoder checked that `message` has the shape of `type`; TypeScript cannot correlate the two members.
  (responders[envelope.type] as (m: typeof envelope.message) => void)(envelope.message);
}

/**
 * Stop verification, after ECS's (`ecs-agent/acs/session/task_stop_verification_ack_responder.go`): tasks
 * the host runs that a task manifest did not list are only candidates, since the manifest may merely lag
 * (a payload acknowledged while it was being made). The agent names them in a TaskStopVerificationMessage
 * carrying the manifest's messageId; the control plane answers with a TaskStopVerificationAck of the same
 * messageId, and the agent stops exactly the tasks in its `stopTasks`, none else.
 *
 * Only the newest manifest's verification is awaited: a newer manifest compares afresh, so an answer to an
 * older one is ignored. If the question or its answer is lost (the session dropped), the next manifest
 * asks again.
 */
import { pino, type Logger } from 'pino';
import type { AgentEnvelope } from '../../acs/messages.js';
import type { TaskIdentifier, TaskStopVerificationAck } from '../../acs/payload.js';
import type { SerialQueue } from './serial.js';
import type { TaskDelivery } from './task-delivery.js';

/** Why a task stopped after stop verification, unless the control plane recorded a reason of its own. */
export const VERIFIED_STOP_REASON =
  'Task stopped by stop verification: the control plane no longer assigns it to this container instance';

export interface StopVerificationOptions {
  readonly delivery: TaskDelivery;
  readonly serial: SerialQueue;
  readonly send: (envelope: AgentEnvelope) => boolean;
  readonly log?: Logger;
}

export class StopVerification {
  readonly #o: StopVerificationOptions;
  readonly #log: Logger;
  /** The messageId of the manifest whose verification is awaited. */
  #awaited: string | undefined;

  constructor(options: StopVerificationOptions) {
    this.#o = options;
    this.#log = options.log ?? pino({ level: 'silent' });
  }

  /** Asks about the candidates of manifest `messageId`; with none, stops awaiting older answers. */
  request(messageId: string, candidates: readonly TaskIdentifier[]): void {
    this.#awaited = undefined;
    if (candidates.length === 0) return;
    this.#log.info(
      { messageId, candidates: candidates.map((c) => c.taskArn) },
      'tasks running here are not in the task manifest; asking the control plane',
    );
    const sent = this.#o.send({
      type: 'TaskStopVerificationMessage',
      message: { messageId, stopCandidates: candidates },
    });
    if (sent) this.#awaited = messageId;
    else this.#log.info({ messageId }, 'session closed; the next task manifest asks again');
  }

  /** The session's TaskStopVerificationAck handler: returns at once; stopping runs in turn with payloads. */
  handle(ack: TaskStopVerificationAck): void {
    this.#o.serial.run(
      () => this.#handle(ack),
      (err) => this.#log.error({ err, messageId: ack.messageId }, 'stop verification handling failed'),
    );
  }

  async #handle(ack: TaskStopVerificationAck): Promise<void> {
    if (ack.messageId !== this.#awaited || !Array.isArray(ack.stopTasks)) {
      this.#log.info(
        { messageId: ack.messageId, awaited: this.#awaited },
        'stop verification answer for no question in hand; ignored',
      );
      return;
    }
    this.#awaited = undefined;
    const named: readonly unknown[] = ack.stopTasks;
    const arns = named.flatMap((t) => {
      const arn = (t as { taskArn?: unknown } | null)?.taskArn;
      return typeof arn === 'string' ? [arn] : [];
    });
    if (arns.length === 0) return;
    const stopped = await this.#o.delivery.stop(arns, VERIFIED_STOP_REASON);
    this.#log.info({ asked: arns, stopped }, 'stop verification: stopping the tasks the control plane named');
  }
}
